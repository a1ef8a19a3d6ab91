Feature: kubectl apply updates what the manifest says, and only that
  `kubectl apply -f` creates what is absent and updates what exists. When
  it creates an object it keeps the manifest, as written, in the object's
  kubectl.kubernetes.io/last-applied-configuration annotation. When it
  updates, it reads the live object and sends a three-way patch: from what
  was applied last to what is applied now (a field the manifest no longer
  says is removed), over what is live (a field someone else set, and the
  manifest never said, is kept). When there is nothing to change it sends
  nothing and prints "unchanged".

  Background:
    Given a cluster with nodes:
      | name   |
      | node01 |
      | node02 |

  @conformance
  Scenario: Applying the same manifest again changes nothing
    When "admin" applies:
      """yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: web
      spec:
        replicas: 2
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
      """
    And the cluster settles
    And "admin" applies:
      """yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: web
      spec:
        replicas: 2
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
      """
    And the cluster settles
    Then kubectl printed:
      """
      deployment.apps/web unchanged
      """
    And the trace satisfies:
      """cel
      pods.size() == 2 && pods.all(p, p.status.phase == 'Running')
      """
    And the trace matches the golden file

  @conformance
  Scenario: A field the manifest drops is removed, and one it never said keeps what kubectl scale set
    When "admin" applies:
      """yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: web
      spec:
        selector:
          matchLabels:
            app: web
        template:
          metadata:
            labels:
              app: web
              tier: front
          spec:
            containers:
            - name: app
              image: nginx:1.27
              env:
              - name: MODE
                value: blue
              - name: DEBUG
                value: "1"
      """
    And the cluster settles
    And "admin" runs "kubectl scale deployment web --replicas=3"
    And the cluster settles
    And "admin" applies:
      """yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: web
      spec:
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
              image: nginx:1.28
              env:
              - name: MODE
                value: blue
      """
    And the cluster settles
    Then kubectl printed:
      """
      deployment.apps/web configured
      """
    And the trace satisfies:
      """cel
      pods.size() == 3 && pods.all(p, p.status.phase == 'Running' &&
        p.spec.containers[0].image == 'nginx:1.28' &&
        p.spec.containers[0].env.size() == 1 && p.spec.containers[0].env[0].name == 'MODE' &&
        !('tier' in p.metadata.labels))
      """
    And the trace matches the golden file

  @conformance
  Scenario: An object kubectl apply did not create is patched, with a warning
    Given the cluster already has:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: solo
      spec:
        containers:
        - name: app
          image: nginx:1.27
      """
    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: solo
      spec:
        containers:
        - name: app
          image: nginx:1.28
      """
    And the cluster settles
    Then kubectl printed:
      """
      Warning: resource pods/solo is missing the kubectl.kubernetes.io/last-applied-configuration annotation which is required by kubectl apply. kubectl apply should only be used on resources created declaratively by either kubectl create --save-config or kubectl apply. The missing annotation will be patched automatically.
      pod/solo configured
      """
    And the trace satisfies:
      """cel
      pods.exists(p, p.metadata.name == 'solo' && p.spec.containers[0].image == 'nginx:1.28')
      """

  @conformance
  Scenario: A refused update names the patch kubectl sent
    Given a user "viewer"
    And the cluster already has:
      """yaml
      apiVersion: rbac.authorization.k8s.io/v1
      kind: RoleBinding
      metadata:
        name: viewer-views
      subjects:
      - kind: User
        name: viewer
      roleRef:
        apiGroup: rbac.authorization.k8s.io
        kind: ClusterRole
        name: view
      """
    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: solo
      spec:
        containers:
        - name: app
          image: nginx:1.27
      """
    And the cluster settles
    And "viewer" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: solo
      spec:
        containers:
        - name: app
          image: nginx:1.28
      """
    And the cluster settles
    Then kubectl printed:
      """
      Error from server (Forbidden): error when applying patch:
      {"metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"annotations\":{},\"name\":\"solo\",\"namespace\":\"default\"},\"spec\":{\"containers\":[{\"image\":\"nginx:1.28\",\"name\":\"app\"}]}}\n"}},"spec":{"$setElementOrder/containers":[{"name":"app"}],"containers":[{"image":"nginx:1.28","name":"app"}]}}
      to:
      Resource: "/v1, Resource=pods", GroupVersionKind: "/v1, Kind=Pod"
      Name: "solo", Namespace: "default"
      for: "apply.feature": error when patching "apply.feature": pods "solo" is forbidden: User "viewer" cannot patch resource "pods" in API group "" in the namespace "default"
      """
