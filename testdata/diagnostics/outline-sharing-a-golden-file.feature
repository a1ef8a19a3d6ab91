Feature: diagnostics
  Scenario Outline: a node
    Given a cluster with nodes:
      | name   |
      | <node> |
    Then the trace matches the golden file

    Examples:
      | node   |
      | node01 |
      | node02 |
