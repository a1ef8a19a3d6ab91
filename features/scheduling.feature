Feature: Scheduling: which node a pod gets, and why it gets none
  kube-scheduler filters the nodes (the first filter to say no gives a
  node's reason), scores the ones left with each plugin's normalised score
  times its weight, and binds the pod to the best. When no node fits it
  writes FailedScheduling: every node's reasons counted, the counts sorted
  as text, then what preemption found.

  @conformance
  Scenario: No fitting node: every node's reason, counted and sorted
    Given a cluster with nodes:
      | name   | cpu | taints                | unschedulable |
      | small  | 1   |                       |               |
      | gpu    | 8   | gpu=true:NoSchedule   |               |
      | drain  | 8   |                       | true          |
    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: big
      spec:
        containers:
        - name: app
          image: nginx:1.27
          resources:
            requests:
              cpu: "2"
      """
    And the cluster settles
    Then pod "big" is not scheduled
    And the trace satisfies:
      """cel
      events.exists(e, e.reason == 'FailedScheduling' && e.message ==
        '0/3 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated taint(s), 1 node(s) were unschedulable. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.')
      """
    # The pod's status says it too, in a condition that observes the pod's
    # first generation and says since when it has been unschedulable.
    And the trace satisfies:
      """cel
      pods.exists(p, p.metadata.name == 'big' && p.status.conditions.exists(c,
        c.type == 'PodScheduled' && c.status == 'False' && c.reason == 'Unschedulable'
        && c.message.startsWith('0/3 nodes are available: 1 Insufficient cpu,')
        && c.observedGeneration == 1 && has(c.lastTransitionTime)))
      """
    And the trace matches the golden file

  @conformance
  Scenario: A pod waits until a node that fits joins
    Given a cluster with nodes:
      | name   | cpu |
      | small  | 1   |
    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: big
      spec:
        containers:
        - name: app
          image: nginx:1.27
          resources:
            requests:
              cpu: "2"
      """
    And the cluster settles
    And a cluster with nodes:
      | name   | cpu |
      | large  | 4   |
    And the cluster settles
    Then pod "big" is on node "large"
    And the trace satisfies:
      """cel
      events.before('FailedScheduling', 'Scheduled')
      """
    And the model's trace satisfies:
      """cel
      events.exists(e, e.action == 'enqueue' && e.message.contains('NodeAdd'))
      """
    And the trace matches the golden file

  @conformance
  Scenario: Node selectors and anti-affinity each rule nodes out
    Given a cluster with nodes:
      | name   | labels                    |
      | n1     | disk=ssd,zone=a           |
      | n2     | disk=ssd,zone=b           |
      | n3     | disk=hdd,zone=c           |
    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: cache-1
        labels:
          app: cache
      spec:
        nodeSelector:
          disk: ssd
        affinity:
          podAntiAffinity:
            requiredDuringSchedulingIgnoredDuringExecution:
            - labelSelector:
                matchLabels:
                  app: cache
              topologyKey: zone
        containers:
        - name: redis
          image: redis:7.4
      """
    And the cluster settles
    And "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: cache-2
        labels:
          app: cache
      spec:
        nodeSelector:
          disk: ssd
        affinity:
          podAntiAffinity:
            requiredDuringSchedulingIgnoredDuringExecution:
            - labelSelector:
                matchLabels:
                  app: cache
              topologyKey: zone
        containers:
        - name: redis
          image: redis:7.4
      """
    And "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: cache-3
        labels:
          app: cache
      spec:
        nodeSelector:
          disk: ssd
        affinity:
          podAntiAffinity:
            requiredDuringSchedulingIgnoredDuringExecution:
            - labelSelector:
                matchLabels:
                  app: cache
              topologyKey: zone
        containers:
        - name: redis
          image: redis:7.4
      """
    And the cluster settles
    Then pod "cache-3" is not scheduled
    And the trace satisfies:
      """cel
      events.exists(e, e.reason == 'FailedScheduling' && e.object == 'pod/default/cache-3' && e.message ==
        "0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 2 node(s) didn't match pod anti-affinity rules. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.")
      """
    And the trace matches the golden file

  @conformance
  Scenario: A host port can be taken once per node
    Given a cluster with nodes:
      | name | labels    |
      | n1   | edge=true |
      | n2   |           |
    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: proxy-1
      spec:
        nodeSelector:
          edge: "true"
        containers:
        - name: envoy
          image: envoyproxy/envoy:v1.31
          ports:
          - containerPort: 8080
            hostPort: 80
      """
    And the cluster settles
    And "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: proxy-2
      spec:
        nodeSelector:
          edge: "true"
        containers:
        - name: envoy
          image: envoyproxy/envoy:v1.31
          ports:
          - containerPort: 8080
            hostPort: 80
      """
    And the cluster settles
    Then pod "proxy-2" is not scheduled
    And the trace satisfies:
      """cel
      events.exists(e, e.reason == 'FailedScheduling' && e.message ==
        "0/2 nodes are available: 1 node(s) didn't have free ports for the requested pod ports, 1 node(s) didn't match Pod's node affinity/selector. preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling.")
      """

  @conformance
  Scenario: A DoNotSchedule spread constraint keeps zones within one pod of each other
    Given a cluster with nodes:
      | name | labels |
      | a1   | zone=a |
      | a2   | zone=a |
      | b1   | zone=b |
    When "admin" applies:
      """yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: web
      spec:
        replicas: 4
        selector:
          matchLabels:
            app: web
        template:
          metadata:
            labels:
              app: web
          spec:
            topologySpreadConstraints:
            - maxSkew: 1
              topologyKey: zone
              whenUnsatisfiable: DoNotSchedule
              labelSelector:
                matchLabels:
                  app: web
            containers:
            - name: app
              image: nginx:1.27
      """
    And the cluster settles
    Then the trace satisfies:
      """cel
      pods.filter(p, p.spec.nodeName == 'b1').size() == 2 &&
      pods.filter(p, p.spec.nodeName in ['a1', 'a2']).size() == 2
      """
    And the trace matches the golden file

  # Nothing rules either node out, so the scores decide: NodeAffinity
  # scores a preferred term even for a pod that has no required one.
  @conformance
  Scenario: A preferred node affinity draws the pod to the node it prefers
    Given a cluster with nodes:
      | name   | labels   |
      | node01 | disk=hdd |
      | node02 | disk=ssd |
    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: db
      spec:
        affinity:
          nodeAffinity:
            preferredDuringSchedulingIgnoredDuringExecution:
            - weight: 50
              preference:
                matchExpressions:
                - key: disk
                  operator: In
                  values: [ssd]
        containers:
        - name: db
          image: postgres:17
      """
    And the cluster settles
    Then pod "db" is on node "node02"
    And the trace matches the golden file

  # Inter-pod affinity scores both ways: a placed pod's preferred affinity
  # for web pods draws the next web pod to it, though web itself asks for
  # nothing and node01 is emptier.
  @conformance
  Scenario: A placed pod's preferred affinity draws the pods it names
    Given a cluster with nodes:
      | name   |
      | node01 |
      | node02 |
    And the cluster already has:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: cache
      spec:
        nodeName: node02
        affinity:
          podAffinity:
            preferredDuringSchedulingIgnoredDuringExecution:
            - weight: 100
              podAffinityTerm:
                labelSelector:
                  matchLabels:
                    app: web
                topologyKey: kubernetes.io/hostname
        containers:
        - name: cache
          image: redis:7
      """
    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: web
        labels:
          app: web
      spec:
        containers:
        - name: web
          image: nginx:1.27
      """
    And the cluster settles
    Then pod "web" is on node "node02"
    And the trace matches the golden file

  # A ScheduleAnyway constraint only scores. zone-a already runs two web
  # pods, so zone-b scores best; the edge node has no zone label, and a
  # pod's own constraints leave such a node out of the spread score (0)
  # rather than count it as an empty zone.
  @conformance
  Scenario: A ScheduleAnyway spread constraint prefers the emptier zone
    Given a cluster with nodes:
      | name   | labels |
      | edge   |        |
      | zone-a | zone=a |
      | zone-b | zone=b |
    And the cluster already has:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: web-1
        labels:
          app: web
      spec:
        nodeName: zone-a
        containers:
        - name: app
          image: nginx:1.27
      ---
      apiVersion: v1
      kind: Pod
      metadata:
        name: web-2
        labels:
          app: web
      spec:
        nodeName: zone-a
        containers:
        - name: app
          image: nginx:1.27
      """
    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: web-3
        labels:
          app: web
      spec:
        topologySpreadConstraints:
        - maxSkew: 1
          topologyKey: zone
          whenUnsatisfiable: ScheduleAnyway
          labelSelector:
            matchLabels:
              app: web
        containers:
        - name: app
          image: nginx:1.27
      """
    And the cluster settles
    Then pod "web-3" is on node "zone-b"
    And the trace matches the golden file

  # Four zones, one node each, and a pod that wants to be in the zone of a
  # cache, spread evenly by zone, and away from the guard's node. Each node
  # says no for a different rule; the message counts them.
  @conformance
  Scenario: Spread, affinity and anti-affinity each say no in their own words
    Given a cluster with nodes:
      | name | labels |
      | n1   | zone=a |
      | n2   | zone=b |
      | n3   | zone=c |
      | n4   | zone=d |
    And the cluster already has:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: guard
        labels:
          app: guard
      spec:
        nodeName: n1
        affinity:
          podAntiAffinity:
            requiredDuringSchedulingIgnoredDuringExecution:
            - labelSelector:
                matchLabels:
                  app: web
              topologyKey: kubernetes.io/hostname
        containers:
        - name: guard
          image: nginx:1.27
      ---
      apiVersion: v1
      kind: Pod
      metadata:
        name: cache
        labels:
          app: cache
      spec:
        nodeName: n1
        containers:
        - name: cache
          image: nginx:1.27
      ---
      apiVersion: v1
      kind: Pod
      metadata:
        name: web-0
        labels:
          app: web
      spec:
        nodeName: n3
        containers:
        - name: web
          image: nginx:1.27
      """
    And the scheduler explains every node
    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: web-1
        labels:
          app: web
      spec:
        topologySpreadConstraints:
        - maxSkew: 1
          topologyKey: zone
          whenUnsatisfiable: DoNotSchedule
          labelSelector:
            matchLabels:
              app: web
        affinity:
          podAffinity:
            requiredDuringSchedulingIgnoredDuringExecution:
            - labelSelector:
                matchLabels:
                  app: cache
              topologyKey: zone
        containers:
        - name: web
          image: nginx:1.27
      """
    And the cluster settles
    Then pod "web-1" is not scheduled
    And the trace satisfies:
      """cel
      events.exists(e, e.reason == 'FailedScheduling' && e.message ==
        "0/4 nodes are available: 1 node(s) didn't match pod topology spread constraints, 1 node(s) didn't satisfy existing pods anti-affinity rules, 2 node(s) didn't match pod affinity rules. preemption: 0/4 nodes are available: 2 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.")
      """
    And the trace matches the golden file

  @conformance
  Scenario: A high-priority pod preempts a low-priority one
    Given a cluster with nodes:
      | name   | cpu |
      | node01 | 2   |
    And the cluster already has:
      """yaml
      apiVersion: scheduling.k8s.io/v1
      kind: PriorityClass
      metadata:
        name: critical
      value: 1000
      """
    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: batch
      spec:
        terminationGracePeriodSeconds: 2
        containers:
        - name: app
          image: nginx:1.27
          resources:
            requests:
              cpu: 1500m
      """
    And the cluster settles
    And "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: payments
      spec:
        priorityClassName: critical
        containers:
        - name: app
          image: nginx:1.27
          resources:
            requests:
              cpu: "1"
      """
    And the cluster settles
    Then pod "payments" is on node "node01"
    And the trace satisfies:
      """cel
      events.exists(e, e.reason == 'FailedScheduling' && e.object == 'pod/default/payments' && e.message ==
        '0/1 nodes are available: 1 Insufficient cpu. preemption: found a potential placement for pod on node node01, preempting 1 victims') &&
      events.exists(e, e.reason == 'Preempted' && e.object == 'pod/default/batch' &&
        e.message.startsWith('Preempted by pod ') && e.message.endsWith(' on node node01')) &&
      !pods.exists(p, p.metadata.name == 'batch')
      """
    # Killing is the kubelet's event: kwok, which plays the kubelets of the
    # conformance control plane, does not send it.
    And the model's trace satisfies:
      """cel
      events.before('Preempted', 'Killing')
      """
    And the trace matches the golden file

  # Room is not what payments lacks: its anti-affinity rules out the node
  # that runs batch. Preemption takes the lower-priority pods away on paper
  # and filters again, anti-affinity included: batch is the victim.
  @conformance
  Scenario: A pod preempts the lower-priority pod its anti-affinity rules out
    Given a cluster with nodes:
      | name   |
      | node01 |
    And the cluster already has:
      """yaml
      apiVersion: scheduling.k8s.io/v1
      kind: PriorityClass
      metadata:
        name: critical
      value: 1000
      """
    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: batch
        labels:
          app: batch
      spec:
        terminationGracePeriodSeconds: 2
        containers:
        - name: app
          image: nginx:1.27
      """
    And the cluster settles
    And "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: payments
      spec:
        priorityClassName: critical
        affinity:
          podAntiAffinity:
            requiredDuringSchedulingIgnoredDuringExecution:
            - labelSelector:
                matchLabels:
                  app: batch
              topologyKey: kubernetes.io/hostname
        containers:
        - name: app
          image: nginx:1.27
      """
    And the cluster settles
    Then pod "payments" is on node "node01"
    And the trace satisfies:
      """cel
      events.exists(e, e.reason == 'FailedScheduling' && e.object == 'pod/default/payments' && e.message ==
        "0/1 nodes are available: 1 node(s) didn't match pod anti-affinity rules. preemption: found a potential placement for pod on node node01, preempting 1 victims") &&
      events.exists(e, e.reason == 'Preempted' && e.object == 'pod/default/batch') &&
      !pods.exists(p, p.metadata.name == 'batch')
      """
    And the trace matches the golden file

  @conformance
  Scenario: A pod with preemptionPolicy Never waits instead
    Given a cluster with nodes:
      | name   | cpu |
      | node01 | 2   |
    And the cluster already has:
      """yaml
      apiVersion: scheduling.k8s.io/v1
      kind: PriorityClass
      metadata:
        name: polite
      value: 1000
      preemptionPolicy: Never
      """
    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: batch
      spec:
        containers:
        - name: app
          image: nginx:1.27
          resources:
            requests:
              cpu: 1500m
      """
    And the cluster settles
    And "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: report
      spec:
        priorityClassName: polite
        containers:
        - name: app
          image: nginx:1.27
          resources:
            requests:
              cpu: "1"
      """
    And the cluster settles
    Then pod "report" is not scheduled
    And the trace satisfies:
      """cel
      events.exists(e, e.reason == 'FailedScheduling' && e.message ==
        '0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.')
      """

  # Both nodes would do: each holds one low-priority pod whose eviction makes
  # room. Evicting the database would take its PodDisruptionBudget below
  # minAvailable, so preemption picks the node whose victim breaks no
  # budget, even though node01 comes first.
  @conformance
  Scenario: Preemption spares the pods a PodDisruptionBudget protects
    Given a cluster with nodes:
      | name   | cpu |
      | node01 | 2   |
      | node02 | 2   |
    And the cluster already has:
      """yaml
      apiVersion: scheduling.k8s.io/v1
      kind: PriorityClass
      metadata:
        name: critical
      value: 1000
      """
    When "admin" applies:
      """yaml
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
    And "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: db
        labels:
          app: db
      spec:
        nodeName: node01
        terminationGracePeriodSeconds: 2
        containers:
        - name: db
          image: nginx:1.27
          resources:
            requests:
              cpu: 1500m
      ---
      apiVersion: v1
      kind: Pod
      metadata:
        name: batch
        labels:
          app: batch
      spec:
        nodeName: node02
        terminationGracePeriodSeconds: 2
        containers:
        - name: app
          image: nginx:1.27
          resources:
            requests:
              cpu: 1500m
      """
    And the cluster settles
    And "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: payments
      spec:
        priorityClassName: critical
        containers:
        - name: app
          image: nginx:1.27
          resources:
            requests:
              cpu: "1"
      """
    And the cluster settles
    Then pod "payments" is on node "node02"
    And pod "db" is Running
    And the trace satisfies:
      """cel
      events.exists(e, e.reason == 'FailedScheduling' && e.object == 'pod/default/payments' && e.message ==
        '0/2 nodes are available: 2 Insufficient cpu. preemption: found a potential placement for pod on node node02, preempting 1 victims') &&
      events.filter(e, e.reason == 'Preempted').map(e, e.object) == ['pod/default/batch'] &&
      events.exists(e, e.reason == 'NoPods' && e.object == 'poddisruptionbudget/default/db' && e.message == 'No matching pods found')
      """
    And the model's trace satisfies:
      """cel
      events.exists(e, e.object == 'pod/default/batch' && e.action == 'status' && e.message.contains('DisruptionTarget=True'))
      """
    And the trace matches the golden file

  # n2 already holds the (large) image, so ImageLocality tips the balance;
  # n3's PreferNoSchedule taint costs it the TaintToleration score.
  Scenario: Asked to, the scheduler shows every node's verdict and score
    Given the registry serves images:
      | image      | size  |
      | nginx:1.27 | 500Mi |
    And a cluster with nodes:
      | name   | cpu | images     | taints                      |
      | n1     | 4   |            |                             |
      | n2     | 4   | nginx:1.27 |                             |
      | n3     | 4   |            | noisy=true:PreferNoSchedule |
      | n4     | 1   |            |                             |
    And the scheduler explains every node
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
          resources:
            requests:
              cpu: "2"
      """
    And the cluster settles
    Then pod "web" is on node "n2"
    And the trace satisfies:
      """cel
      events.exists(e, e.action == 'filter' && e.message == 'n4: NodeResourcesFit rejects: Insufficient cpu') &&
      events.exists(e, e.action == 'score' && e.message.startsWith('n3: ') && e.message.contains('TaintToleration 0×3'))
      """
    And the trace matches the golden file

  @conformance
  Scenario: An anti-affinity term picks the namespaces it looks at by their labels
    The term of "cache" selects namespaces labelled env=prod, so the web
    pod in "shop" keeps it off node01; the same term of "probe" selects
    env=dev namespaces, where no web pod runs, so node01 takes it.

    Given a cluster with nodes:
      | name   |
      | node01 |
      | node02 |
    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: Namespace
      metadata:
        name: shop
        labels: {env: prod}
      """
    And 2s pass
    And "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: web
        namespace: shop
        labels: {app: web}
      spec:
        nodeSelector: {kubernetes.io/hostname: node01}
        containers:
        - name: web
          image: nginx:1.27
      """
    And 5s pass
    And "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: cache
      spec:
        nodeSelector: {kubernetes.io/hostname: node01}
        affinity:
          podAntiAffinity:
            requiredDuringSchedulingIgnoredDuringExecution:
            - labelSelector:
                matchLabels: {app: web}
              namespaceSelector:
                matchLabels: {env: prod}
              topologyKey: kubernetes.io/hostname
        containers:
        - name: cache
          image: redis:7
      ---
      apiVersion: v1
      kind: Pod
      metadata:
        name: probe
      spec:
        nodeSelector: {kubernetes.io/hostname: node01}
        affinity:
          podAntiAffinity:
            requiredDuringSchedulingIgnoredDuringExecution:
            - labelSelector:
                matchLabels: {app: web}
              namespaceSelector:
                matchLabels: {env: dev}
              topologyKey: kubernetes.io/hostname
        containers:
        - name: probe
          image: busybox:1.36
      """
    And 5s pass
    Then the trace satisfies:
      """cel
      events.exists(e, e.object == 'pod/default/cache' && e.reason == 'FailedScheduling'
        && e.message.startsWith("0/2 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) didn't match pod anti-affinity rules."))
      && pods.exists(p, p.metadata.name == 'probe' && p.spec.nodeName == 'node01' && p.status.phase == 'Running')
      && pods.exists(p, p.metadata.name == 'cache' && !has(p.spec.nodeName))
      """
    And the trace matches the golden file
