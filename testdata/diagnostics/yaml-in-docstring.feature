Feature: diagnostics
  Scenario: a mistyped field in a docstring
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
        containerz:
        - name: nginx
          image: nginx:1.27
      """
    Then every request was accepted
