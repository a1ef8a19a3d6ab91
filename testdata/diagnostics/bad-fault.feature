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

  Scenario: an amount of memory in the wrong unit
    Given the application in image "cache:2" uses 300MB of memory

  Scenario: a hang before the run begins
    Given the application in image "api:3" hangs after -3s

  Scenario: a probe failure for a probe the manifest does not have
    Given the application in image "web:1" fails its liveness probe the first 3 times
    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: web
      spec:
        containers:
        - name: web
          image: web:1
          readinessProbe:
            httpGet:
              path: /ready
              port: 8080
      """
    And the cluster settles
