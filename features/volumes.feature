Feature: Persistent volumes: a claim decides when, and where, its pod can run
  A pod that mounts a PersistentVolumeClaim waits for its claim. The PV
  controller binds a claim to the smallest available volume that satisfies
  it, at once, unless the claim's StorageClass waits for the first
  consumer: then the scheduler picks the node first and only the volumes
  that node can reach count. A bound volume with node affinity (a local
  disk) pins every pod that uses it to its node. kube-scheduler's
  VolumeBinding and VolumeRestrictions plugins say why a node will not do.

  Background:
    Given a cluster with nodes:
      | name   | cpu |
      | node01 | 2   |
      | node02 | 2   |

  # No volume, no class: the claim stays Pending, and so does the pod.
  # Once an administrator adds a volume, the PV controller finds it at its
  # next resync (every 15 s) and the scheduler tries the pod again.
  @conformance
  Scenario: A pod waits for its claim to be bound
    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: PersistentVolumeClaim
      metadata:
        name: data
      spec:
        accessModes: [ReadWriteOnce]
        resources:
          requests:
            storage: 5Gi
      ---
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
    And the cluster settles
    Then pod "db" is not scheduled
    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: PersistentVolume
      metadata:
        name: nfs-10g
      spec:
        capacity:
          storage: 10Gi
        accessModes: [ReadWriteOnce, ReadWriteMany]
        nfs:
          server: nfs.example.com
          path: /exports/db
      """
    And the cluster settles
    Then pod "db" is Running
    And the trace satisfies:
      """cel
      events.exists(e, e.reason == 'FailedBinding' && e.object == 'persistentvolumeclaim/default/data' &&
        e.message == 'no persistent volumes available for this claim and no storage class is set') &&
      events.exists(e, e.reason == 'FailedScheduling' && e.message ==
        '0/2 nodes are available: pod has unbound immediate PersistentVolumeClaims. not found') &&
      events.before('FailedScheduling', 'Scheduled')
      """
    And the trace matches the golden file
    And the model's trace satisfies:
      """cel
      events.exists(e, e.action == 'bind' && e.object == 'persistentvolumeclaim/default/data' && e.time == 15000)
      """

  # A claim is created with the kubernetes.io/pvc-protection finalizer
  # (the StorageObjectInUseProtection admission plugin). Deleting it while a
  # scheduled pod uses it only marks it: the pvc-protection controller
  # removes the finalizer, and the claim goes, once no pod uses it. The
  # same controller keeps a bound claim's Unused condition (the
  # PersistentVolumeClaimUnusedSinceTime gate, beta in v1.37).
  @conformance
  Scenario: A claim in use is kept until its pod is gone
    Given the cluster already has:
      """yaml
      apiVersion: v1
      kind: PersistentVolume
      metadata:
        name: disk
      spec:
        capacity:
          storage: 10Gi
        accessModes: [ReadWriteOnce]
        nfs:
          server: nfs.example.com
          path: /exports/db
      """
    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: PersistentVolumeClaim
      metadata:
        name: data
      spec:
        accessModes: [ReadWriteOnce]
        storageClassName: ""
        resources:
          requests:
            storage: 5Gi
      ---
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
    And the cluster settles
    And "admin" runs "kubectl delete pvc data --wait=false"
    And the cluster settles
    Then pod "db" is Running
    And the trace satisfies:
      """cel
      persistentvolumeclaims.exists(c, c.metadata.name == 'data' &&
        has(c.metadata.deletionTimestamp) &&
        c.metadata.finalizers == ['kubernetes.io/pvc-protection'] &&
        c.status.conditions.exists(k, k.type == 'Unused' && k.status == 'False' &&
          k.reason == 'PodUsingPVC' && k.message == 'A pod is currently referencing this PVC'))
      """
    When "admin" runs "kubectl delete pod db"
    And the cluster settles
    Then the trace satisfies:
      """cel
      persistentvolumeclaims.size() == 0
      """
    And the trace matches the golden file

  # What the PV controller says about a claim it cannot bind depends on its
  # class: none, a missing one, one nobody provisions for, one an external
  # provisioner serves (none is installed here), one that waits for a pod.
  @conformance
  Scenario: Why a claim stays Pending, class by class
    Given the cluster already has:
      """yaml
      apiVersion: storage.k8s.io/v1
      kind: StorageClass
      metadata:
        name: manual
      provisioner: kubernetes.io/no-provisioner
      ---
      apiVersion: storage.k8s.io/v1
      kind: StorageClass
      metadata:
        name: ebs
      provisioner: ebs.csi.aws.com
      ---
      apiVersion: storage.k8s.io/v1
      kind: StorageClass
      metadata:
        name: gp2
      provisioner: kubernetes.io/aws-ebs
      ---
      apiVersion: storage.k8s.io/v1
      kind: StorageClass
      metadata:
        name: local
      provisioner: kubernetes.io/no-provisioner
      volumeBindingMode: WaitForFirstConsumer
      """
    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: PersistentVolumeClaim
      metadata:
        name: no-class
      spec:
        accessModes: [ReadWriteOnce]
        resources:
          requests:
            storage: 1Gi
      ---
      apiVersion: v1
      kind: PersistentVolumeClaim
      metadata:
        name: typo
      spec:
        storageClassName: fast
        accessModes: [ReadWriteOnce]
        resources:
          requests:
            storage: 1Gi
      ---
      apiVersion: v1
      kind: PersistentVolumeClaim
      metadata:
        name: manual
      spec:
        storageClassName: manual
        accessModes: [ReadWriteOnce]
        resources:
          requests:
            storage: 1Gi
      ---
      apiVersion: v1
      kind: PersistentVolumeClaim
      metadata:
        name: ebs
      spec:
        storageClassName: ebs
        accessModes: [ReadWriteOnce]
        resources:
          requests:
            storage: 1Gi
      ---
      apiVersion: v1
      kind: PersistentVolumeClaim
      metadata:
        name: gp2
      spec:
        storageClassName: gp2
        accessModes: [ReadWriteOnce]
        resources:
          requests:
            storage: 1Gi
      ---
      apiVersion: v1
      kind: PersistentVolumeClaim
      metadata:
        name: local
      spec:
        storageClassName: local
        accessModes: [ReadWriteOnce]
        resources:
          requests:
            storage: 1Gi
      """
    And the cluster settles
    # One event per claim, in whatever order the controller gets to them.
    Then the trace satisfies:
      """cel
      sets.equivalent(events.filter(e, e.component == 'persistentvolume-controller').map(e, e.object + ' ' + e.type + ' ' + e.reason + ': ' + e.message), [
        'persistentvolumeclaim/default/no-class Normal FailedBinding: no persistent volumes available for this claim and no storage class is set',
        'persistentvolumeclaim/default/typo Warning ProvisioningFailed: storageclass.storage.k8s.io "fast" not found',
        'persistentvolumeclaim/default/manual Warning ProvisioningFailed: no volume plugin matched name: kubernetes.io/no-provisioner',
        "persistentvolumeclaim/default/ebs Normal ExternalProvisioning: Waiting for a volume to be created either by the external provisioner 'ebs.csi.aws.com' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.",
        "persistentvolumeclaim/default/gp2 Normal ExternalProvisioning: Waiting for a volume to be created either by the external provisioner 'ebs.csi.aws.com' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.",
        'persistentvolumeclaim/default/local Normal WaitForFirstConsumer: waiting for first consumer to be created before binding'
      ])
      """
    And the trace matches the golden file

  # The "not found" at the end is not about the claim: it is what a real
  # v1.37.2 kube-scheduler appends after any PreFilter rejection (its
  # DynamicResources PostFilter finds no state of its own).
  @conformance
  Scenario: A pod whose claim does not exist is not scheduled
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
        volumes:
        - name: data
          persistentVolumeClaim:
            claimName: data
      """
    And the cluster settles
    Then pod "db" is not scheduled
    And the trace satisfies:
      """cel
      events.exists(e, e.reason == 'FailedScheduling' && e.message ==
        '0/2 nodes are available: persistentvolumeclaim "data" not found. not found')
      """
    And the trace matches the golden file

  # A local disk exists on node02 only. Its class waits for the first
  # consumer, so the claim stays Pending until the scheduler has chosen a
  # node that reaches a volume; the scheduler then binds the volume and
  # waits for the PV controller to finish the binding before it binds the
  # pod.
  @conformance
  Scenario: A local volume that waits for its first consumer decides the node
    Given the cluster already has:
      """yaml
      apiVersion: storage.k8s.io/v1
      kind: StorageClass
      metadata:
        name: local-storage
      provisioner: kubernetes.io/no-provisioner
      volumeBindingMode: WaitForFirstConsumer
      ---
      apiVersion: v1
      kind: PersistentVolume
      metadata:
        name: local-ssd-node02
      spec:
        capacity:
          storage: 100Gi
        accessModes: [ReadWriteOnce]
        storageClassName: local-storage
        local:
          path: /mnt/disks/ssd1
        nodeAffinity:
          required:
            nodeSelectorTerms:
            - matchExpressions:
              - key: kubernetes.io/hostname
                operator: In
                values: [node02]
      """
    And the scheduler explains every node
    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: PersistentVolumeClaim
      metadata:
        name: data
      spec:
        storageClassName: local-storage
        accessModes: [ReadWriteOnce]
        resources:
          requests:
            storage: 50Gi
      ---
      apiVersion: v1
      kind: Pod
      metadata:
        name: db
      spec:
        containers:
        - name: db
          image: nginx:1.27
        volumes:
        - name: data
          persistentVolumeClaim:
            claimName: data
      """
    And the cluster settles
    Then pod "db" is on node "node02"
    And pod "db" is Running
    And the trace satisfies:
      """cel
      events.exists(e, e.reason == 'WaitForFirstConsumer' && e.object == 'persistentvolumeclaim/default/data' &&
        e.message == 'waiting for first consumer to be created before binding')
      """
    And the model's trace satisfies:
      """cel
      events.exists(e, e.action == 'filter' && e.message ==
        "node01: VolumeBinding rejects: node(s) didn't find available persistent volumes to bind") &&
      events.before('WaitForFirstConsumer', 'prebind') &&
      events.first('prebind') < events.filter(e, e.action == 'bind' && e.object == 'persistentvolumeclaim/default/data')[0].seq &&
      events.filter(e, e.action == 'bind' && e.object == 'persistentvolumeclaim/default/data')[0].seq < events.first('Scheduled')
      """
    And the trace matches the golden file

  # The claim is already bound to a local volume on node02, so node01 is
  # out whatever its resources; when node02 is full, nothing is left.
  @conformance
  Scenario: A bound local volume pins its pods to its node
    Given the cluster already has:
      """yaml
      apiVersion: v1
      kind: PersistentVolume
      metadata:
        name: local-ssd-node02
      spec:
        capacity:
          storage: 100Gi
        accessModes: [ReadWriteOnce]
        local:
          path: /mnt/disks/ssd1
        nodeAffinity:
          required:
            nodeSelectorTerms:
            - matchExpressions:
              - key: kubernetes.io/hostname
                operator: In
                values: [node02]
      ---
      apiVersion: v1
      kind: PersistentVolumeClaim
      metadata:
        name: data
      spec:
        storageClassName: ""
        accessModes: [ReadWriteOnce]
        resources:
          requests:
            storage: 50Gi
      """
    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: hog
      spec:
        nodeName: node02
        containers:
        - name: app
          image: nginx:1.27
          resources:
            requests:
              cpu: 1500m
      ---
      apiVersion: v1
      kind: Pod
      metadata:
        name: db
      spec:
        containers:
        - name: db
          image: nginx:1.27
          resources:
            requests:
              cpu: "1"
        volumes:
        - name: data
          persistentVolumeClaim:
            claimName: data
      """
    And the cluster settles
    Then pod "db" is not scheduled
    And the trace satisfies:
      """cel
      events.exists(e, e.reason == 'FailedScheduling' && e.message ==
        "0/2 nodes are available: 1 Insufficient cpu, 1 node(s) didn't match PersistentVolume's node affinity. preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling.")
      """
    And the trace matches the golden file

  # A ReadWriteOncePod claim can be used by a single pod in the whole
  # cluster: a second pod waits, on every node, until the first is gone.
  @conformance
  Scenario: A ReadWriteOncePod claim serves one pod at a time
    Given the cluster already has:
      """yaml
      apiVersion: v1
      kind: PersistentVolume
      metadata:
        name: nfs-10g
      spec:
        capacity:
          storage: 10Gi
        accessModes: [ReadWriteOncePod]
        nfs:
          server: nfs.example.com
          path: /exports/queue
      ---
      apiVersion: v1
      kind: PersistentVolumeClaim
      metadata:
        name: queue
      spec:
        storageClassName: ""
        accessModes: [ReadWriteOncePod]
        resources:
          requests:
            storage: 10Gi
      """
    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: worker-a
      spec:
        containers:
        - name: app
          image: nginx:1.27
        volumes:
        - name: queue
          persistentVolumeClaim:
            claimName: queue
      """
    And the cluster settles
    And "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: worker-b
      spec:
        containers:
        - name: app
          image: nginx:1.27
        volumes:
        - name: queue
          persistentVolumeClaim:
            claimName: queue
      """
    And the cluster settles
    Then pod "worker-a" is Running
    And pod "worker-b" is not scheduled
    And the trace satisfies:
      """cel
      events.exists(e, e.reason == 'FailedScheduling' && e.object == 'pod/default/worker-b' && e.message ==
        '0/2 nodes are available: 2 node(s) unavailable due to PersistentVolumeClaim with ReadWriteOncePod access mode already in-use by another pod. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.')
      """
    When "admin" runs "kubectl delete pod worker-a"
    And the cluster settles
    Then pod "worker-b" is Running
    And the trace matches the golden file

  Scenario: A claim of a class whose CSI driver is installed gets a volume at once
    With volumeBindingMode Immediate the PV controller hands the claim to
    the driver as soon as it is created: the external-provisioner creates
    pvc-<claim UID>, sized, moded and reclaimed as the claim and class say,
    and the PV controller binds the two.

    Given the CSI driver "ebs.csi.aws.com" provisions volumes
    When "admin" applies:
      """yaml
      apiVersion: storage.k8s.io/v1
      kind: StorageClass
      metadata:
        name: gp3
      provisioner: ebs.csi.aws.com
      reclaimPolicy: Retain
      ---
      apiVersion: v1
      kind: PersistentVolumeClaim
      metadata:
        name: data
      spec:
        accessModes: [ReadWriteOnce]
        storageClassName: gp3
        resources:
          requests: {storage: 5Gi}
      """
    And 5s pass
    Then the trace satisfies:
      """cel
      persistentvolumeclaims[0].status.phase == 'Bound'
      && persistentvolumeclaims[0].spec.volumeName == 'pvc-' + persistentvolumeclaims[0].metadata.uid
      && persistentvolumes.size() == 1 && persistentvolumes[0].status.phase == 'Bound'
      && persistentvolumes[0].spec.persistentVolumeReclaimPolicy == 'Retain'
      && persistentvolumes[0].spec.capacity.storage == '5Gi'
      && persistentvolumes[0].metadata.annotations['pv.kubernetes.io/provisioned-by'] == 'ebs.csi.aws.com'
      && !has(persistentvolumes[0].spec.nodeAffinity)
      && events.filter(e, e.object == 'persistentvolumeclaim/default/data' && e.reason != '').map(e, e.reason) ==
        ['ExternalProvisioning', 'Provisioning', 'ProvisioningSucceeded']
      """
    And the trace matches the golden file
