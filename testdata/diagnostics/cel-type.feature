Feature: diagnostics
  Scenario: a CEL type error
    Given a cluster with nodes:
      | name   |
      | node01 |
    Then the trace satisfies:
      """cel
      events.size() == 'three'
      """
