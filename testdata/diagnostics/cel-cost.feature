Feature: diagnostics
  Scenario: a runaway CEL expression
    Given a cluster with nodes:
      | name   |
      | node01 |
    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: web
      spec:
        containers:
        - name: nginx
          image: nginx:1.27
      """
    And the cluster settles
    Then the trace satisfies:
      """cel
      events.all(a, events.all(b, events.all(c, events.all(d, a.seq + b.seq + c.seq + d.seq > 0))))
      """
