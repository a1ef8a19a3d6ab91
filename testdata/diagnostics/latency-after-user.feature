Feature: diagnostics
  Scenario: a latency after a user, which building the model anew would lose
    Given a user "alice"
    And the latency of image-pull is 5s
