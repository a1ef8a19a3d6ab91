Feature: diagnostics
  Background:
    Given a cluster with nodes:
      | name   | cpu |
      | node01 | 2   |

  Scenario: an exit code no process can have
    Given the application in image "shop:1.0" exits with code 300 after 2s

  Scenario: an image the kubelet could not parse
    Given the application in image "Shop" exits with code 1 after 2s

  Scenario: a count of no runs
    Given the application in image "shop:1.0" exits with code 1 after 2s the first 0 times

  Scenario: a duration finer than the clock
    Given the registry does not have image "nginx:1.277"
    And the application in image "shop:1.0" is OOM-killed after 1500us

  Scenario: an image the registry already serves
    When the registry starts serving image "nginx:1.27"

  Scenario: a probe failure that ends before it begins
    Given the application in image "web:1" fails its readiness probe from 60s to 30s
