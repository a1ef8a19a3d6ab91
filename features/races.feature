Feature: Races, proved absent or shown present over every interleaving
  One golden trace is one timeline. The model's every same-instant choice
  goes through one Chooser and every latency can be given as a range, so
  podlife can replay a scenario over the orders and timings it did not
  take and check an invariant on each, fewest departures from the default
  order first. A violation comes back shrunk to the departures it needs.

  Background:
    Given the latency of kube-proxy-sync ranges from 0s to 2s
    And a cluster with nodes:
      | name   |
      | node01 |
      | node02 |
    And the registry serves images:
      | image    | pull |
      | shop:1.0 | 1s   |
    And the cluster already has:
      """yaml
      apiVersion: v1
      kind: Service
      metadata:
        name: shop
      spec:
        selector:
          app: shop
        ports:
        - port: 80
          targetPort: 8080
      ---
      apiVersion: v1
      kind: Pod
      metadata:
        name: shop-b
        labels:
          app: shop
      spec:
        nodeName: node02
        containers:
        - name: app
          image: shop:1.0
      """

  Scenario: With a preStop sleep, no request fails however long kube-proxy takes
    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: shop-a
        labels:
          app: shop
      spec:
        containers:
        - name: app
          image: shop:1.0
          lifecycle:
            preStop:
              sleep:
                seconds: 5
      """
    And the cluster settles
    And clients send 10 requests per second to service "shop" through kube-proxy on node "node02" for 4s
    And 1s passes
    And "admin" runs "kubectl delete pod shop-a"
    And the cluster settles
    Then for every interleaving:
      """cel
      traffic.all(r, r.outcome == 'ok')
      (at most 60 runs)
      """

  Scenario: Without it, some timing loses requests
    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: shop-a
        labels:
          app: shop
      spec:
        containers:
        - name: app
          image: shop:1.0
      """
    And the cluster settles
    And clients send 10 requests per second to service "shop" through kube-proxy on node "node02" for 4s
    And 1s passes
    And "admin" runs "kubectl delete pod shop-a"
    And the cluster settles
    Then some interleaving violates:
      """cel
      traffic.all(r, r.outcome == 'ok')
      (at most 60 runs)
      """

  Scenario: Two pods racing for the last slot of a quota: exactly one wins, whichever comes first
    Given the cluster already has:
      """yaml
      apiVersion: v1
      kind: ResourceQuota
      metadata:
        name: slots
      spec:
        hard:
          pods: "2"
      """
    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: first
      spec:
        containers:
        - name: app
          image: shop:1.0
      ---
      apiVersion: v1
      kind: Pod
      metadata:
        name: second
      spec:
        containers:
        - name: app
          image: shop:1.0
      """
    And the cluster settles
    Then for every interleaving:
      """cel
      requests.filter(r, r.allowed).size() == 1 &&
      requests.exists(r, !r.allowed && r.code == 403 && r.message.contains('exceeded quota: slots, requested: pods=1, used: pods=2, limited: pods=2'))
      (at most 30 runs)
      """
