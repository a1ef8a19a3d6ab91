Feature: diagnostics
  Scenario: an unknown column
    Given a cluster with nodes:
      | name   | cores |
      | node01 | 2     |
