Feature: When the image cannot be pulled
  A typo in a tag, a private registry without credentials, a registry that
  is down: the kubelet cannot start the container. It reports ErrImagePull
  with the container runtime's error, then ImagePullBackOff while it waits,
  and pulls again after a back-off that starts at 10s and doubles up to
  300s, kept per pod and image (pkg/kubelet/images/image_manager.go). The
  pod stays Pending, its other containers run, and it never becomes ready.
  The error text is the runtime's; podlife words it as containerd v2 does.

  Background:
    Given a cluster with nodes:
      | name   | cpu | memory |
      | node01 | 2   | 4Gi    |

  Scenario: A wrong tag backs off, and the kubelet pulls again 10s, 20s and 40s after a failure
    The first pull fails with ErrImagePull. The PLEG's next relist reports
    the new sandbox, and the sync it triggers finds the image in back-off:
    the container waits in ImagePullBackOff. The pod worker syncs again
    every 10s; a sync that finds the back-off over pulls again, and each
    failure doubles the back-off. (The pod worker adds up to 50% jitter to
    its 10s; podlife takes the least, so the retries fall on the back-off's
    end.)

    Given the registry does not have image "nginx:1.277"
    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: typo
      spec:
        containers:
        - name: web
          image: nginx:1.277
      """
    And 2m pass
    Then pod "typo" is Pending
    And the trace satisfies:
      """cel
      events.named('Pulling').size() == 4 &&
      events.named('Pulling')[1].time - events.filter(e, e.message.startsWith('Failed to pull'))[0].time > 10000 &&
      events.named('Pulling')[2].time - events.filter(e, e.message.startsWith('Failed to pull'))[1].time == 20000 &&
      events.named('Pulling')[3].time - events.filter(e, e.message.startsWith('Failed to pull'))[2].time == 40000 &&
      events.exists(e, e.reason == 'Failed' && e.message == 'Failed to pull image "nginx:1.277": rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/nginx:1.277": failed to resolve reference "docker.io/library/nginx:1.277": docker.io/library/nginx:1.277: not found') &&
      events.named('BackOff').all(e, e.type == 'Normal' && e.message == 'Back-off pulling image "nginx:1.277"') &&
      pods.all(p, p.status.containerStatuses[0].state.waiting.reason in ['ErrImagePull', 'ImagePullBackOff'])
      """
    And the trace matches the golden file

  Scenario: While it backs off, the container says why it waits
    The waiting message of ImagePullBackOff carries the last pull's error,
    so `kubectl describe pod` shows what went wrong even between pulls.
    The kubelet writes a pod's status at the start of each sync, before it
    acts: the reason a sync finds shows in the status of the next one,
    here the sync 10s after the first back-off.

    Given the registry refuses without credentials image "registry.example.com/shop/api:2.0"
    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: api
      spec:
        containers:
        - name: api
          image: registry.example.com/shop/api:2.0
      """
    And 15s pass
    Then the trace satisfies:
      """cel
      pods.all(p, p.status.containerStatuses[0].state.waiting.reason == 'ImagePullBackOff' &&
        p.status.containerStatuses[0].state.waiting.message == 'Back-off pulling image "registry.example.com/shop/api:2.0": ErrImagePull: rpc error: code = Unknown desc = failed to pull and unpack image "registry.example.com/shop/api:2.0": failed to resolve reference "registry.example.com/shop/api:2.0": pulling from host registry.example.com failed with status code [manifests 2.0]: 401 Unauthorized') &&
      events.named('Failed').map(e, e.message).exists(m, m == 'Error: ErrImagePull') &&
      events.named('Failed').map(e, e.message).exists(m, m == 'Error: ImagePullBackOff')
      """
    And podlife explains pod "api" as:
      """
      pod default/api: Pending, not Ready
      - container "api" is waiting: ImagePullBackOff: Back-off pulling image "registry.example.com/shop/api:2.0": ErrImagePull: rpc error: code = Unknown desc = failed to pull and unpack image "registry.example.com/shop/api:2.0": failed to resolve reference "registry.example.com/shop/api:2.0": pulling from host registry.example.com failed with status code [manifests 2.0]: 401 Unauthorized
          status.containerStatuses[api].state.waiting.reason: ImagePullBackOff
          event at 11.400s from kubelet/node01: Warning Failed: Failed to pull image "registry.example.com/shop/api:2.0": rpc error: code = Unknown desc = failed to pull and unpack image "registry.example.com/shop/api:2.0": failed to resolve reference "registry.example.com/shop/api:2.0": pulling from host registry.example.com failed with status code [manifests 2.0]: 401 Unauthorized (x2)
          event at 1.000s from kubelet/node01: Normal BackOff: Back-off pulling image "registry.example.com/shop/api:2.0"
      """

  Scenario: The tag is pushed, and the next pull after the back-off starts the pod
    The kubelet does not watch the registry: the pod starts at the first
    pull after the image appears, when the back-off allows one.

    Given the registry cannot be reached for image "ghcr.io/acme/web:1.0"
    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: web
      spec:
        containers:
        - name: web
          image: ghcr.io/acme/web:1.0
      """
    And 15s pass
    And the registry starts serving image "ghcr.io/acme/web:1.0"
    And the cluster settles
    Then pod "web" is Pending
    When 30s pass
    Then pod "web" is Running
    And all containers of pod "web" are ready
    And the trace satisfies:
      """cel
      events.named('Pulling').size() == 3 &&
      events.named('Pulled').size() == 1 &&
      events.last('Pulled') > events.last('Pulling') &&
      events.exists(e, e.message.endsWith('failed to do request: Head "https://ghcr.io/v2/acme/web/manifests/1.0": dial tcp: lookup ghcr.io: i/o timeout'))
      """

  Scenario Outline: A rollout to a missing tag stalls; the old pods that maxUnavailable protects keep serving
    The new ReplicaSet's pods never become ready, so the Deployment
    controller takes old pods away only as far as maxUnavailable allows,
    and after progressDeadlineSeconds without progress it reports
    ProgressDeadlineExceeded. Clients of the Service see no failure: the
    pods left serving are ready the whole time, and the one taken away
    stops accepting only 3s after SIGTERM, when kube-proxy has let it go.

    Given the registry serves images:
      | image      | stops accepting after SIGTERM | exits after SIGTERM |
      | nginx:1.27 | 3s                            | 3s                  |
    And the registry does not have image "nginx:1.277"
    And "admin" applies:
      """yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: web
      spec:
        replicas: 4
        progressDeadlineSeconds: 60
        strategy:
          rollingUpdate:
            maxUnavailable: <maxUnavailable>
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
    When "admin" runs "kubectl set image deployment/web app=nginx:1.277"
    And clients send 10 requests per second to service "web" through kube-proxy on node "node01" for 90s
    And 90s pass
    Then no requests failed
    And the trace satisfies:
      """cel
      pods.filter(p, p.spec.containers[0].image == 'nginx:1.27' && p.status.conditions.exists(c, c.type == 'Ready' && c.status == 'True')).size() == <old>
      """
    And the trace satisfies:
      """cel
      pods.filter(p, p.spec.containers[0].image == 'nginx:1.277' && p.status.containerStatuses[0].state.waiting.reason in ['ErrImagePull', 'ImagePullBackOff']).size() == <new>
      """
    When "admin" runs "kubectl rollout status deployment web"
    And 1s passes
    Then the trace satisfies:
      """cel
      requests.exists(r, r.verb == 'rollout status' && r.code == 0 && r.message == 'deployment "web" exceeded its progress deadline')
      """

    Examples:
      | maxUnavailable | old | new |
      | 25%            | 3   | 2   |
      | 0              | 4   | 1   |
