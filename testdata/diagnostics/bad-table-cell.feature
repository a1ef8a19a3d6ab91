Feature: diagnostics
  Scenario: a bad table cell
    Given a cluster with nodes:
      | name   | cpu |
      | node01 | two |
