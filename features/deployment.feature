Feature: Deployments: from one manifest to running pods, and from one version to the next
  A Deployment owns a ReplicaSet per pod template, named after the
  template's hash; the ReplicaSet owns the pods. Each controller learns of
  the other's work through its watches, so the chain of events is visible
  step by step: ScalingReplicaSet, SuccessfulCreate, Scheduled, and the
  kubelet's start-up on each node.

  Background:
    Given a cluster with nodes:
      | name   |
      | node01 |
      | node02 |
    And the registry serves images:
      | image    | pull |
      | shop:1.0 | 1s   |
      | shop:2.0 | 1s   |

  @conformance
  Scenario: A Deployment of two replicas
    When "admin" applies:
      """yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: shop
      spec:
        replicas: 2
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
      """
    And the cluster settles
    Then the trace satisfies:
      """cel
      events.named('ScalingReplicaSet').size() == 1 &&
      events.named('SuccessfulCreate').size() == 2 &&
      pods.size() == 2 && pods.all(p, p.status.phase == 'Running')
      """
    And the trace matches the golden file
    # Each controller posts its Events on its own, so a client of a real
    # cluster may see a pod's Scheduled before the SuccessfulCreate of the
    # ReplicaSet that made it; the model's trace is in causal order.
    And the model's trace satisfies:
      """cel
      events.before('ScalingReplicaSet', 'SuccessfulCreate') &&
      events.before('SuccessfulCreate', 'Scheduled')
      """

  Scenario: A rolling update with readiness and a preStop sleep drops no request
    Given the cluster already has:
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
      """
    When "admin" applies:
      """yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: shop
      spec:
        replicas: 2
        strategy:
          rollingUpdate:
            maxSurge: 1
            maxUnavailable: 0
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
      """
    And the cluster settles
    And clients send 20 requests per second to service "shop" through kube-proxy on node "node01" for 30s
    And "admin" applies:
      """yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: shop
      spec:
        replicas: 2
        strategy:
          rollingUpdate:
            maxSurge: 1
            maxUnavailable: 0
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
              image: shop:2.0
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
      """
    And the cluster settles
    Then no request failed
    And the trace satisfies:
      """cel
      events.named('ScalingReplicaSet').map(e, e.message.split(' from ')[0]).size() == 5 &&
      pods.size() == 2 && pods.all(p, p.spec.containers[0].image == 'shop:2.0')
      """
    And the trace matches the golden file

  # Each old pod quits the moment it gets SIGTERM, while node01's kube-proxy
  # still routes to it until its next sync: every failure is a request to an
  # old pod.
  Scenario: The same rolling update without the preStop sleep drops requests
    Given the cluster already has:
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
      """
    When "admin" applies:
      """yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: shop
      spec:
        replicas: 2
        strategy:
          rollingUpdate:
            maxSurge: 1
            maxUnavailable: 0
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
      """
    And the cluster settles
    And clients send 20 requests per second to service "shop" through kube-proxy on node "node01" for 30s
    And "admin" applies:
      """yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: shop
      spec:
        replicas: 2
        strategy:
          rollingUpdate:
            maxSurge: 1
            maxUnavailable: 0
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
              image: shop:2.0
              ports:
              - containerPort: 8080
              readinessProbe:
                httpGet:
                  path: /ready
                  port: 8080
                periodSeconds: 1
      """
    And the cluster settles
    Then 16 requests failed
    And the trace satisfies:
      """cel
      traffic.filter(r, r.outcome != 'ok').all(r,
        !pods.exists(p, 'default/' + p.metadata.name == r.pod))
      """
    And the trace matches the golden file

  # Recreate scales the old ReplicaSet to zero and starts the new one only
  # once none of its pods is left running: the Service has no endpoint in
  # between, and every request in that gap fails.
  Scenario: A Recreate rollout stops every old pod before it starts a new one
    Given the cluster already has:
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
      """
    When "admin" applies:
      """yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: shop
      spec:
        replicas: 2
        strategy:
          type: Recreate
        selector:
          matchLabels:
            app: shop
        template:
          metadata:
            labels:
              app: shop
          spec:
            terminationGracePeriodSeconds: 5
            containers:
            - name: app
              image: shop:1.0
              ports:
              - containerPort: 8080
      """
    And the cluster settles
    And clients send 20 requests per second to service "shop" through kube-proxy on node "node01" for 10s
    And "admin" applies:
      """yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: shop
      spec:
        replicas: 2
        strategy:
          type: Recreate
        selector:
          matchLabels:
            app: shop
        template:
          metadata:
            labels:
              app: shop
          spec:
            terminationGracePeriodSeconds: 5
            containers:
            - name: app
              image: shop:2.0
              ports:
              - containerPort: 8080
      """
    And the cluster settles
    Then the trace satisfies:
      """cel
      events.named('ScalingReplicaSet').map(e, e.message.split(' from ')[1]) == ['0 to 2', '2 to 0', '0 to 2'] &&
      events.filter(e, e.component == 'etcd' && e.action == 'delete').size() == 2 &&
      events.filter(e, e.component == 'etcd' && e.action == 'delete').all(gone,
        gone.seq < events.filter(e, e.reason == 'SuccessfulCreate')[2].seq) &&
      traffic.exists(r, r.outcome != 'ok') &&
      pods.size() == 2 && pods.all(p, p.spec.containers[0].image == 'shop:2.0')
      """
    And the trace matches the golden file

  Scenario: The ReplicaSet replaces a deleted pod while the old one is still terminating
    When "admin" applies:
      """yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: shop
      spec:
        replicas: 2
        selector:
          matchLabels:
            app: shop
        template:
          metadata:
            labels:
              app: shop
          spec:
            terminationGracePeriodSeconds: 5
            containers:
            - name: app
              image: shop:1.0
              lifecycle:
                preStop:
                  sleep:
                    seconds: 3
      """
    And the cluster settles
    And "admin" runs "kubectl delete pod shop-f69b5cb4c-7qlbj"
    And the cluster settles
    Then the trace satisfies:
      """cel
      events.named('SuccessfulCreate').size() == 3 &&
      events.filter(e, e.reason == 'SuccessfulCreate')[2].seq <
        events.filter(e, e.action == 'stop-container')[0].seq &&
      pods.size() == 2 && pods.all(p, p.metadata.name != 'shop-f69b5cb4c-7qlbj')
      """
    And the trace matches the golden file

  @conformance
  Scenario: Deleting the Deployment takes its ReplicaSet and pods with it
    When "admin" applies:
      """yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: shop
      spec:
        replicas: 2
        selector:
          matchLabels:
            app: shop
        template:
          metadata:
            labels:
              app: shop
          spec:
            terminationGracePeriodSeconds: 1
            containers:
            - name: app
              image: shop:1.0
      """
    And the cluster settles
    And "admin" runs "kubectl delete deployment shop"
    And the cluster settles
    Then the trace satisfies:
      """cel
      pods.size() == 0
      """
    And the model's trace satisfies:
      """cel
      events.named('collect').size() == 3
      """
    And the trace matches the golden file

  # With --cascade=foreground the Deployment stays, marked for deletion,
  # until the garbage collector has deleted its ReplicaSet, and the
  # ReplicaSet stays until its pods are gone.
  @conformance
  Scenario: Deleting the Deployment in the foreground waits for its pods
    When "admin" applies:
      """yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: shop
      spec:
        replicas: 2
        selector:
          matchLabels:
            app: shop
        template:
          metadata:
            labels:
              app: shop
          spec:
            terminationGracePeriodSeconds: 1
            containers:
            - name: app
              image: shop:1.0
      """
    And the cluster settles
    And "admin" runs "kubectl delete deployment shop --cascade=foreground"
    And the cluster settles
    Then the trace satisfies:
      """cel
      pods.size() == 0
      """
    And the model's trace satisfies:
      """cel
      events.filter(e, e.action == 'delete' && e.component == 'etcd').map(e, e.object.split('/')[0]) ==
        ['pod', 'pod', 'replicaset', 'deployment']
      """
    And the trace matches the golden file

  @conformance
  Scenario: Deleting the Deployment with --cascade=orphan leaves its pods running
    When "admin" applies:
      """yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: shop
      spec:
        replicas: 2
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
      """
    And the cluster settles
    And "admin" runs "kubectl delete deployment shop --cascade=orphan"
    And the cluster settles
    Then the trace satisfies:
      """cel
      pods.size() == 2 && pods.all(p, p.status.phase == 'Running')
      """
    And the model's trace satisfies:
      """cel
      events.exists(e, e.action == 'orphan' && e.object.startsWith('replicaset/default/shop-')) &&
      events.exists(e, e.component == 'etcd' && e.action == 'delete' && e.object == 'deployment/default/shop')
      """
    And the trace matches the golden file
