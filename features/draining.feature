Feature: Draining a node: evictions and PodDisruptionBudgets
  Before a node is upgraded or retired, `kubectl drain` empties it. It
  cordons the node, lists the pods bound to it, and asks the API server to
  evict each one through the Eviction API (`POST .../pods/NAME/eviction`).
  The API server lets an eviction through only when the
  PodDisruptionBudget that selects the pod allows one more disruption; it
  takes that disruption off the budget's status, marks the pod
  `DisruptionTarget`, and deletes it gracefully. A budget that allows
  none answers 429, and kubectl tries again every 5 seconds until the
  budget's pods are healthy elsewhere, or its `--timeout` runs out.

  Background:
    Given a cluster with nodes:
      | name   |
      | node01 |
      | node02 |

  @conformance
  Scenario: A pod that no controller manages stops the drain unless it is forced
    kubectl will not delete a pod nothing would replace without --force.
    Whatever it refuses, it has already cordoned the node.
    Given the cluster already has:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: scratch
      spec:
        nodeName: node01
        containers:
        - name: app
          image: busybox:1.36
      """
    When "admin" runs "kubectl drain node01"
    And the cluster settles
    Then kubectl printed:
      """
      node/node01 cordoned
      error: unable to drain node "node01" due to error: cannot delete Pods that declare no controller (use --force to override): default/scratch, continuing command...
      There are pending nodes to be drained:
       node01
      cannot delete Pods that declare no controller (use --force to override): default/scratch
      """
    When "admin" runs "kubectl drain node01 --force"
    And the cluster settles
    Then kubectl printed:
      """
      node/node01 already cordoned
      Warning: deleting Pods that declare no controller: default/scratch
      evicting pod default/scratch
      pod/scratch evicted
      node/node01 drained
      """
    And the trace satisfies:
      """cel
      pods.size() == 0 &&
      events.exists(e, e.component == 'kubectl' && e.message.startsWith('POST /api/v1/namespaces/default/pods/scratch/eviction'))
      """

  @conformance
  Scenario: A budget that allows no disruption holds the drain until its timeout
    The database's budget wants its one pod available, always: every
    eviction is refused with a 429, which kubectl prints and retries
    5 seconds later, until --timeout has passed.
    Given the cluster already has:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: db
        labels:
          app: db
      spec:
        nodeName: node01
        containers:
        - name: postgres
          image: postgres:16
      ---
      apiVersion: policy/v1
      kind: PodDisruptionBudget
      metadata:
        name: db
      spec:
        minAvailable: 1
        selector:
          matchLabels:
            app: db
      """
    And the cluster settles
    When "admin" runs "kubectl drain node01 --force --timeout=12s"
    And the cluster settles
    Then kubectl printed:
      """
      node/node01 cordoned
      Warning: deleting Pods that declare no controller: default/db
      evicting pod default/db
      error when evicting pods/"db" -n "default" (will retry after 5s): Cannot evict pod as it would violate the pod's disruption budget.
      evicting pod default/db
      error when evicting pods/"db" -n "default" (will retry after 5s): Cannot evict pod as it would violate the pod's disruption budget.
      evicting pod default/db
      error when evicting pods/"db" -n "default" (will retry after 5s): Cannot evict pod as it would violate the pod's disruption budget.
      evicting pod default/db
      There are pending pods in node "node01" when an error occurred: error when evicting pods/"db" -n "default": global timeout reached: 12s
      pod/db
      error: unable to drain node "node01" due to error: error when evicting pods/"db" -n "default": global timeout reached: 12s, continuing command...
      There are pending nodes to be drained:
       node01
      error when evicting pods/"db" -n "default": global timeout reached: 12s
      """
    And the trace satisfies:
      """cel
      pods.exists(p, p.metadata.name == 'db' && p.status.phase == 'Running' && !has(p.metadata.deletionTimestamp))
      """
    And the trace matches the golden file

  @conformance
  Scenario: A budget lets one pod go at a time, and the drain waits for its replacement
    Both replicas run on node01 (node02 joined the cluster later). The budget
    allows one disruption: the first eviction is let through, the second is
    refused until the first pod's replacement is ready on node02.
    When "admin" runs "kubectl cordon node02"
    And "admin" applies:
      """yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: web
      spec:
        replicas: 2
        selector:
          matchLabels:
            app: web
        template:
          metadata:
            labels:
              app: web
          spec:
            containers:
            - name: app
              image: nginx:1.27
      ---
      apiVersion: policy/v1
      kind: PodDisruptionBudget
      metadata:
        name: web
      spec:
        minAvailable: 1
        selector:
          matchLabels:
            app: web
      """
    And the cluster settles
    And "admin" runs "kubectl uncordon node02"
    And the cluster settles
    And "admin" runs "kubectl drain node01"
    And the cluster settles
    Then the trace satisfies:
      """cel
      requests.exists(r, r.verb == 'drain' && r.allowed && r.message == 'node/node01 drained') &&
      events.filter(e, e.action == 'print' && e.message.endsWith("(will retry after 5s): Cannot evict pod as it would violate the pod's disruption budget.")).size() >= 1 &&
      pods.size() == 2 && pods.all(p, p.spec.nodeName == 'node02' && p.status.phase == 'Running')
      """

  Scenario: Draining a node under traffic drops no request when the budget, readiness and a preStop pause agree
    Three replicas serve the shop on node01. The budget lets one go at a
    time; each evicted pod leaves the endpoints before its server stops (a
    5 s preStop sleep), and its replacement on node02 takes traffic only
    once ready. kubectl retries the refused evictions until the
    replacements are ready.
    When "admin" runs "kubectl cordon node02"
    And "admin" applies:
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
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: shop
      spec:
        replicas: 3
        selector:
          matchLabels:
            app: shop
        template:
          metadata:
            labels:
              app: shop
          spec:
            containers:
            - name: app
              image: shop:1.0
              ports:
              - containerPort: 8080
              readinessProbe:
                httpGet:
                  path: /ready
                  port: 8080
                periodSeconds: 1
              lifecycle:
                preStop:
                  sleep:
                    seconds: 5
      ---
      apiVersion: policy/v1
      kind: PodDisruptionBudget
      metadata:
        name: shop
      spec:
        maxUnavailable: 1
        selector:
          matchLabels:
            app: shop
      """
    And the cluster settles
    And "admin" runs "kubectl uncordon node02"
    And the cluster settles
    And clients send 20 requests per second to service "shop" through kube-proxy on node "node02" for 60s
    And "admin" runs "kubectl drain node01"
    And the cluster settles
    Then no request failed
    And the trace satisfies:
      """cel
      requests.exists(r, r.verb == 'drain' && r.message == 'node/node01 drained') &&
      events.filter(e, e.action == 'print' && e.message.startsWith('error when evicting pods/')).size() >= 2 &&
      pods.size() == 3 && pods.all(p, p.spec.nodeName == 'node02' &&
        p.status.conditions.exists(c, c.type == 'Ready' && c.status == 'True'))
      """
    And the trace matches the golden file
