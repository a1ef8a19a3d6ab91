Feature: A StatefulSet gives each pod a name, an address and a disk of its own
  The StatefulSet controller names its pods <set>-0, <set>-1, ... and gives
  each the hostname of its name and the governing headless Service as
  subdomain, so that <pod>.<service>.<namespace>.svc.cluster.local finds it.
  Under the default OrderedReady policy it creates one pod at a time, each
  only once every lower ordinal is Running and Ready, and scales down from
  the highest ordinal, one pod at a time, each only once the one before is
  gone; Parallel does both at once. Each volumeClaimTemplate becomes a claim
  per pod, <template>-<set>-<ordinal>, created before the pod and kept after
  it unless persistentVolumeClaimRetentionPolicy says Delete. A CSI driver's
  provisioner, when one is installed, gives each claim its volume. A
  changed template is a new ControllerRevision, rolled out from the
  highest ordinal down to the partition; the pods' controller-revision-hash
  label says which revision each runs.

  Background:
    Given a cluster with nodes:
      | name   |
      | node01 |

  @conformance
  Scenario: Three replicas come up one at a time, in ordinal order, each with its own DNS name
    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: Service
      metadata:
        name: web
      spec:
        clusterIP: None
        selector: {app: web}
        ports:
        - {name: http, port: 80}
      ---
      apiVersion: apps/v1
      kind: StatefulSet
      metadata:
        name: web
      spec:
        serviceName: web
        replicas: 3
        selector:
          matchLabels: {app: web}
        template:
          metadata:
            labels: {app: web}
          spec:
            containers:
            - name: nginx
              image: registry.k8s.io/nginx-slim:0.8
              ports:
              - {name: http, containerPort: 80}
      """
    And 15s pass
    Then every request was accepted
    And the trace satisfies:
      """cel
      events.filter(e, e.object == 'statefulset/default/web' && e.reason == 'SuccessfulCreate').map(e, e.message) ==
        ['Create Pod web-0 in StatefulSet web successful', 'Create Pod web-1 in StatefulSet web successful', 'Create Pod web-2 in StatefulSet web successful']
      && pods.map(p, p.metadata.name) == ['web-0', 'web-1', 'web-2']
      && pods.all(p, p.spec.hostname == p.metadata.name && p.spec.subdomain == 'web' && p.status.phase == 'Running'
        && p.metadata.labels['statefulset.kubernetes.io/pod-name'] == p.metadata.name
        && p.metadata.labels['apps.kubernetes.io/pod-index'] == p.metadata.name.substring(4)
        && p.metadata.labels['controller-revision-hash'] == 'web-544859b6bf')
      && statefulsets[0].status.readyReplicas == 3 && statefulsets[0].status.currentReplicas == 3
      && statefulsets[0].status.currentRevision == 'web-544859b6bf' && statefulsets[0].status.updateRevision == 'web-544859b6bf'
      && endpointslices.filter(s, s.metadata.labels['kubernetes.io/service-name'] == 'web')
        .all(s, s.endpoints.map(e, e.hostname).sort() == ['web-0', 'web-1', 'web-2'])
      """
    And the trace matches the golden file

  Scenario: OrderedReady waits for each pod to be Ready before it creates the next
    web-0's readiness probe fails for its first 20 seconds: web-1 is not
    created until web-0 is Ready.

    Given the application in image "registry.k8s.io/nginx-slim:0.8" fails its readiness probe from 0s to 20s
    When "admin" applies:
      """yaml
      apiVersion: apps/v1
      kind: StatefulSet
      metadata:
        name: web
      spec:
        serviceName: web
        replicas: 2
        selector:
          matchLabels: {app: web}
        template:
          metadata:
            labels: {app: web}
          spec:
            containers:
            - name: nginx
              image: registry.k8s.io/nginx-slim:0.8
              readinessProbe:
                httpGet: {path: /, port: 80}
                periodSeconds: 5
      """
    And 40s pass
    Then the trace satisfies:
      """cel
      events.filter(e, e.object == 'statefulset/default/web' && e.reason == 'SuccessfulCreate').size() == 2
      && events.filter(e, e.object == 'statefulset/default/web' && e.reason == 'SuccessfulCreate')[1].time >= 20000
      && pods.all(p, p.status.phase == 'Running')
      """
    And the trace matches the golden file

  @conformance
  Scenario: Scaling down removes the highest ordinal first, one pod at a time
    When "admin" applies:
      """yaml
      apiVersion: apps/v1
      kind: StatefulSet
      metadata:
        name: web
      spec:
        serviceName: web
        replicas: 3
        selector:
          matchLabels: {app: web}
        template:
          metadata:
            labels: {app: web}
          spec:
            terminationGracePeriodSeconds: 3
            containers:
            - name: nginx
              image: registry.k8s.io/nginx-slim:0.8
      """
    And 15s pass
    And "admin" runs "kubectl scale statefulset web --replicas=1"
    And 20s pass
    Then the trace satisfies:
      """cel
      events.filter(e, e.object == 'statefulset/default/web' && e.reason == 'SuccessfulDelete').map(e, e.message) ==
        ['Delete Pod web-2 in StatefulSet web successful', 'Delete Pod web-1 in StatefulSet web successful']
      && pods.map(p, p.metadata.name) == ['web-0']
      && statefulsets[0].status.replicas == 1 && statefulsets[0].status.readyReplicas == 1
      """
    And the trace matches the golden file

  @conformance
  Scenario: Parallel creates every pod at once
    When "admin" applies:
      """yaml
      apiVersion: apps/v1
      kind: StatefulSet
      metadata:
        name: workers
      spec:
        serviceName: workers
        podManagementPolicy: Parallel
        replicas: 3
        selector:
          matchLabels: {app: workers}
        template:
          metadata:
            labels: {app: workers}
          spec:
            containers:
            - name: worker
              image: busybox:1.36
      """
    And 10s pass
    Then every request was accepted
    And the trace satisfies:
      """cel
      events.filter(e, e.object == 'statefulset/default/workers' && e.reason == 'SuccessfulCreate').size() == 3
      && pods.map(p, p.metadata.name) == ['workers-0', 'workers-1', 'workers-2']
      && pods.all(p, p.status.phase == 'Running')
      """
    And the trace matches the golden file

  @conformance
  Scenario: Each pod gets its own claim, and waits until the claim is bound
    The controller creates data-db-0 before db-0; with no volume to bind
    it to, the scheduler leaves db-0 pending. A volume added later binds,
    and db-0 starts.

    When "admin" applies:
      """yaml
      apiVersion: apps/v1
      kind: StatefulSet
      metadata:
        name: db
      spec:
        serviceName: db
        replicas: 1
        selector:
          matchLabels: {app: db}
        template:
          metadata:
            labels: {app: db}
          spec:
            containers:
            - name: postgres
              image: postgres:17
              volumeMounts:
              - {name: data, mountPath: /var/lib/postgresql/data}
        volumeClaimTemplates:
        - metadata:
            name: data
          spec:
            accessModes: [ReadWriteOnce]
            storageClassName: ""
            resources:
              requests: {storage: 1Gi}
      """
    And 5s pass
    Then the trace satisfies:
      """cel
      events.filter(e, e.object == 'statefulset/default/db' && e.reason == 'SuccessfulCreate').map(e, e.message) ==
        ['Create Claim data-db-0 Pod db-0 in StatefulSet db success', 'Create Pod db-0 in StatefulSet db successful']
      && events.exists(e, e.reason == 'FailedScheduling' && e.object == 'pod/default/db-0'
        && e.message.startsWith('0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims.'))
      && persistentvolumeclaims.map(c, c.metadata.name) == ['data-db-0']
      && persistentvolumeclaims[0].metadata.labels == {'app': 'db'}
      && pods[0].spec.volumes.exists(v, v.name == 'data' && v.persistentVolumeClaim.claimName == 'data-db-0')
      && pods[0].status.phase == 'Pending'
      """
    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: PersistentVolume
      metadata:
        name: disk-1
      spec:
        capacity: {storage: 1Gi}
        accessModes: [ReadWriteOnce]
        hostPath: {path: /data/disk-1}
      """
    And 30s pass
    Then the trace satisfies:
      """cel
      persistentvolumeclaims[0].status.phase == 'Bound' && pods[0].status.phase == 'Running'
      """
    And the trace matches the golden file

  @conformance
  Scenario: A rolling update with a partition replaces only the pods at or above it
    With partition 2, the new template reaches web-2 only: web-0 and web-1
    stay at the current revision until the partition is lowered.

    When "admin" applies:
      """yaml
      apiVersion: apps/v1
      kind: StatefulSet
      metadata:
        name: web
      spec:
        serviceName: web
        replicas: 3
        updateStrategy:
          type: RollingUpdate
          rollingUpdate:
            partition: 2
        selector:
          matchLabels: {app: web}
        template:
          metadata:
            labels: {app: web}
          spec:
            terminationGracePeriodSeconds: 3
            containers:
            - name: nginx
              image: registry.k8s.io/nginx-slim:0.8
      """
    And 15s pass
    And "admin" runs "kubectl set image statefulset/web nginx=registry.k8s.io/nginx-slim:0.9"
    And 20s pass
    Then the trace satisfies:
      """cel
      events.filter(e, e.object == 'statefulset/default/web' && e.reason == 'SuccessfulDelete').map(e, e.message) ==
        ['Delete Pod web-2 in StatefulSet web successful']
      && pods.map(p, p.spec.containers[0].image) ==
        ['registry.k8s.io/nginx-slim:0.8', 'registry.k8s.io/nginx-slim:0.8', 'registry.k8s.io/nginx-slim:0.9']
      && pods[2].metadata.labels['controller-revision-hash'] == statefulsets[0].status.updateRevision
      && pods[0].metadata.labels['controller-revision-hash'] == statefulsets[0].status.currentRevision
      && statefulsets[0].status.currentRevision != statefulsets[0].status.updateRevision
      && statefulsets[0].status.currentReplicas == 2 && statefulsets[0].status.updatedReplicas == 1
      """
    When "admin" runs "kubectl rollout status statefulset/web"
    And the cluster settles
    Then kubectl printed:
      """
      partitioned roll out complete: 1 new pods have been updated...
      """
    And the trace matches the golden file

  @conformance
  Scenario: whenScaled and whenDeleted Delete take the claims with the pods and the set
    persistentVolumeClaimRetentionPolicy makes the pod that is scaled away
    the owner of its claims, and the set the owner of the others, so the
    garbage collector deletes them with their owner. The default, Retain,
    keeps every claim.

    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: PersistentVolume
      metadata:
        name: disk-1
      spec:
        capacity: {storage: 1Gi}
        accessModes: [ReadWriteOnce]
        hostPath: {path: /data/disk-1}
      ---
      apiVersion: v1
      kind: PersistentVolume
      metadata:
        name: disk-2
      spec:
        capacity: {storage: 1Gi}
        accessModes: [ReadWriteOnce]
        hostPath: {path: /data/disk-2}
      ---
      apiVersion: apps/v1
      kind: StatefulSet
      metadata:
        name: db
      spec:
        serviceName: db
        replicas: 2
        persistentVolumeClaimRetentionPolicy:
          whenScaled: Delete
          whenDeleted: Delete
        selector:
          matchLabels: {app: db}
        template:
          metadata:
            labels: {app: db}
          spec:
            terminationGracePeriodSeconds: 3
            containers:
            - name: postgres
              image: postgres:17
              volumeMounts:
              - {name: data, mountPath: /var/lib/postgresql/data}
        volumeClaimTemplates:
        - metadata:
            name: data
          spec:
            accessModes: [ReadWriteOnce]
            storageClassName: ""
            resources:
              requests: {storage: 1Gi}
      """
    And 20s pass
    Then the trace satisfies:
      """cel
      pods.all(p, p.status.phase == 'Running') && pods.size() == 2
      && persistentvolumeclaims.all(c, c.status.phase == 'Bound'
        && c.metadata.ownerReferences.map(r, r.kind + '/' + r.name) == ['StatefulSet/db'])
      """
    When "admin" runs "kubectl scale statefulset db --replicas=1"
    And 20s pass
    Then the trace satisfies:
      """cel
      pods.map(p, p.metadata.name) == ['db-0']
      && persistentvolumeclaims.map(c, c.metadata.name) == ['data-db-0']
      """
    When "admin" runs "kubectl delete statefulset db --wait=false"
    And 20s pass
    Then the trace satisfies:
      """cel
      pods.size() == 0 && persistentvolumeclaims.size() == 0
      """
    And the trace matches the golden file

  Scenario: With a CSI driver installed, each pod's claim gets a volume in the zone it is scheduled to
    The StorageClass waits for the first consumer: the scheduler picks each
    pod's node first and writes it on the claim, the PV controller hands
    the claim to the driver's external-provisioner, which creates
    pvc-<claim UID> in that node's zone; only then is the pod bound.

    Given a cluster with nodes:
      | name   | labels                                 |
      | node02 | topology.kubernetes.io/zone=eu-west-1b |
    And the CSI driver "ebs.csi.aws.com" provisions volumes
    When "admin" applies:
      """yaml
      apiVersion: storage.k8s.io/v1
      kind: StorageClass
      metadata:
        name: gp3
      provisioner: ebs.csi.aws.com
      volumeBindingMode: WaitForFirstConsumer
      parameters:
        type: gp3
      ---
      apiVersion: apps/v1
      kind: StatefulSet
      metadata:
        name: db
      spec:
        serviceName: db
        replicas: 2
        selector:
          matchLabels: {app: db}
        template:
          metadata:
            labels: {app: db}
          spec:
            nodeSelector:
              topology.kubernetes.io/zone: eu-west-1b
            containers:
            - name: postgres
              image: postgres:17
              volumeMounts:
              - {name: data, mountPath: /var/lib/postgresql/data}
        volumeClaimTemplates:
        - metadata:
            name: data
          spec:
            accessModes: [ReadWriteOnce]
            storageClassName: gp3
            resources:
              requests: {storage: 10Gi}
      """
    And 30s pass
    Then the trace satisfies:
      """cel
      pods.all(p, p.status.phase == 'Running')
      && persistentvolumeclaims.all(c, c.status.phase == 'Bound' && c.spec.volumeName == 'pvc-' + c.metadata.uid
        && c.metadata.annotations['volume.kubernetes.io/storage-provisioner'] == 'ebs.csi.aws.com'
        && c.metadata.annotations['volume.kubernetes.io/selected-node'] == 'node02')
      && persistentvolumes.all(v, v.spec.csi.driver == 'ebs.csi.aws.com' && v.spec.storageClassName == 'gp3'
        && v.spec.persistentVolumeReclaimPolicy == 'Delete' && v.spec.capacity.storage == '10Gi'
        && v.spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].values == ['eu-west-1b'])
      && events.filter(e, e.reason == 'ProvisioningSucceeded').map(e, e.component) == ['ebs.csi.aws.com', 'ebs.csi.aws.com']
      && events.exists(e, e.object == 'persistentvolumeclaim/default/data-db-0' && e.reason == 'Provisioning'
        && e.message == 'External provisioner is provisioning volume for claim "default/data-db-0"')
      """
    And the trace matches the golden file
