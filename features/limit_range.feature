Feature: LimitRange fills in and bounds what containers ask for
  LimitRanger runs in both admission phases: while mutating it copies the
  namespace's defaults into containers that say nothing, and records what
  it set in an annotation; while validating it enforces min, max and the
  limit/request ratio. ResourceQuota, later in the chain, sees the defaults.

  Background:
    Given a cluster with nodes:
      | name   | cpu |
      | node01 | 4   |
    And the cluster already has:
      """yaml
      apiVersion: v1
      kind: LimitRange
      metadata:
        name: defaults
      spec:
        limits:
        - type: Container
          default:
            cpu: 500m
          defaultRequest:
            cpu: 250m
          max:
            cpu: "1"
      """

  @conformance
  Scenario: A container that says nothing gets the defaults
    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: plain
      spec:
        containers:
        - name: nginx
          image: nginx:1.27
      """
    And the cluster settles
    Then every request was accepted
    And the trace satisfies:
      """cel
      pods.exists(p, p.metadata.name == 'plain' &&
        p.metadata.annotations['kubernetes.io/limit-ranger'] ==
          'LimitRanger plugin set: cpu request for container nginx; cpu limit for container nginx')
      """
    And the trace matches the golden file

  @conformance
  Scenario: A container over the maximum is refused
    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: greedy
      spec:
        containers:
        - name: nginx
          image: nginx:1.27
          resources:
            limits:
              cpu: "2"
      """
    And the cluster settles
    Then the request was rejected with code 403 and message:
      """
      pods "greedy" is forbidden: maximum cpu usage per Container is 1, but limit is 2
      """

  @conformance
  Scenario: A quota requiring limits is satisfied by the LimitRange defaults
    Given the cluster already has:
      """yaml
      apiVersion: v1
      kind: ResourceQuota
      metadata:
        name: limits
      spec:
        hard:
          limits.cpu: "2"
      """
    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: defaulted
      spec:
        containers:
        - name: nginx
          image: nginx:1.27
      """
    And the cluster settles
    Then every request was accepted
    And the trace matches the golden file
