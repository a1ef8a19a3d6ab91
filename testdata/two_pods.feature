Feature: The explorer's complete walk: two pods created on two nodes, every order there is
  Scenario: Both pods are stored whatever the order
    Given a cluster with nodes:
      | name   |
      | node01 |
      | node02 |
    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: a
      spec:
        containers:
        - name: app
          image: nginx:1.27
      ---
      apiVersion: v1
      kind: Pod
      metadata:
        name: b
      spec:
        containers:
        - name: app
          image: nginx:1.27
      """
    And the cluster settles
    Then for every interleaving:
      """cel
      pods.size() == 2
      (at most 100000 runs)
      """
