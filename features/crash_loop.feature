Feature: When the application exits
  A container's process ends: it crashes on start, finishes its work, or is
  killed for memory. The pod's restartPolicy decides what the kubelet does.
  With Always (the default, and the only one a Deployment allows) and
  OnFailure after a failure, it starts the container again: the first time
  at once, then after a back-off that starts at 10s and doubles up to 300s
  (CrashLoopBackOff), counted from the moment the container exited and
  started afresh once a run lasted 10 minutes (pkg/kubelet/kuberuntime
  kuberuntime_manager.go doBackOff). When no container will run again, the
  pod is finished: Succeeded if every container exited 0, else Failed.

  Background:
    Given a cluster with nodes:
      | name   | cpu | memory |
      | node01 | 2   | 4Gi    |

  Scenario: A crash on start restarts at once, then 10s, 20s and 40s after each exit
    Each exit is seen by the PLEG's next relist, which makes the pod worker
    sync the pod. The first restart has no back-off; each later one waits
    twice as long as the one before. The pod worker syncs the pod again
    when the back-off ends, or after a minute if that is sooner; as the
    kubelet writes a pod's status at the start of a sync, the container
    shows its exit (Error) until then, and waiting in CrashLoopBackOff,
    with its exit in lastState, from that sync on. (Each restart goes
    through the image check again: the Pulled event marks it.)

    Given the application in image "shop:1.0" exits with code 1 after 2s
    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: shop
      spec:
        containers:
        - name: app
          image: shop:1.0
      """
    And 2m30s pass
    Then pod "shop" is Running
    And the trace satisfies:
      """cel
      events.named('Started').size() == 5 &&
      events.named('Pulled')[1].time - events.filter(e, e.action == 'exit')[0].time < 1000 &&
      events.named('Pulled')[2].time - events.filter(e, e.action == 'exit')[1].time == 10000 &&
      events.named('Pulled')[3].time - events.filter(e, e.action == 'exit')[2].time == 20000 &&
      events.named('Pulled')[4].time - events.filter(e, e.action == 'exit')[3].time == 40000 &&
      events.named('BackOff').all(e, e.type == 'Warning' &&
        e.message == 'Back-off restarting failed container app in pod shop_default(' + pods[0].metadata.uid + ')') &&
      pods[0].status.containerStatuses[0].restartCount == 4 &&
      pods[0].status.containerStatuses[0].state.waiting.reason == 'CrashLoopBackOff' &&
      pods[0].status.containerStatuses[0].state.waiting.message == 'back-off 1m20s restarting failed container=app pod=shop_default(' + pods[0].metadata.uid + ')' &&
      pods[0].status.containerStatuses[0].lastState.terminated.exitCode == 1 &&
      pods[0].status.containerStatuses[0].lastState.terminated.reason == 'Error' &&
      pods[0].status.conditions.exists(c, c.type == 'Ready' && c.status == 'False')
      """
    And the trace matches the golden file

  Scenario: A pod that never restarts fails, keeps its object and gives back its IP
    With restartPolicy Never a container that exits ends the pod: phase
    Failed (one container exited non-zero), Ready False with reason
    PodFailed. The kubelet stops the sandbox, so the IP goes back to the
    node's pool, but the object stays for whoever wants to read it.

    Given the application in image "migrate:3" exits with code 2 after 5s
    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: migrate
      spec:
        restartPolicy: Never
        containers:
        - name: migrate
          image: migrate:3
      """
    And the cluster settles
    Then pod "migrate" is Failed
    And the trace satisfies:
      """cel
      events.named('Started').size() == 1 &&
      events.first('cni-del') > events.filter(e, e.action == 'exit')[0].seq &&
      pods[0].status.containerStatuses[0].state.terminated.exitCode == 2 &&
      pods[0].status.containerStatuses[0].restartCount == 0 &&
      pods[0].status.conditions.exists(c, c.type == 'Ready' && c.status == 'False' && c.reason == 'PodFailed')
      """
    And podlife explains pod "migrate" as:
      """
      pod default/migrate: Failed, not Ready
      - it has failed: a container ended in error and restartPolicy Never does not run it again
      - container "migrate" has exited: Error, exit code 2
          status.containerStatuses[migrate].state.terminated: Error, exit code 2; restartCount 0
      """

  Scenario: With OnFailure, a failed run restarts and a clean exit completes the pod
    OnFailure restarts a container only when it exited non-zero. Here the
    first run fails, the second exits 0 and the pod Succeeds.

    Given the application in image "report:1" exits with code 0 after 10s
    And the application in image "flaky:1" exits with code 1 after 1s once
    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: report
      spec:
        restartPolicy: OnFailure
        containers:
        - name: report
          image: report:1
        - name: flaky
          image: flaky:1
      """
    And 30s pass
    Then pod "report" is Running
    And the trace satisfies:
      """cel
      pods[0].status.containerStatuses[0].state.terminated.reason == 'Completed' &&
      pods[0].status.containerStatuses[1].restartCount == 1 &&
      pods[0].status.containerStatuses[1].state.running != null
      """

  Scenario: An application that crashes twice, then runs, is ready after its second restart
    A cluster settles when nothing is left to do but wait out a back-off:
    here it settles in the first back-off, right after the second exit,
    and the time that passes afterwards runs the restart.

    Given the application in image "api:4" exits with code 1 after 3s the first 2 times
    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: api
      spec:
        containers:
        - name: api
          image: api:4
      """
    And the cluster settles
    Then the trace satisfies:
      """cel
      pods[0].status.containerStatuses[0].state.terminated.reason == 'Error' &&
      pods[0].status.containerStatuses[0].restartCount == 1
      """
    When 15s pass
    Then pod "api" is Running
    And all containers of pod "api" are ready
    And the trace satisfies:
      """cel
      pods[0].status.containerStatuses[0].restartCount == 2 &&
      pods[0].status.containerStatuses[0].lastState.terminated.exitCode == 1 &&
      events.named('BackOff').size() == 1
      """

  Scenario: A container that outgrows its memory limit is OOM-killed, and one within it runs on
    The application grows to 200Mi 20s into each run. With a 64Mi limit the
    kernel kills it (exit code 137, reason OOMKilled) and the kubelet
    restarts it under the crash-loop back-off; with a 256Mi limit nothing
    happens. The kernel's kill leaves no event of its own: the container's
    lastState says why.

    Given the application in image "cache:2" uses 200Mi of memory after 20s
    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: cache
      spec:
        containers:
        - name: cache
          image: cache:2
          resources:
            limits:
              memory: 64Mi
      ---
      apiVersion: v1
      kind: Pod
      metadata:
        name: roomy
      spec:
        containers:
        - name: cache
          image: cache:2
          resources:
            limits:
              memory: 256Mi
      """
    And 25s pass
    Then pod "roomy" is Running
    And the trace satisfies:
      """cel
      pods.filter(p, p.metadata.name == 'cache')[0].status.containerStatuses[0].restartCount == 1 &&
      pods.filter(p, p.metadata.name == 'cache')[0].status.containerStatuses[0].lastState.terminated.reason == 'OOMKilled' &&
      pods.filter(p, p.metadata.name == 'cache')[0].status.containerStatuses[0].lastState.terminated.exitCode == 137 &&
      pods.filter(p, p.metadata.name == 'roomy')[0].status.containerStatuses[0].restartCount == 0 &&
      events.named('exit').map(e, e.object) == ['pod/default/cache{cache}']
      """

  Scenario: A container declared OOM-killed says OOMKilled
    Given the application in image "cache:3" is OOM-killed after 20s
    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: cache
      spec:
        containers:
        - name: cache
          image: cache:3
      """
    And 25s pass
    Then the trace satisfies:
      """cel
      pods[0].status.containerStatuses[0].restartCount == 1 &&
      pods[0].status.containerStatuses[0].lastState.terminated.reason == 'OOMKilled' &&
      pods[0].status.containerStatuses[0].lastState.terminated.exitCode == 137
      """

  Scenario: A canary that crashes behind a shared Service costs the requests sent to it before kube-proxy knows
    The stable and the canary Deployment share the Service. When the
    canary's process dies, connections to it are refused at once, but
    kube-proxy keeps routing a share of the traffic to it until the
    kubelet's relist has reported the container not ready, the EndpointSlice
    controller has marked the endpoint not ready and kube-proxy has synced.
    In CrashLoopBackOff the canary stays out of the rotation, and comes back
    each time it restarts, until it dies again.

    Given the application in image "shop:1.1-rc" exits with code 1 after 20s
    And "admin" applies:
      """yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: shop-stable
      spec:
        replicas: 2
        selector:
          matchLabels:
            app: shop
            track: stable
        template:
          metadata:
            labels:
              app: shop
              track: stable
          spec:
            containers:
            - name: app
              image: shop:1.0
              ports:
              - containerPort: 8080
      ---
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: shop-canary
      spec:
        replicas: 1
        selector:
          matchLabels:
            app: shop
            track: canary
        template:
          metadata:
            labels:
              app: shop
              track: canary
          spec:
            containers:
            - name: app
              image: shop:1.1-rc
              ports:
              - containerPort: 8080
      ---
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
    And 5s pass
    When clients send 20 requests per second to service "shop" through kube-proxy on node "node01" for 60s
    And 60s pass
    Then 9 requests to service "shop" failed
    And the trace satisfies:
      """cel
      traffic.filter(r, r.outcome != 'ok').size() > 0 &&
      traffic.filter(r, r.outcome != 'ok').all(r, r.pod.contains('shop-canary-'))
      """
    And the trace satisfies:
      """cel
      pods.filter(p, p.metadata.name.startsWith('shop-canary-')).all(p, p.status.containerStatuses[0].restartCount == 2)
      """
    And the trace matches the golden file

  Scenario: An hour of crash loop: the kubelet counts repeated events and its spam filter drops the rest
    The kubelet's event recorder (client-go's event correlator) writes an
    event identical to one it wrote before as a new count of the same
    Event, which `kubectl describe` shows as "(x12 over 58m)". Per object
    and event type it lets 25 events through at once, then one every 5
    minutes: after a dozen restarts the Pulled, Created and Started events
    of the restarts are dropped, though they still count when the next one
    gets through.

    Given the application in image "shop:1.0" exits with code 1 after 2s
    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: shop
      spec:
        containers:
        - name: app
          image: shop:1.0
      """
    And 1h passes
    Then the trace satisfies:
      """cel
      events.named('Started').filter(e, !e.dropped).size() < events.named('Started').size() &&
      events.named('Started').filter(e, !e.dropped).all(e, e.count <= 25) &&
      events.named('Started')[events.named('Started').size() - 1].count == events.named('Started').size() &&
      events.named('BackOff').exists(e, e.count > 25 && !e.dropped) &&
      pods[0].status.containerStatuses[0].restartCount == events.named('Started').size() - 1
      """
