Feature: diagnostics
  Scenario: a misspelled step
    Given a cluster with node:
      | name   |
      | node01 |
