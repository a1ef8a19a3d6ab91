Feature: A DaemonSet runs one pod on every node that will take it
  The DaemonSet controller creates one pod per eligible node, pinned to it
  by a node affinity on metadata.name, and the default scheduler binds it.
  A node is eligible when the pod template's node selector and affinity
  match it and its taints are tolerated; the controller adds tolerations of
  its own (not-ready, unreachable, disk, memory and PID pressure,
  unschedulable), so a cordoned node still runs its daemon pod. As nodes
  come and go, so do the pods.

  @conformance
  Scenario: One pod per node, none on the node whose taint it does not tolerate
    Given a cluster with nodes:
      | name   | taints                   | unschedulable |
      | node01 |                          |               |
      | node02 |                          | true          |
      | node03 | dedicated=db:NoSchedule  |               |
    When "admin" applies:
      """yaml
      apiVersion: apps/v1
      kind: DaemonSet
      metadata:
        name: agent
      spec:
        selector:
          matchLabels: {app: agent}
        template:
          metadata:
            labels: {app: agent}
          spec:
            containers:
            - name: agent
              image: fluent/fluent-bit:3.2
      """
    And 10s pass
    Then every request was accepted
    And the trace satisfies:
      """cel
      events.filter(e, e.object == 'daemonset/default/agent' && e.reason == 'SuccessfulCreate').size() == 2
      && pods.size() == 2
      && pods.map(p, p.spec.nodeName).sort() == ['node01', 'node02']
      && pods.all(p, p.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchFields[0].key == 'metadata.name'
        && p.spec.tolerations.exists(t, t.key == 'node.kubernetes.io/unschedulable' && t.effect == 'NoSchedule')
        && p.status.phase == 'Running')
      """
    And the trace matches the golden file

  @conformance
  Scenario: A daemon pod that does not fit its node waits there: the scheduler looks at no other node
    # Each daemon pod names its node by metadata.name, so kube-scheduler's
    # NodeAffinity PreFilter narrows the cycle to that node; every other
    # node counts as "didn't satisfy plugin(s) [NodeAffinity]" and is not
    # filtered at all.
    Given a cluster with nodes:
      | name   | cpu |
      | small  | 1   |
      | large  | 4   |
      | larger | 8   |
    When "admin" applies:
      """yaml
      apiVersion: apps/v1
      kind: DaemonSet
      metadata:
        name: agent
      spec:
        selector:
          matchLabels: {app: agent}
        template:
          metadata:
            labels: {app: agent}
          spec:
            containers:
            - name: agent
              image: fluent/fluent-bit:3.2
              resources:
                requests: {cpu: "2"}
      """
    And 10s pass
    Then the trace satisfies:
      """cel
      pods.size() == 3
      && pods.filter(p, p.status.phase == 'Running').map(p, p.spec.nodeName).sort() == ['large', 'larger']
      && events.exists(e, e.reason == 'FailedScheduling' && e.message ==
        '0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn\'t satisfy plugin(s) [NodeAffinity]. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.')
      """
    And the model's trace satisfies:
      """cel
      events.exists(e, e.component == 'kube-scheduler' && e.action == 'filter' && e.message == '0/3 nodes feasible (1 checked)')
      """
    And the trace matches the golden file

  @conformance
  Scenario: A node labelled to match gets its pod, and loses it when the label goes
    Given a cluster with nodes:
      | name   |
      | node01 |
    When "admin" applies:
      """yaml
      apiVersion: apps/v1
      kind: DaemonSet
      metadata:
        name: agent
      spec:
        selector:
          matchLabels: {app: agent}
        template:
          metadata:
            labels: {app: agent}
          spec:
            nodeSelector:
              disk: ssd
            containers:
            - name: agent
              image: fluent/fluent-bit:3.2
      """
    And 5s pass
    And "admin" runs "kubectl label node node01 disk=ssd"
    And 5s pass
    Then the trace satisfies:
      """cel
      pods.size() == 1 && pods[0].spec.nodeName == 'node01' && pods[0].status.phase == 'Running'
      """
    When "admin" runs "kubectl label node node01 disk-"
    And 5s pass
    # The pod is deleted: on a real cluster it may still be terminating.
    Then the trace satisfies:
      """cel
      events.exists(e, e.object == 'daemonset/default/agent' && e.reason == 'SuccessfulDelete')
      && pods.all(p, has(p.metadata.deletionTimestamp))
      """

  @conformance
  Scenario: A new template rolls out one node at a time
    With the default maxUnavailable of 1, the controller deletes one old
    pod, creates its replacement once it is gone, and takes the next node
    only when the new pod is available. Which node goes first is the
    controller's map order on a real cluster; the model takes them by name.

    Given a cluster with nodes:
      | name   |
      | node01 |
      | node02 |
      | node03 |
    When "admin" applies:
      """yaml
      apiVersion: apps/v1
      kind: DaemonSet
      metadata:
        name: agent
      spec:
        selector:
          matchLabels: {app: agent}
        template:
          metadata:
            labels: {app: agent}
          spec:
            terminationGracePeriodSeconds: 2
            containers:
            - name: agent
              image: fluent/fluent-bit:3.2
      """
    And 10s pass
    And "admin" runs "kubectl set image daemonset/agent agent=fluent/fluent-bit:3.3"
    And 30s pass
    Then every request was accepted
    And the trace satisfies:
      """cel
      cel.bind(deletes, events.filter(e, e.object == 'daemonset/default/agent' && e.reason == 'SuccessfulDelete'),
        cel.bind(creates, events.filter(e, e.object == 'daemonset/default/agent' && e.reason == 'SuccessfulCreate' && e.seq > deletes[0].seq),
          deletes.size() == 3 && creates.size() == 3
          && creates[0].seq < deletes[1].seq && creates[1].seq < deletes[2].seq))
      && pods.size() == 3
      && pods.all(p, p.spec.containers[0].image == 'fluent/fluent-bit:3.3' && p.status.phase == 'Running')
      """
    When "admin" runs "kubectl rollout status daemonset/agent"
    And the cluster settles
    Then kubectl printed:
      """
      daemon set "agent" successfully rolled out
      """
    And the trace matches the golden file

  @conformance
  Scenario: With maxSurge the new pod starts beside the old one, which goes once the new one is available
    Given a cluster with nodes:
      | name   |
      | node01 |
    When "admin" applies:
      """yaml
      apiVersion: apps/v1
      kind: DaemonSet
      metadata:
        name: agent
      spec:
        selector:
          matchLabels: {app: agent}
        updateStrategy:
          rollingUpdate:
            maxSurge: 1
            maxUnavailable: 0
        template:
          metadata:
            labels: {app: agent}
          spec:
            terminationGracePeriodSeconds: 2
            containers:
            - name: agent
              image: fluent/fluent-bit:3.2
      """
    And 10s pass
    And "admin" runs "kubectl set image daemonset/agent agent=fluent/fluent-bit:3.3"
    And 20s pass
    Then the trace satisfies:
      """cel
      cel.bind(creates, events.filter(e, e.object == 'daemonset/default/agent' && e.reason == 'SuccessfulCreate'),
        cel.bind(deletes, events.filter(e, e.object == 'daemonset/default/agent' && e.reason == 'SuccessfulDelete'),
          creates.size() == 2 && deletes.size() == 1 && creates[1].seq < deletes[0].seq))
      && pods.size() == 1
      && pods[0].spec.containers[0].image == 'fluent/fluent-bit:3.3' && pods[0].status.phase == 'Running'
      """
    And the trace matches the golden file
