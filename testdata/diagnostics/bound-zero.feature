Feature: diagnostics
  Scenario: an exploration bounded at no runs
    Given a cluster with nodes:
      | name   |
      | node01 |
    Then for every interleaving:
      """cel
      pods.size() == 0
      (at most 0 runs)
      """
