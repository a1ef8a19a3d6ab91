Feature: diagnostics
  Scenario: a docstring that holds no object
    Given a cluster with nodes:
      | name   |
      | node01 |
    When "admin" applies:
      """yaml
      # the Deployment goes here
      """
