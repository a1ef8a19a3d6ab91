Feature: When a pod cannot get going: its network or an init container fails
  Before any container of a pod runs, the kubelet needs a sandbox with a
  network (the CNI plugin's ADD) and every init container to complete, in
  order. A failure at either step ends the kubelet's sync in error; the pod
  worker tries again after its back-off, and the pod stays Pending with a
  reason `kubectl get pods` shows: ContainerCreating while the sandbox
  fails, Init:Error and Init:CrashLoopBackOff while an init container does.

  Background:
    Given a cluster with nodes:
      | name   | cpu | memory |
      | node01 | 2   | 4Gi    |

  Scenario: A CNI failure is retried every 10s until the plugin recovers
    RunPodSandbox fails when the network plugin's ADD fails: the kubelet
    records FailedCreatePodSandBox (counted as it repeats) and syncs the pod
    again 10s later (pod_workers.go backOffPeriod). The third try gets an
    IP, and the pod starts.

    Given the CNI plugin on node "node01" fails the first 2 times
    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: web
      spec:
        containers:
        - name: web
          image: nginx:1.27
      """
    And 30s pass
    Then pod "web" is Running
    And the trace satisfies:
      """cel
      events.named('FailedCreatePodSandBox').size() == 2 &&
      events.named('FailedCreatePodSandBox')[1].count == 2 &&
      events.named('FailedCreatePodSandBox')[0].message == 'Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox: plugin type="bridge" failed (add): failed to set bridge addr: "cni0" already has an IP address different from 10.244.0.1/24' &&
      events.named('run-sandbox').size() == 3 &&
      events.named('FailedCreatePodSandBox')[1].time - events.named('FailedCreatePodSandBox')[0].time == 10000 + 300 + 50
      """
    And the trace matches the golden file

  Scenario: Faults can be declared in YAML, as podlife apply and explain read them
    A Faults document (apiVersion podlife.dev/v1alpha1) in the cluster's
    objects declares what the steps declare: here the CNI plugin fails
    always, and `podlife explain pod` says why the pod never starts.

    Given the cluster already has:
      """yaml
      apiVersion: podlife.dev/v1alpha1
      kind: Faults
      nodes:
      - name: node01
        cni: {fails: always}
      """
    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: web
      spec:
        containers:
        - name: web
          image: nginx:1.27
      """
    And 25s pass
    Then pod "web" is Pending
    And podlife explains pod "web" as:
      """
      pod default/web: Pending, not Ready
      - its sandbox cannot be created: the network plugin fails; the kubelet tries again every 10s
          status.conditions[PodReadyToStartContainers]: False
          event at 21.112s from kubelet/node01: Warning FailedCreatePodSandBox: Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox: plugin type="bridge" failed (add): failed to set bridge addr: "cni0" already has an IP address different from 10.244.0.1/24 (x3)
      """

  Scenario: A failing init container holds the pod in initialization and restarts with a back-off
    The init container exits 1 twice before it succeeds. Each exit is seen
    by the next relist, and the init container starts again: at once the
    first time, after the 10s back-off the second. The regular container
    starts only once the init container has completed.

    Given the application in image "migrate:2" exits with code 1 after 3s the first 2 times
    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: app
      spec:
        initContainers:
        - name: migrate
          image: migrate:2
        containers:
        - name: app
          image: nginx:1.27
      """
    And 15s pass
    Then pod "app" is Pending
    And the trace satisfies:
      """cel
      pods[0].status.initContainerStatuses[0].restartCount == 1 &&
      pods[0].status.initContainerStatuses[0].lastState.terminated.exitCode == 1 &&
      pods[0].status.conditions.exists(c, c.type == 'Initialized' && c.status == 'False' && c.message == 'containers with incomplete status: [migrate]') &&
      events.named('BackOff').all(e, e.message.startsWith('Back-off restarting failed container migrate in pod app_default('))
      """
    When 30s pass
    Then pod "app" is Running
    And the trace satisfies:
      """cel
      pods[0].status.initContainerStatuses[0].restartCount == 2 &&
      pods[0].status.initContainerStatuses[0].state.terminated.reason == 'Completed' &&
      pods[0].status.initContainerStatuses[0].ready &&
      events.named('Started').size() == 4
      """
    And the trace matches the golden file

  Scenario: With restartPolicy Never, a failing init container fails the pod
    Given the application in image "check:1" exits with code 3 after 1s
    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: once
      spec:
        restartPolicy: Never
        initContainers:
        - name: check
          image: check:1
        containers:
        - name: app
          image: nginx:1.27
      """
    And the cluster settles
    Then pod "once" is Failed
    And the trace satisfies:
      """cel
      pods[0].status.initContainerStatuses[0].state.terminated.exitCode == 3 &&
      pods[0].status.containerStatuses[0].state.waiting.reason == 'PodInitializing' &&
      events.named('Started').size() == 1
      """

  Scenario: A pod waits for its ConfigMap, and starts at the mount retry after it appears
    The volume manager retries a failed mount after 500ms, doubling up to
    2m2s; each failure is a FailedMount event (counted as it repeats). The
    kubelet's sync waits 2m3s for the pod's volumes, then gives up with
    "Unable to attach or mount volumes" and waits again 10s later. Creating
    the ConfigMap does not wake anything: the next retry mounts it, and the
    pod starts.

    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: web
      spec:
        containers:
        - name: web
          image: nginx:1.27
          volumeMounts:
          - name: config
            mountPath: /etc/web
        volumes:
        - name: config
          configMap:
            name: web-config
      """
    And 2m10s pass
    Then pod "web" is Pending
    And the trace satisfies:
      """cel
      events.exists(e, e.reason == 'FailedMount' && e.message == 'Unable to attach or mount volumes: unmounted volumes=[config], unattached volumes=[], failed to process volumes=[]: context deadline exceeded') &&
      events.filter(e, e.reason == 'FailedMount' && e.message == 'MountVolume.SetUp failed for volume "config" : configmap "web-config" not found').size() == 9 &&
      events.filter(e, e.reason == 'FailedMount' && e.message.startsWith('MountVolume'))[8].count == 9
      """
    And podlife explains pod "web" as:
      """
      pod default/web: Pending, not Ready
      - its volumes are not mounted: the kubelet keeps trying
          event at 127.562s from kubelet/node01: Warning FailedMount: MountVolume.SetUp failed for volume "config" : configmap "web-config" not found (x9)
          event at 123.082s from kubelet/node01: Warning FailedMount: Unable to attach or mount volumes: unmounted volumes=[config], unattached volumes=[], failed to process volumes=[]: context deadline exceeded
      """
    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: ConfigMap
      metadata:
        name: web-config
      data:
        listen: ":8080"
      """
    And 1m passes
    Then pod "web" is Pending
    When 70s pass
    Then pod "web" is Running
    And the trace matches the golden file

  Scenario: A CSI volume that fails to attach holds the pod until a retry attaches it
    A claim bound to a CSI volume must be attached to the pod's node first:
    the attach/detach controller creates a VolumeAttachment and waits for
    the driver's external-attacher. Here ControllerPublishVolume fails
    twice: each failure is a FailedAttachVolume event on the pod, retried
    after 500ms, then 1s. The kubelet mounts nothing until the node's
    status lists the volume as attached; then the pod starts.

    Given the CSI driver "ebs.csi.aws.com" fails to attach volumes with "rpc error: code = Internal desc = Could not attach volume \"vol-0abc\" to node \"node01\": attachment of disk failed" the first 2 times
    And the cluster already has:
      """yaml
      apiVersion: v1
      kind: PersistentVolume
      metadata:
        name: pvc-0abc
      spec:
        capacity:
          storage: 10Gi
        accessModes: [ReadWriteOnce]
        csi:
          driver: ebs.csi.aws.com
          volumeHandle: vol-0abc
        claimRef:
          namespace: default
          name: data
      status:
        phase: Bound
      ---
      apiVersion: v1
      kind: PersistentVolumeClaim
      metadata:
        name: data
      spec:
        accessModes: [ReadWriteOnce]
        volumeName: pvc-0abc
        resources:
          requests:
            storage: 10Gi
      status:
        phase: Bound
      """
    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: db
      spec:
        containers:
        - name: db
          image: nginx:1.27
          volumeMounts:
          - name: data
            mountPath: /var/lib/db
        volumes:
        - name: data
          persistentVolumeClaim:
            claimName: data
      """
    And 15s pass
    Then pod "db" is Running
    And the trace satisfies:
      """cel
      events.named('FailedAttachVolume').size() == 2 &&
      events.named('FailedAttachVolume')[0].message == 'AttachVolume.Attach failed for volume "pvc-0abc" : rpc error: code = Internal desc = Could not attach volume "vol-0abc" to node "node01": attachment of disk failed' &&
      events.named('SuccessfulAttachVolume')[0].message == 'AttachVolume.Attach succeeded for volume "pvc-0abc" ' &&
      nodes.exists(n, n.metadata.name == 'node01' && n.status.volumesAttached[0].name == 'kubernetes.io/csi/ebs.csi.aws.com^vol-0abc') &&
      events.first('SuccessfulAttachVolume') < events.filter(e, e.action == 'mount-volume' && e.message.contains('pvc-0abc'))[0].seq
      """
    And the trace matches the golden file

  Scenario: A CSI driver that never answers times out the attach, and the kubelet's wait names the volume
    The CSI attacher waits 2m for the external-attacher, then fails. The
    kubelet's own wait for the pod's volumes ends after 2m3s with the
    volume both unmounted and unattached.

    Given the CSI driver "ebs.csi.aws.com" never answers attach requests
    And the cluster already has:
      """yaml
      apiVersion: v1
      kind: PersistentVolume
      metadata:
        name: pvc-0abc
      spec:
        capacity:
          storage: 10Gi
        accessModes: [ReadWriteOnce]
        csi:
          driver: ebs.csi.aws.com
          volumeHandle: vol-0abc
        claimRef:
          namespace: default
          name: data
      status:
        phase: Bound
      ---
      apiVersion: v1
      kind: PersistentVolumeClaim
      metadata:
        name: data
      spec:
        accessModes: [ReadWriteOnce]
        volumeName: pvc-0abc
        resources:
          requests:
            storage: 10Gi
      status:
        phase: Bound
      """
    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: db
      spec:
        containers:
        - name: db
          image: nginx:1.27
          volumeMounts:
          - name: data
            mountPath: /var/lib/db
        volumes:
        - name: data
          persistentVolumeClaim:
            claimName: data
      """
    And 2m10s pass
    Then pod "db" is Pending
    And the trace satisfies:
      """cel
      events.named('FailedAttachVolume')[0].message == 'AttachVolume.Attach failed for volume "pvc-0abc" : timed out waiting for external-attacher of ebs.csi.aws.com CSI driver to attach volume vol-0abc' &&
      events.exists(e, e.reason == 'FailedMount' && e.message == 'Unable to attach or mount volumes: unmounted volumes=[data], unattached volumes=[data], failed to process volumes=[]: context deadline exceeded')
      """
    And podlife explains pod "db" as:
      """
      pod default/db: Pending, not Ready
      - a volume is not attached to its node: the attach/detach controller retries, and the kubelet mounts nothing until then
          event at 120.032s from attachdetach-controller: Warning FailedAttachVolume: AttachVolume.Attach failed for volume "pvc-0abc" : timed out waiting for external-attacher of ebs.csi.aws.com CSI driver to attach volume vol-0abc
          event at 123.082s from kubelet/node01: Warning FailedMount: Unable to attach or mount volumes: unmounted volumes=[data], unattached volumes=[data], failed to process volumes=[]: context deadline exceeded
      """
