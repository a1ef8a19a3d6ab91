Feature: The explorer's benchmark: a 3-pod Service losing one pod gracefully
  Scenario: With a preStop sleep, no request to a 3-pod Service fails
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
      ---
      apiVersion: v1
      kind: Pod
      metadata:
        name: shop-c
        labels:
          app: shop
      spec:
        nodeName: node01
        containers:
        - name: app
          image: shop:1.0
      """
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
      (at most 300 runs)
      """
