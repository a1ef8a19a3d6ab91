Feature: Node loss: a kubelet that stops, the taints, and the five-minute eviction
  A node can vanish without anyone draining it: its kubelet crashes, the
  machine hangs, the network cuts it off. The control plane learns of it
  only by silence. The kubelet renews its node's Lease every 10 seconds;
  the node lifecycle controller looks at every Lease each 5 seconds
  (`--node-monitor-period`), and once one has gone unrenewed past
  `--node-monitor-grace-period` (50 seconds) it sets the node's conditions
  `Unknown` ("Kubelet stopped posting node status."), marks the node's pods
  not ready (their endpoints leave every Service), and taints the node
  `node.kubernetes.io/unreachable`: `NoSchedule`, so no new pod goes
  there, and `NoExecute`, which the taint eviction controller acts on.

  It does not delete the pods at once. Every pod carries a toleration of
  300 seconds for that taint, added by the DefaultTolerationSeconds
  admission plugin, so a node that comes back within five minutes keeps
  its pods. After that the controller deletes them, their controllers
  create replacements on the nodes that are left, and the old pods stay
  `Terminating`: nobody is there to confirm their containers stopped.
  They go when the kubelet returns and stops them, or when the node object
  is deleted and the pod garbage collector force-deletes them.

  The timings follow v1.37.2's node lifecycle controller
  (pkg/controller/nodelifecycle/node_lifecycle_controller.go), taint
  eviction controller (pkg/controller/tainteviction/taint_eviction.go) and
  pod garbage collector (pkg/controller/podgc/gc_controller.go); each
  interval is a latency a scenario can set (`podlife steps`). These
  scenarios run on the model only: the local control plane's nodes are
  kwok's, which keeps every node's heartbeat going.

  Background:
    Given a cluster with nodes:
      | name   |
      | node01 |
      | node02 |
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
      apiVersion: v1
      kind: Service
      metadata:
        name: web
      spec:
        selector:
          app: web
        ports:
        - port: 80
      """
    And the cluster settles

  Scenario: A node that dies loses its pods five minutes later, and they start again elsewhere
    The Lease was last renewed when the kubelet started; 55 seconds later
    the controller's tick finds it past the grace period. The pod on
    node02 leaves the Service's endpoints at once, but is deleted only when
    its 300-second toleration runs out; its replacement goes to node01,
    the only node without the taint.
    When the kubelet of node "node02" stops
    And 6m pass
    Then the trace satisfies:
      """cel
      events.named('NodeNotReady')[0].time == 55010 &&
      events.named('NodeNotReady')[0].message == 'Node node02 status is now: NodeNotReady' &&
      events.exists(e, e.reason == 'NodeNotReady' && e.type == 'Warning' && e.message == 'Node is not ready') &&
      nodes.exists(n, n.metadata.name == 'node02' &&
        n.status.conditions.exists(c, c.type == 'Ready' && c.status == 'Unknown' && c.reason == 'NodeStatusUnknown' && c.message == 'Kubelet stopped posting node status.') &&
        n.spec.taints.map(t, t.key + ':' + t.effect) == ['node.kubernetes.io/unreachable:NoSchedule', 'node.kubernetes.io/unreachable:NoExecute']) &&
      events.named('TaintManagerEviction')[0].time == 355115 &&
      events.named('TaintManagerEviction')[0].message.startsWith('Marking for deletion Pod default/web-') &&
      pods.filter(p, p.spec.nodeName == 'node02').all(p, has(p.metadata.deletionTimestamp) &&
        p.status.conditions.exists(c, c.type == 'DisruptionTarget' && c.reason == 'DeletionByTaintManager')) &&
      pods.filter(p, p.spec.nodeName == 'node01' && p.status.phase == 'Running').size() == 2
      """
    And the trace matches the golden file

  Scenario: A shorter tolerationSeconds replaces a lost node's pods sooner
    A pod that states its own toleration for the unreachable taint keeps
    it: DefaultTolerationSeconds only adds the 300 seconds to pods that
    have none. With 30 seconds, the pod on the lost node is deleted 30
    seconds after the taint, four and a half minutes earlier.
    When "admin" applies:
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
            tolerations:
            - key: node.kubernetes.io/unreachable
              operator: Exists
              effect: NoExecute
              tolerationSeconds: 30
            containers:
            - name: app
              image: nginx:1.27
      """
    And the cluster settles
    And the kubelet of node "node02" stops
    And 2m pass
    Then the trace satisfies:
      """cel
      events.exists(e, e.component == 'taint-eviction-controller' && e.message.endsWith("NoExecute taints for 30s: deletion at 85.115s")) &&
      events.named('TaintManagerEviction')[0].time - events.filter(e, e.action == 'taint' && e.message.endsWith('NoExecute'))[0].time == 30015 &&
      pods.filter(p, p.spec.nodeName == 'node01' && p.status.phase == 'Running').size() == 2
      """
    And the trace matches the golden file

  Scenario: A node back within the tolerations keeps its pods
    The kubelet returns after two minutes: it posts Ready, the controller
    removes the unreachable taints at its next tick, and the taint eviction
    controller cancels the deletion it had scheduled. The pod was never
    deleted; it is Ready again, and back in the Service's endpoints.
    When the kubelet of node "node02" stops
    And 2m pass
    And the kubelet of node "node02" starts again
    And the cluster settles
    Then the trace satisfies:
      """cel
      events.exists(e, e.reason == 'TaintManagerEviction' && e.message.startsWith('Cancelling deletion of Pod default/web-')) &&
      nodes.all(n, !has(n.spec.taints) && n.status.conditions.exists(c, c.type == 'Ready' && c.status == 'True')) &&
      pods.size() == 2 && pods.all(p, !has(p.metadata.deletionTimestamp)) &&
      endpointslices.all(s, s.endpoints.size() == 2 && s.endpoints.all(e, e.conditions.ready))
      """
    And the trace matches the golden file

  Scenario: A node back after the eviction stops the pods it was running
    Seven minutes on, the pod on node02 was deleted long ago and replaced
    on node01, but only its record is Terminating: its container ran all
    along. The returning kubelet finds the deletion, stops the container
    within the pod's grace period, and deletes the record.
    When the kubelet of node "node02" stops
    And 7m pass
    And the kubelet of node "node02" starts again
    And the cluster settles
    Then the trace satisfies:
      """cel
      events.exists(e, e.component == 'kubelet/node02' && e.reason == 'Killing') &&
      pods.size() == 2 && pods.all(p, p.spec.nodeName == 'node01' && p.status.phase == 'Running')
      """
    And the trace matches the golden file

  Scenario: Deleting a lost node lets the pod garbage collector remove its pods
    The node will not come back, so an operator deletes it. The pod
    garbage collector's next sweep finds pods bound to a node that does
    not exist, waits 40 seconds in case it reappears, checks once more,
    and force-deletes them: phase Failed, then gone with no grace period.
    When the kubelet of node "node02" stops
    And 7m pass
    And "admin" runs "kubectl delete node node02"
    And the cluster settles
    Then the trace satisfies:
      """cel
      events.exists(e, e.component == 'kube-apiserver' && e.message == 'GET /api/v1/nodes/node02 as "system:serviceaccount:kube-system:pod-garbage-collector": 404 NotFound: nodes "node02" not found') &&
      events.exists(e, e.component == 'pod-garbage-collector' && e.action == 'force-delete') &&
      nodes.size() == 1 && pods.size() == 2 && pods.all(p, p.spec.nodeName == 'node01')
      """
    And the trace matches the golden file

  Scenario: A node whose network plugin is not ready loses its pods five minutes later
    The kubelet keeps running, so the node is not Unknown but NotReady: the
    kubelet posts Ready=False with the container runtime's reason at its
    next node status update. The controller taints the node
    node.kubernetes.io/not-ready and marks its pod not ready; the kubelet's
    status manager, which still sees its containers ready, writes Ready
    back within 10 seconds, so the pod's endpoint comes back until the
    eviction. The pod tolerates the not-ready taint for 300 seconds too;
    then it is deleted, and since its kubelet is alive it stops and goes
    at once, and its replacement runs on node01.

    When the network plugin on node "node02" is not initialized
    And 30s pass
    Then the trace satisfies:
      """cel
      nodes.exists(n, n.metadata.name == 'node02' &&
        n.status.conditions.exists(c, c.type == 'Ready' && c.status == 'False' && c.reason == 'KubeletNotReady' &&
          c.message == 'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized') &&
        n.spec.taints.map(t, t.key + ':' + t.effect) == ['node.kubernetes.io/not-ready:NoSchedule', 'node.kubernetes.io/not-ready:NoExecute']) &&
      events.exists(e, e.reason == 'NodeNotReady' && e.message == 'Node node02 status is now: NodeNotReady') &&
      events.exists(e, e.reason == 'NodeNotReady' && e.message == 'Node is not ready' && e.object.startsWith('pod/default/web-')) &&
      pods.all(p, p.status.conditions.exists(c, c.type == 'Ready' && c.status == 'True'))
      """
    When 5m pass
    Then the trace satisfies:
      """cel
      events.exists(e, e.reason == 'TaintManagerEviction' && e.message.startsWith('Marking for deletion Pod default/web-')) &&
      pods.size() == 2 && pods.all(p, p.spec.nodeName == 'node01' && p.status.phase == 'Running')
      """
    And the trace matches the golden file

  Scenario: A network plugin ready again within the tolerations keeps the node's pods
    When the network plugin on node "node02" is not initialized
    And 1m pass
    And the network plugin on node "node02" is initialized again
    And 30s pass
    Then the trace satisfies:
      """cel
      events.exists(e, e.reason == 'TaintManagerEviction' && e.message.startsWith('Cancelling deletion of Pod default/web-')) &&
      nodes.all(n, !has(n.spec.taints) && n.status.conditions.exists(c, c.type == 'Ready' && c.status == 'True')) &&
      pods.size() == 2 && pods.all(p, !has(p.metadata.deletionTimestamp))
      """
