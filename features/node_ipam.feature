Feature: Pod CIDRs: the node IPAM controller's ranges, and a node it has none left for
  Every node needs a range of pod IPs before its pods can have a network.
  kube-controller-manager's node IPAM controller (`--allocate-node-cidrs`)
  hands each new node the next free range of `--cluster-cidr`, each of
  `--node-cidr-mask-size` bits: 10.244.0.0/16 in /24s holds 256 nodes. A
  node that joins when none is left gets the range allocator's
  `CIDRNotAvailable` event and no range. Its container runtime then never
  loads a CNI network, so the kubelet reports the node not ready
  ("cni plugin not initialized"), the node lifecycle controller taints it
  `node.kubernetes.io/not-ready`, and the scheduler sends nothing there.
  A pod that tolerates every taint lands there anyway and never starts:
  each of the kubelet's syncs stops at "network is not ready" (the
  `NetworkNotReady` event) before it asks the runtime for a sandbox, and
  the pod worker tries again after its back-off.

  The cluster file says how the controller is configured, with
  kube-controller-manager's own configuration type (or `podlife apply
  --cluster-cidr --node-cidr-mask-size`). These scenarios run on the model
  only: the local control plane's range holds 256 nodes.

  Scenario: The third node of a range with room for two gets no pod CIDR, and no pod
    Given the cluster already has:
      """yaml
      apiVersion: kubecontrollermanager.config.k8s.io/v1alpha1
      kind: KubeControllerManagerConfiguration
      KubeCloudShared:
        ClusterCIDR: 10.244.0.0/23
      NodeIPAMController:
        NodeCIDRMaskSize: 24
      ---
      apiVersion: v1
      kind: Node
      metadata:
        name: node01
      ---
      apiVersion: v1
      kind: Node
      metadata:
        name: node02
      ---
      apiVersion: v1
      kind: Node
      metadata:
        name: node03
      """
    When "admin" applies:
      """yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: web
      spec:
        replicas: 3
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
      apiVersion: apps/v1
      kind: DaemonSet
      metadata:
        name: log-agent
      spec:
        selector:
          matchLabels:
            app: log-agent
        template:
          metadata:
            labels:
              app: log-agent
          spec:
            tolerations:
            - operator: Exists
            containers:
            - name: agent
              image: nginx:1.27
      """
    And 1m passes
    Then the trace satisfies:
      """cel
      events.exists(e, e.component == 'cidrAllocator' && e.object == 'node/node03' && e.reason == 'CIDRNotAvailable' &&
        e.message == 'Node node03 status is now: CIDRNotAvailable') &&
      nodes.filter(n, n.metadata.name != 'node03').all(n, n.spec.podCIDR.startsWith('10.244.')) &&
      nodes.exists(n, n.metadata.name == 'node03' && !has(n.spec.podCIDR) &&
        n.status.conditions.exists(c, c.type == 'Ready' && c.status == 'False' && c.message.endsWith('cni plugin not initialized'))) &&
      pods.filter(p, p.metadata.name.startsWith('web-')).all(p, p.spec.nodeName != 'node03' && p.status.phase == 'Running') &&
      pods.exists(p, p.metadata.name.startsWith('log-agent-') && p.spec.nodeName == 'node03' && p.status.phase == 'Pending') &&
      events.filter(e, e.reason == 'NetworkNotReady' && e.object.startsWith('pod/default/log-agent-') &&
        e.message == 'network is not ready: container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized').size() >= 5 &&
      !events.exists(e, e.reason == 'FailedCreatePodSandBox' || (e.component == 'kubelet/node03' && e.action == 'run-sandbox'))
      """
    And the trace matches the golden file

  # The range allocator keeps trying a node it has no range for, on its
  # workqueue's back-off (5 ms, doubling up to 1000 s), and records the
  # event each time. A deleted node's range is free again at once; the
  # waiting node gets it at its next try. Its kubelet reads the range at
  # its next node status sync, the runtime's network comes up, the node is
  # posted Ready, and the node lifecycle controller lifts the not-ready
  # taints.
  Scenario: Deleting a node frees its range for the node that had none
    Given the cluster already has:
      """yaml
      apiVersion: kubecontrollermanager.config.k8s.io/v1alpha1
      kind: KubeControllerManagerConfiguration
      KubeCloudShared:
        ClusterCIDR: 10.244.0.0/23
      NodeIPAMController:
        NodeCIDRMaskSize: 24
      ---
      apiVersion: v1
      kind: Node
      metadata:
        name: node01
      ---
      apiVersion: v1
      kind: Node
      metadata:
        name: node02
      ---
      apiVersion: v1
      kind: Node
      metadata:
        name: node03
      """
    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: pinned
      spec:
        nodeName: node03
        containers:
        - name: app
          image: nginx:1.27
      """
    And 20s pass
    And "admin" runs "kubectl delete node node01"
    And 1m passes
    Then pod "pinned" is Running
    And pod "pinned" has an IP in 10.244.0.0/24
    And the trace satisfies:
      """cel
      nodes.exists(n, n.metadata.name == 'node03' && n.spec.podCIDR == '10.244.0.0/24' &&
        n.status.conditions.exists(c, c.type == 'Ready' && c.status == 'True') &&
        (!has(n.spec.taints) || n.spec.taints.size() == 0)) &&
      events.filter(e, e.reason == 'CIDRNotAvailable').size() == 12 &&
      events.before('release-cidr', 'pod-cidr')
      """
    And the trace matches the golden file
