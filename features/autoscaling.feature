Feature: Autoscaling: a HorizontalPodAutoscaler answers load with pods
  A HorizontalPodAutoscaler does not watch load. Every 15 seconds
  (`--horizontal-pod-autoscaler-sync-period`) the HPA controller in
  kube-controller-manager reads its target's scale subresource, asks the
  metrics APIs what the target's pods use, and proposes
  `ceil(replicas × current / target)`, leaving the count alone within a
  10% tolerance. Pods that are not ready, or ready for less than one
  metric window, count for nothing on a scale-up. It then stabilises the
  proposal (it scales down only to the highest count it proposed in the
  last five minutes), limits it (to `minReplicas` and `maxReplicas`, and
  to at most double the pods, or four, per sync) and writes it to the
  scale subresource. The Deployment does the rest: new pods, endpoints,
  traffic.

  The numbers come from metrics-server (`metrics.k8s.io`) for CPU and
  memory, and from an adapter (`custom.metrics.k8s.io`) for anything
  else. A cluster fresh from kubeadm or kind runs neither, and neither
  does podlife's unless the scenario says so: its HPAs say they cannot
  compute a replica count, which is the first thing most people meet.

  The controller's wording and arithmetic follow v1.37.2's
  pkg/controller/podautoscaler (horizontal.go, replica_calculator.go).
  The scenarios with load run on the model only: the local control plane
  runs no metrics-server.

  Background:
    Given a cluster with nodes:
      | name   |
      | node01 |
      | node02 |
    And the cluster already has:
      """yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: web
      spec:
        replicas: 1
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
              ports:
              - containerPort: 80
              resources:
                requests:
                  cpu: 200m
                limits:
                  cpu: 400m
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

  @conformance
  Scenario: Without metrics-server an HPA cannot compute a replica count
    `kubectl get hpa` shows `<unknown>/50%`: the controller reads the scale
    (AbleToScale), but the resource metrics API is not there to ask.
    When "admin" applies:
      """yaml
      apiVersion: autoscaling/v2
      kind: HorizontalPodAutoscaler
      metadata:
        name: web
      spec:
        scaleTargetRef:
          apiVersion: apps/v1
          kind: Deployment
          name: web
        maxReplicas: 5
        metrics:
        - type: Resource
          resource:
            name: cpu
            target:
              type: Utilization
              averageUtilization: 50
      """
    And the cluster settles
    Then the trace satisfies:
      """cel
      events.exists(e, e.reason == 'FailedGetResourceMetric' && e.type == 'Warning' &&
        e.message == 'failed to get cpu utilization: unable to get metrics for resource cpu: unable to fetch metrics from resource metrics API: the server could not find the requested resource (get pods.metrics.k8s.io)') &&
      events.exists(e, e.reason == 'FailedComputeMetricsReplicas' && e.type == 'Warning' &&
        e.message == 'invalid metrics (1 invalid out of 1), first error is: failed to get cpu resource metric value: failed to get cpu utilization: unable to get metrics for resource cpu: unable to fetch metrics from resource metrics API: the server could not find the requested resource (get pods.metrics.k8s.io)') &&
      horizontalpodautoscalers.all(h,
        h.status.currentReplicas == 1 && h.status.desiredReplicas == 0 &&
        h.status.conditions.exists(c, c.type == 'AbleToScale' && c.status == 'True' && c.reason == 'SucceededGetScale' &&
          c.message == "the HPA controller was able to get the target's current scale") &&
        h.status.conditions.exists(c, c.type == 'ScalingActive' && c.status == 'False' && c.reason == 'FailedGetResourceMetric' &&
          c.message.startsWith('the HPA was unable to compute the replica count: failed to get cpu utilization: '))) &&
      pods.size() == 1
      """

  @conformance
  Scenario: An HPA whose target does not exist cannot read its scale
    When "admin" applies:
      """yaml
      apiVersion: autoscaling/v2
      kind: HorizontalPodAutoscaler
      metadata:
        name: shop
      spec:
        scaleTargetRef:
          apiVersion: apps/v1
          kind: Deployment
          name: shop
        maxReplicas: 5
      """
    And the cluster settles
    Then the trace satisfies:
      """cel
      events.exists(e, e.reason == 'FailedGetScale' && e.type == 'Warning' && e.message == 'deployments.apps "shop" not found') &&
      horizontalpodautoscalers.all(h, h.status.conditions.exists(c, c.type == 'AbleToScale' && c.status == 'False' &&
        c.reason == 'FailedGetScale' && c.message == "the HPA controller was unable to get the target's current scale: deployments.apps \"shop\" not found"))
      """

  @conformance
  Scenario: Two HPAs for the same pods are both refused
    Each HPA remembers the selector of its target once it has read it; an
    HPA whose pods another HPA's selector also picks does nothing.
    When "admin" applies:
      """yaml
      apiVersion: autoscaling/v2
      kind: HorizontalPodAutoscaler
      metadata:
        name: web
      spec:
        scaleTargetRef:
          apiVersion: apps/v1
          kind: Deployment
          name: web
        maxReplicas: 5
      """
    And the cluster settles
    And "admin" applies:
      """yaml
      apiVersion: autoscaling/v2
      kind: HorizontalPodAutoscaler
      metadata:
        name: web-too
      spec:
        scaleTargetRef:
          apiVersion: apps/v1
          kind: Deployment
          name: web
        maxReplicas: 8
      """
    And the cluster settles
    Then the trace satisfies:
      """cel
      events.exists(e, e.reason == 'AmbiguousSelector' && e.type == 'Warning' &&
        e.message.startsWith('pods by selector app=web are controlled by more than one HPA (e.g. [')) &&
      horizontalpodautoscalers.exists(h, h.metadata.name == 'web-too' &&
        h.status.conditions.exists(c, c.type == 'ScalingActive' && c.status == 'False' && c.reason == 'AmbiguousSelector'))
      """

  Scenario: A load spike that an HPA answers, and the requests that time out until it has
    Each request costs 100ms of CPU and a pod may spend 400m, so one pod
    serves 4 of the 6 requests a second and the rest time out. The first
    sync that sees the load proposes ceil(1 × 200% / 50%) = 4 pods; the
    next one counts the three new pods as unready (ready for less than a
    15-second metric window) and waits; the one after sees 74% on each of
    four and asks for 6, where 100m each is the target.
    Given the cluster runs metrics-server
    And each request to service "web" costs 100ms of CPU time
    When "admin" applies:
      """yaml
      apiVersion: autoscaling/v2
      kind: HorizontalPodAutoscaler
      metadata:
        name: web
      spec:
        scaleTargetRef:
          apiVersion: apps/v1
          kind: Deployment
          name: web
        minReplicas: 1
        maxReplicas: 10
        metrics:
        - type: Resource
          resource:
            name: cpu
            target:
              type: Utilization
              averageUtilization: 50
      """
    And 30s pass
    And clients send 6 requests per second to service "web" through kube-proxy on node "node01" for 90s
    And 90s pass
    Then 32 requests failed
    And the trace satisfies:
      """cel
      traffic.filter(r, r.outcome == 'overloaded').all(r, r.time < 70000) &&
      events.named('SuccessfulRescale').map(e, e.message) == [
        'New size: 4; reason: cpu resource utilization (percentage of request) above target',
        'New size: 6; reason: cpu resource utilization (percentage of request) above target'] &&
      pods.size() == 6 &&
      horizontalpodautoscalers[0].status.currentMetrics[0].resource.current.averageUtilization == 50 &&
      horizontalpodautoscalers[0].status.conditions.exists(c, c.type == 'ScalingLimited' && c.status == 'False' && c.reason == 'DesiredWithinRange')
      """
    And the trace matches the golden file

  Scenario: The scale-down waits five minutes for the highest recent recommendation
    Once the load ends the proposals fall to nothing at once, but the
    controller scales down only to the highest count it proposed in the
    last five minutes (`--horizontal-pod-autoscaler-downscale-stabilization`),
    so that a short lull does not cost the pods the next burst needs.
    Given the cluster runs metrics-server
    And each request to service "web" costs 100ms of CPU time
    When "admin" applies:
      """yaml
      apiVersion: autoscaling/v2
      kind: HorizontalPodAutoscaler
      metadata:
        name: web
      spec:
        scaleTargetRef:
          apiVersion: apps/v1
          kind: Deployment
          name: web
        maxReplicas: 10
        metrics:
        - type: Resource
          resource:
            name: cpu
            target:
              type: Utilization
              averageUtilization: 50
      """
    And 30s pass
    And clients send 6 requests per second to service "web" through kube-proxy on node "node01" for 90s
    And the cluster settles
    Then the trace satisfies:
      """cel
      events.named('SuccessfulRescale').map(e, e.message).exists(m, m == 'New size: 1; reason: All metrics below target') &&
      events.named('SuccessfulRescale')[2].time - events.named('SuccessfulRescale')[1].time > 300000 &&
      pods.size() == 1
      """

  Scenario: A behavior scales down sooner, two pods a minute
    `behavior.scaleDown` replaces the five-minute window with its own and
    limits how fast the count may fall: here by two pods in any 60 seconds.
    Given the cluster runs metrics-server
    And each request to service "web" costs 100ms of CPU time
    When "admin" applies:
      """yaml
      apiVersion: autoscaling/v2
      kind: HorizontalPodAutoscaler
      metadata:
        name: web
      spec:
        scaleTargetRef:
          apiVersion: apps/v1
          kind: Deployment
          name: web
        maxReplicas: 10
        metrics:
        - type: Resource
          resource:
            name: cpu
            target:
              type: Utilization
              averageUtilization: 50
        behavior:
          scaleDown:
            stabilizationWindowSeconds: 30
            policies:
            - type: Pods
              value: 2
              periodSeconds: 60
      """
    And 30s pass
    And clients send 6 requests per second to service "web" through kube-proxy on node "node01" for 90s
    And the cluster settles
    Then the trace satisfies:
      """cel
      events.named('SuccessfulRescale').map(e, e.message.split(';')[0]) ==
        ['New size: 4', 'New size: 6', 'New size: 4', 'New size: 2', 'New size: 1'] &&
      events.exists(e, e.reason == 'SuccessfulRescale' && e.message == 'New size: 4; reason: All metrics below target') &&
      pods.size() == 1
      """

  Scenario: Pods without a CPU request cannot be scaled on CPU utilisation
    Utilisation is a share of the request: a pod without one has no share
    to compute, and the HPA names the first such pod. (Its first two syncs
    find no pod running, then one ready for less than a metric window.)
    Given the cluster runs metrics-server
    And "admin" applies:
      """yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: api
      spec:
        replicas: 1
        selector:
          matchLabels:
            app: api
        template:
          metadata:
            labels:
              app: api
          spec:
            containers:
            - name: app
              image: nginx:1.27
      ---
      apiVersion: autoscaling/v2
      kind: HorizontalPodAutoscaler
      metadata:
        name: api
      spec:
        scaleTargetRef:
          apiVersion: apps/v1
          kind: Deployment
          name: api
        maxReplicas: 5
      """
    When 45s pass
    Then the trace satisfies:
      """cel
      events.exists(e, e.reason == 'FailedGetResourceMetric' &&
        e.message.matches('^failed to get cpu utilization: missing request for cpu in container app of Pod api-[a-z0-9]+-[a-z0-9]+$'))
      """

  Scenario: A custom metric per pod, and maxReplicas as the ceiling
    A Pods metric is an average value per pod, here from a custom metrics
    adapter. At 25 a pod against a target of 10 the HPA asks for three
    pods, then for eight, and stops at maxReplicas: ScalingLimited says so.
    Given the cluster runs a custom metrics adapter
    When "admin" applies:
      """yaml
      apiVersion: autoscaling/v2
      kind: HorizontalPodAutoscaler
      metadata:
        name: web
      spec:
        scaleTargetRef:
          apiVersion: apps/v1
          kind: Deployment
          name: web
        maxReplicas: 4
        metrics:
        - type: Pods
          pods:
            metric:
              name: requests_per_second
            target:
              type: AverageValue
              averageValue: "10"
      """
    And each pod of deployment "web" reports 25 for the metric "requests_per_second"
    And 90s pass
    Then the trace satisfies:
      """cel
      events.named('SuccessfulRescale').map(e, e.message) == [
        'New size: 3; reason: pods metric requests_per_second above target',
        'New size: 4; reason: pods metric requests_per_second above target'] &&
      horizontalpodautoscalers[0].status.conditions.exists(c, c.type == 'ScalingLimited' && c.status == 'True' &&
        c.reason == 'TooManyReplicas' && c.message == 'the desired replica count is more than the maximum replica count') &&
      pods.size() == 4
      """
