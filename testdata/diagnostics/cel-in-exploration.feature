Feature: diagnostics
  Scenario: a CEL syntax error in an invariant
    Given a cluster with nodes:
      | name   |
      | node01 |
    Then for every interleaving:
      """cel
      pods.size() == 1 &&
      (at most 5 runs)
      """
