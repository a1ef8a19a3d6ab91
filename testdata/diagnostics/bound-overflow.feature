Feature: diagnostics
  Scenario: an exploration bounded past counting
    Given a cluster with nodes:
      | name   |
      | node01 |
    Then for every interleaving:
      """cel
      pods.size() == 0
      (at most 99999999999999999999 runs)
      """
