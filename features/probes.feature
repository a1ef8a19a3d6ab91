Feature: Probes that fail
  The kubelet probes each container as its manifest says: every
  periodSeconds, after initialDelaySeconds, acting only after
  failureThreshold failures in a row (successThreshold successes to come
  back) (pkg/kubelet/prober/worker.go). A readiness failure takes the pod
  out of its Services' endpoints without touching the container; a
  liveness failure has the container killed and started again. Each failed
  probe leaves an Unhealthy event with the prober's output.

  Background:
    Given a cluster with nodes:
      | name   | cpu | memory |
      | node01 | 4   | 8Gi    |

  Scenario: A readiness failure takes the endpoint out with no failed request, and it comes back
    Two versions serve one Service. From 30s to 60s version 1 answers its
    readiness probe 503: after three failures 5s apart the kubelet reports
    the pod not ready, the EndpointSlice controller marks the endpoint not
    ready and kube-proxy stops routing to it. The application still answers
    the requests already routed to it, so no client sees a failure. The
    first success after 60s brings it back.

    Given the application in image "web:1" fails its readiness probe from 30s to 60s
    And "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: web-1
        labels:
          app: web
      spec:
        containers:
        - name: web
          image: web:1
          ports:
          - containerPort: 8080
          readinessProbe:
            httpGet:
              path: /ready
              port: 8080
            periodSeconds: 5
      ---
      apiVersion: v1
      kind: Pod
      metadata:
        name: web-2
        labels:
          app: web
      spec:
        containers:
        - name: web
          image: web:2
          ports:
          - containerPort: 8080
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
          targetPort: 8080
      """
    And 10s pass
    When clients send 10 requests per second to service "web" through kube-proxy on node "node01" for 70s
    And 70s pass
    Then no requests failed
    And all containers of pod "web-1" are ready
    And the trace satisfies:
      """cel
      events.named('Unhealthy').size() == 6 &&
      events.named('Unhealthy').all(e, e.type == 'Warning' && e.message == 'Readiness probe failed: HTTP probe failed with statuscode: 503') &&
      traffic.exists(r, r.time > 50000 && r.time < 60000) &&
      traffic.filter(r, r.time > 50000 && r.time < 60000).all(r, r.pod == 'default/web-2') &&
      traffic.exists(r, r.time > 70000 && r.pod == 'default/web-1')
      """
    And the trace matches the golden file

  Scenario: A liveness probe restarts an application that stops answering
    The application stops answering at 20s. Three failed liveness probes
    later the kubelet kills the container (Killing, with the reason) and
    starts it again at once: the first restart has no back-off. The new run
    still does not answer, so it is killed in turn, and this restart waits
    out a 10s back-off.

    Given the application in image "api:3" fails its liveness probe from 20s
    And "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: api
      spec:
        terminationGracePeriodSeconds: 5
        containers:
        - name: api
          image: api:3
          livenessProbe:
            tcpSocket:
              port: 9000
            periodSeconds: 10
      """
    And 2m pass
    Then the trace satisfies:
      """cel
      events.named('Killing').size() >= 2 &&
      events.named('Killing').all(e, e.message == 'Container api failed liveness probe, will be restarted') &&
      events.named('Unhealthy').all(e, e.message == 'Liveness probe failed: dial tcp 10.244.0.2:9000: connect: connection refused') &&
      events.named('Unhealthy')[2].seq < events.named('Killing')[0].seq &&
      events.named('BackOff').size() >= 1 &&
      pods[0].status.containerStatuses[0].restartCount >= 2
      """
    And the trace matches the golden file

  Scenario: A hung application's requests time out until its probes take it out and restart it
    At 20s the application hangs: its port still accepts connections, so
    kube-proxy keeps sending requests that are never answered, and each
    HTTP probe fails only when its 2s timeout runs out. Three readiness
    failures later the endpoint is taken out: from then on the requests are
    refused (no other pod serves the Service) instead of hanging. The
    liveness probe has the container killed; its new run does not hang, and
    the pod is ready again.

    Given the application in image "api:3" hangs after 20s once
    And "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: api
        labels:
          app: api
      spec:
        terminationGracePeriodSeconds: 5
        containers:
        - name: api
          image: api:3
          ports:
          - containerPort: 8080
          readinessProbe:
            httpGet:
              path: /ready
              port: 8080
            periodSeconds: 5
            timeoutSeconds: 2
          livenessProbe:
            httpGet:
              path: /healthz
              port: 8080
            periodSeconds: 10
            timeoutSeconds: 2
      ---
      apiVersion: v1
      kind: Service
      metadata:
        name: api
      spec:
        selector:
          app: api
        ports:
        - port: 80
          targetPort: 8080
      """
    And 10s pass
    When clients send 10 requests per second to service "api" through kube-proxy on node "node01" for 60s
    And 60s pass
    Then all containers of pod "api" are ready
    And the trace satisfies:
      """cel
      events.named('Unhealthy').exists(e, e.message == 'Readiness probe failed: Get "http://10.244.0.2:8080/ready": context deadline exceeded (Client.Timeout exceeded while awaiting headers)') &&
      events.named('Unhealthy').exists(e, e.message == 'Liveness probe failed: Get "http://10.244.0.2:8080/healthz": context deadline exceeded (Client.Timeout exceeded while awaiting headers)') &&
      events.named('Killing').map(e, e.message) == ['Container api failed liveness probe, will be restarted'] &&
      traffic.filter(r, r.outcome == 'timeout').all(r, r.time >= 22000) &&
      traffic.exists(r, r.outcome == 'timeout') &&
      traffic.filter(r, r.time > 65000).all(r, r.outcome == 'ok') &&
      pods[0].status.containerStatuses[0].restartCount == 1
      """
    And the trace matches the golden file

  Scenario: A startup probe holds the other probes back while a slow application starts
    The application takes four probes to come up. Until its startup probe
    passes, the container is not started and its readiness probe is not
    run; then readiness is probed from the next tick. A startup probe that
    fails failureThreshold times in a row has the container restarted, as
    liveness does: here the second one allows only three.

    Given the application in image "legacy:7" fails its startup probe the first 4 times
    And "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: legacy
      spec:
        containers:
        - name: app
          image: legacy:7
          startupProbe:
            httpGet:
              path: /started
              port: 8080
            periodSeconds: 5
            failureThreshold: 10
          readinessProbe:
            httpGet:
              path: /ready
              port: 8080
            periodSeconds: 5
      ---
      apiVersion: v1
      kind: Pod
      metadata:
        name: impatient
      spec:
        containers:
        - name: app
          image: legacy:7
          startupProbe:
            httpGet:
              path: /started
              port: 8080
            periodSeconds: 5
            failureThreshold: 3
      """
    And 40s pass
    Then all containers of pod "legacy" are ready
    And the trace satisfies:
      """cel
      events.filter(e, e.reason == 'Unhealthy' && e.object == 'pod/default/legacy{app}').size() == 4 &&
      events.filter(e, e.reason == 'Unhealthy').all(e, e.message == 'Startup probe failed: HTTP probe failed with statuscode: 503') &&
      events.exists(e, e.reason == 'Killing' && e.object == 'pod/default/impatient{app}' && e.message == 'Container app failed startup probe, will be restarted') &&
      pods.exists(p, p.metadata.name == 'impatient' && p.status.containerStatuses[0].restartCount >= 1 && !p.status.containerStatuses[0].started)
      """

  Scenario Outline: A rollout whose new pods never pass their readiness probe stalls where maxUnavailable lets it
    The new version answers its readiness probe 503 from the start. Its
    pods run but are never ready, so they count as unavailable: the
    Deployment controller takes old pods away only as far as maxUnavailable
    allows, and reports ProgressDeadlineExceeded once progressDeadlineSeconds
    pass without progress. The old pods keep serving, and the one taken
    away drains its requests: it stops accepting only 3s after SIGTERM.

    Given the registry serves images:
      | image      | stops accepting after SIGTERM | exits after SIGTERM |
      | shop:1     | 3s                            | 3s                  |
    And the application in image "shop:2" fails its readiness probe from 0s
    And "admin" applies:
      """yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: shop
      spec:
        replicas: 4
        progressDeadlineSeconds: 60
        strategy:
          rollingUpdate:
            maxUnavailable: <maxUnavailable>
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
              image: shop:1
              ports:
              - containerPort: 8080
              readinessProbe:
                httpGet:
                  path: /healthz
                  port: 8080
                periodSeconds: 5
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
    And the cluster settles
    When "admin" runs "kubectl set image deployment/shop app=shop:2"
    And clients send 10 requests per second to service "shop" through kube-proxy on node "node01" for 90s
    And 90s pass
    Then no requests failed
    And the trace satisfies:
      """cel
      pods.filter(p, p.spec.containers[0].image == 'shop:1' && p.status.conditions.exists(c, c.type == 'Ready' && c.status == 'True')).size() == <old> &&
      pods.filter(p, p.spec.containers[0].image == 'shop:2' && p.status.phase == 'Running' && p.status.conditions.exists(c, c.type == 'Ready' && c.status == 'False')).size() == <new>
      """
    When "admin" runs "kubectl rollout status deployment shop"
    And 1s passes
    Then the trace satisfies:
      """cel
      requests.exists(r, r.verb == 'rollout status' && r.message == 'deployment "shop" exceeded its progress deadline')
      """

    Examples:
      | maxUnavailable | old | new |
      | 25%            | 3   | 2   |
      | 0              | 4   | 1   |
