Feature: Sidecar containers start first and stop last
  A sidecar is an init container with `restartPolicy: Always`. The kubelet
  starts it in its turn among the init containers, and the next one (or the
  app) starts as soon as the sidecar runs, or once its startup probe has
  passed, without waiting for it to finish. It then runs beside the app,
  restarts whenever it stops, and counts for the pod's readiness. When the
  pod goes, the kubelet stops the app first and the sidecars after it, last
  declared first (kuberuntime_termination_order.go); when a Job-like pod's
  app is done, the kubelet stops its sidecars and the pod completes.

  Background:
    Given a cluster with nodes:
      | name   | cpu | memory |
      | node01 | 2   | 4Gi    |
    And the registry serves images:
      | image           | exits after SIGTERM |
      | nginx:1.27      | 4s                  |
      | fluent-bit:3.2  | 1s                  |

  Scenario: A log shipper starts before the app and stops after it
    Each step of the start waits for the sync after the relist that saw the
    step before it: the sidecar starts, the next relist reports it running,
    and the sync after it starts the app. On deletion both get their Killing
    event at once; the app gets SIGTERM, the sidecar waits for the app to
    exit and then gets SIGTERM with what is left of the grace period.

    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: web
      spec:
        terminationGracePeriodSeconds: 30
        initContainers:
        - name: log-shipper
          image: fluent-bit:3.2
          restartPolicy: Always
        containers:
        - name: web
          image: nginx:1.27
      """
    And the cluster settles
    Then pod "web" is Running
    And the trace satisfies:
      """cel
      events.named('Started').map(e, e.object) == ['pod/default/web{log-shipper}', 'pod/default/web{web}'] &&
      pods[0].status.initContainerStatuses[0].state.running != null &&
      pods[0].status.initContainerStatuses[0].ready &&
      pods[0].status.conditions.exists(c, c.type == 'Ready' && c.status == 'True')
      """
    When "admin" runs "kubectl delete pod web"
    And the cluster settles
    Then the trace satisfies:
      """cel
      events.named('Killing').map(e, e.message) == ['Stopping container web', 'Stopping container log-shipper'] &&
      events.named('Killing')[0].time == events.named('Killing')[1].time &&
      events.named('stop-container').map(e, e.object) == ['pod/default/web{web}', 'pod/default/web{log-shipper}'] &&
      events.named('stop-container')[1].message == 'CRI StopContainer (timeout 26s): SIGTERM' &&
      events.named('stop-container')[1].time - events.named('stop-container')[0].time == 4000
      """
    And the trace matches the golden file

  Scenario: A Job-like pod completes once its app is done, and its sidecar is stopped
    With restartPolicy Never, an app that exits 0 is done for good. The
    sidecar would run for ever: the kubelet stops it (Killing, SIGTERM), and
    the pod is Succeeded by its app's exit alone, whatever the sidecar's.

    Given the application in image "report:1.0" exits with code 0 after 5s
    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: report
      spec:
        restartPolicy: Never
        initContainers:
        - name: proxy
          image: fluent-bit:3.2
          restartPolicy: Always
        containers:
        - name: report
          image: report:1.0
      """
    And the cluster settles
    Then pod "report" is Succeeded
    And the trace satisfies:
      """cel
      events.named('Killing').map(e, e.message) == ['Stopping container proxy'] &&
      events.named('Killing')[0].time > events.named('exit')[0].time &&
      pods[0].status.containerStatuses[0].state.terminated.reason == 'Completed' &&
      pods[0].status.initContainerStatuses[0].state.terminated != null &&
      pods[0].status.conditions.exists(c, c.type == 'Ready' && c.reason == 'PodCompleted')
      """
    And the trace matches the golden file

  Scenario: A sidecar's startup probe holds the app back, and a sidecar that crashes restarts under restartPolicy Never
    The app starts only in the sync after the sidecar's startup probe has
    passed. Later the sidecar crashes: it restarts after its back-off
    although the pod's restartPolicy is Never, and the pod stays Running,
    not Ready while the sidecar is down (a sidecar counts for readiness).

    Given the application in image "envoy:1.32" fails its startup probe the first 2 times
    And the application in image "envoy:1.32" exits with code 1 after 30s once
    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: api
      spec:
        restartPolicy: Never
        initContainers:
        - name: envoy
          image: envoy:1.32
          restartPolicy: Always
          startupProbe:
            httpGet:
              path: /ready
              port: 9901
            periodSeconds: 2
            failureThreshold: 5
        containers:
        - name: api
          image: nginx:1.27
      """
    And 20s pass
    Then pod "api" is Running
    And the trace satisfies:
      """cel
      events.named('Unhealthy').size() == 2 && events.named('Unhealthy')[1].count == 2 &&
      events.named('Started').map(e, e.object) == ['pod/default/api{envoy}', 'pod/default/api{api}'] &&
      events.named('Started')[1].time > events.filter(e, e.message.startsWith('Startup probe succeeded'))[0].time
      """
    When 60s pass
    Then pod "api" is Running
    And the trace satisfies:
      """cel
      pods[0].status.initContainerStatuses[0].restartCount == 1 &&
      pods[0].status.initContainerStatuses[0].lastState.terminated.exitCode == 1 &&
      pods[0].status.initContainerStatuses[0].ready &&
      events.named('status').exists(e, e.message.contains('phase Running') && e.message.contains('Ready=False') && e.message.contains('init envoy terminated (Error, exit code 1)'))
      """
    And the trace matches the golden file
