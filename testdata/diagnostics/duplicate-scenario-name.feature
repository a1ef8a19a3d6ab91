Feature: diagnostics
  Scenario: a pod on one node
    Given a cluster with nodes:
      | name   |
      | node01 |

  Scenario: a pod on one node
    Given a cluster with nodes:
      | name   |
      | node02 |
