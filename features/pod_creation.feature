Feature: Creating a pod
  What happens between `kubectl create -f pod.yaml` and a running pod?
  kubectl finds the resource through discovery and POSTs the manifest. The
  API server authenticates the user, authorizes the request, runs admission
  and stores the pod in etcd. The scheduler sees a pod without a node through
  its watch, filters and scores the nodes and binds the pod. The kubelet on
  that node sees the binding, asks the runtime for a sandbox (the pause
  container), asks CNI for an IP, pulls images, creates and starts each
  container, and reports the pod's IP and readiness back to the API server.

  Background:
    Given a cluster with nodes:
      | name   | cpu | memory |
      | node01 | 2   | 4Gi    |
      | node02 | 2   | 4Gi    |

  Scenario: An admin creates the pod-demo nginx pod
    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: pod-demo
      spec:
        containers:
        - name: nginx
          image: nginx
          ports:
          - containerPort: 80
      """
    And the cluster settles
    Then every request was accepted
    And pod "pod-demo" is Running
    And pod "pod-demo" is on node "node01"
    And pod "pod-demo" has an IP in 10.244.0.0/24
    And all containers of pod "pod-demo" are ready
    And the trace satisfies:
      """cel
      events.before('Scheduled', 'Pulling') &&
      events.before('run-sandbox', 'Created') &&
      events.before('cni-add', 'Pulling') &&
      events.first('cni-add') < events.filter(e, e.action == 'status' && e.message.contains('podIP'))[0].seq
      """
    And the trace matches the golden file

  Scenario: A pod with two containers starts them one after the other
    kuberuntime's SyncPod walks the containers in order: it pulls, creates
    and starts the first before it even asks for the second image.

    Given the registry serves images:
      | image      | size     | pull   |
      | nginx:1.27 | 72188133 | 2s     |
      | redis:7.4  | 45Mi     | 1500ms |
    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: web-cache
      spec:
        containers:
        - name: nginx
          image: nginx:1.27
        - name: redis
          image: redis:7.4
      """
    And the cluster settles
    Then pod "web-cache" is Running
    And all containers of pod "web-cache" are ready
    And the trace satisfies:
      """cel
      events.named('Started').size() == 2 &&
      events.named('Created').map(e, e.object) == ['pod/default/web-cache{nginx}', 'pod/default/web-cache{redis}'] &&
      events.named('Pulled')[1].message.contains('in 1.5s (1.5s including waiting)') &&
      events.first('Started') < events.last('Pulling')
      """
    And the trace matches the golden file

  # ServiceAccount admission adds a third volume to every pod: the projected
  # kube-api-access-XXXXX token volume.
  Scenario: A pod with volumes mounts them before its sandbox starts
    Given "admin" applies:
      """yaml
      apiVersion: v1
      kind: ConfigMap
      metadata:
        name: site
      data:
        index.html: hello
      ---
      apiVersion: v1
      kind: Pod
      metadata:
        name: site
      spec:
        volumes:
        - name: content
          configMap:
            name: site
        - name: cache
          emptyDir: {}
        containers:
        - name: nginx
          image: nginx:1.27
          volumeMounts:
          - name: content
            mountPath: /usr/share/nginx/html
          - name: cache
            mountPath: /var/cache/nginx
      """
    When the cluster settles
    Then pod "site" is Running
    And the trace satisfies:
      """cel
      events.named('mount-volume').size() == 3 &&
      events.last('mount-volume') < events.first('run-sandbox')
      """
    And the trace matches the golden file

  Scenario: An image already on the node is not pulled again
    A tagged image defaults to imagePullPolicy IfNotPresent, so a node that
    holds it starts the container without going to the registry. Since
    v1.35 the kubelet also checks that the pod may use an image it did not
    pull for it (KubeletEnsureSecretPulledImages); a preloaded image may be
    used by every pod, and the event says so.

    Given a cluster with nodes:
      | name   | cpu | memory | images     |
      | node03 | 8   | 16Gi   | nginx:1.27 |
    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: cached
      spec:
        nodeSelector:
          kubernetes.io/hostname: node03
        containers:
        - name: nginx
          image: nginx:1.27
      """
    And the cluster settles
    Then pod "cached" is on node "node03"
    And pod "cached" is Running
    And the trace satisfies:
      """cel
      events.first('Pulling') == -1 &&
      events.named('Pulled')[0].message == 'Container image "nginx:1.27" already present on machine and can be accessed by the pod'
      """
    And the trace matches the golden file
