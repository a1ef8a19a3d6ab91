Feature: ResourceQuota rejects what a namespace cannot afford
  The quota controller fills a quota's status; from then on ResourceQuota
  admission charges every pod to it at create time and rejects one that
  would go over, naming only the resources it exceeds.

  Background:
    Given a cluster with nodes:
      | name   | cpu |
      | node01 | 8   |
    And the cluster already has:
      """yaml
      apiVersion: v1
      kind: Namespace
      metadata:
        name: shop
      ---
      apiVersion: v1
      kind: ResourceQuota
      metadata:
        name: compute
        namespace: shop
      spec:
        hard:
          requests.cpu: "1"
          pods: "2"
      """

  @conformance
  Scenario: A pod that would take requests.cpu over the quota is rejected
    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: small
        namespace: shop
      spec:
        containers:
        - name: app
          image: nginx:1.27
          resources:
            requests:
              cpu: 600m
      ---
      apiVersion: v1
      kind: Pod
      metadata:
        name: big
        namespace: shop
      spec:
        containers:
        - name: app
          image: nginx:1.27
          resources:
            requests:
              cpu: 500m
      """
    And the cluster settles
    Then the request was rejected with code 403 and message:
      """
      pods "big" is forbidden: exceeded quota: compute, requested: requests.cpu=500m, used: requests.cpu=600m, limited: requests.cpu=1
      """
    And pod "shop/small" is Running
    And the trace matches the golden file

  @conformance
  Scenario: The pod count is a quota too
    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: one
        namespace: shop
      spec:
        containers:
        - name: app
          image: nginx:1.27
          resources:
            requests:
              cpu: 100m
      ---
      apiVersion: v1
      kind: Pod
      metadata:
        name: two
        namespace: shop
      spec:
        containers:
        - name: app
          image: nginx:1.27
          resources:
            requests:
              cpu: 100m
      ---
      apiVersion: v1
      kind: Pod
      metadata:
        name: three
        namespace: shop
      spec:
        containers:
        - name: app
          image: nginx:1.27
          resources:
            requests:
              cpu: 100m
      """
    And the cluster settles
    Then the request was rejected with code 403 and message:
      """
      pods "three" is forbidden: exceeded quota: compute, requested: pods=1, used: pods=2, limited: pods=2
      """

  @conformance
  Scenario: A quota on requests.cpu requires every container to state it
    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: vague
        namespace: shop
      spec:
        containers:
        - name: nginx
          image: nginx:1.27
      """
    And the cluster settles
    Then the request was rejected with code 403 and message:
      """
      pods "vague" is forbidden: failed quota: compute: must specify requests.cpu for: nginx
      """

  Scenario: A quota created a moment before a pod is not enforced yet
    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: ResourceQuota
      metadata:
        name: tiny
        namespace: default
      spec:
        hard:
          pods: "0"
      ---
      apiVersion: v1
      kind: Pod
      metadata:
        name: early
      spec:
        containers:
        - name: app
          image: nginx:1.27
      """
    And the cluster settles
    Then every request was accepted
    And the trace satisfies:
      """cel
      events.exists(e, e.action == 'request' && e.message.contains('/resourcequotas/tiny/status as "system:serviceaccount:kube-system:resourcequota-controller": 200 OK'))
      """
    And the trace matches the golden file

  # The quota controller recounts when a pod finishes: a deleted pod stops
  # counting once its kubelet reports it terminated, before it leaves etcd.
  @conformance
  Scenario: Deleting a pod gives its quota back
    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: first
        namespace: shop
      spec:
        containers:
        - name: app
          image: nginx:1.27
          resources:
            requests:
              cpu: 800m
      """
    And the cluster settles
    And "admin" runs "kubectl delete pod first -n shop"
    And the cluster settles
    And "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: second
        namespace: shop
      spec:
        containers:
        - name: app
          image: nginx:1.27
          resources:
            requests:
              cpu: 800m
      """
    And the cluster settles
    Then every request was accepted
    And pod "shop/second" is Running
    And the model's trace satisfies:
      """cel
      events.exists(e, e.action == 'request' &&
        e.message.startsWith('PUT /api/v1/namespaces/shop/resourcequotas/compute/status')) &&
      events.exists(e, e.object == 'pod/shop/second' &&
        e.message == 'ResourceQuota (validating): admitted: charged pods=1,requests.cpu=800m to quota compute')
      """
    And the trace matches the golden file

  @conformance
  Scenario: A quota on limits.cpu with no LimitRange to default them rejects a pod without limits
    Given the cluster already has:
      """yaml
      apiVersion: v1
      kind: ResourceQuota
      metadata:
        name: ceilings
        namespace: shop
      spec:
        hard:
          limits.cpu: "2"
      """
    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: unbounded
        namespace: shop
      spec:
        containers:
        - name: app
          image: nginx:1.27
          resources:
            requests:
              cpu: 100m
      """
    And the cluster settles
    Then the request was rejected with code 403 and message:
      """
      pods "unbounded" is forbidden: failed quota: ceilings: must specify limits.cpu for: app
      """
