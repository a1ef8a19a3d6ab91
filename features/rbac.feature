Feature: Who may create a pod: RBAC
  kube-apiserver asks its authorizers in turn: the system:masters rule, the
  Node authorizer, then RBAC. RBAC walks every ClusterRoleBinding, then the
  RoleBindings of the request's namespace, and allows at the first rule that
  matches. Nobody allowing means 403 Forbidden, in exactly these words.

  Background:
    Given a cluster with nodes:
      | name   |
      | node01 |
    And the cluster already has:
      """yaml
      apiVersion: v1
      kind: Namespace
      metadata:
        name: team-a
      ---
      apiVersion: v1
      kind: Namespace
      metadata:
        name: team-b
      ---
      apiVersion: rbac.authorization.k8s.io/v1
      kind: RoleBinding
      metadata:
        name: jane-edits
        namespace: team-a
      subjects:
      - kind: User
        name: jane
      roleRef:
        apiGroup: rbac.authorization.k8s.io
        kind: ClusterRole
        name: edit
      """
    And a user "jane"

  @conformance
  Scenario: A user with no binding is denied
    Given a user "mallory"
    When "mallory" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: web
        namespace: team-a
      spec:
        containers:
        - name: nginx
          image: nginx:1.27
      """
    And the cluster settles
    Then the request was rejected with code 403 and message:
      """
      pods is forbidden: User "mallory" cannot create resource "pods" in API group "" in the namespace "team-a"
      """
    And the trace matches the golden file

  @conformance
  Scenario: A ClusterRole bound with a RoleBinding grants only in that namespace
    When "jane" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: web
        namespace: team-a
      spec:
        containers:
        - name: nginx
          image: nginx:1.27
      """
    And the cluster settles
    Then pod "team-a/web" is Running
    When "jane" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: web
        namespace: team-b
      spec:
        containers:
        - name: nginx
          image: nginx:1.27
      """
    And the cluster settles
    Then the request was rejected with code 403 and message:
      """
      pods is forbidden: User "jane" cannot create resource "pods" in API group "" in the namespace "team-b"
      """
    And the model's trace satisfies:
      """cel
      events.exists(e, e.action == 'authorize' && e.message.contains('RoleBinding "jane-edits/team-a" of ClusterRole "edit" to User "jane"'))
      """
    And the trace matches the golden file

  @conformance
  Scenario: A group grant reaches every member
    Given the cluster already has:
      """yaml
      apiVersion: rbac.authorization.k8s.io/v1
      kind: RoleBinding
      metadata:
        name: developers-edit
        namespace: team-b
      subjects:
      - kind: Group
        name: developers
      roleRef:
        apiGroup: rbac.authorization.k8s.io
        kind: ClusterRole
        name: edit
      """
    And a user "sam" in group "developers"
    When "sam" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: api
        namespace: team-b
      spec:
        containers:
        - name: app
          image: nginx:1.27
      """
    And the cluster settles
    Then every request was accepted
    And pod "team-b/api" is Running

  @conformance
  Scenario: A service account creates a pod
    Given the cluster already has:
      """yaml
      apiVersion: v1
      kind: ServiceAccount
      metadata:
        name: deployer
        namespace: team-a
      ---
      apiVersion: rbac.authorization.k8s.io/v1
      kind: Role
      metadata:
        name: pod-creator
        namespace: team-a
      rules:
      - apiGroups: [""]
        resources: ["pods"]
        verbs: ["create"]
      ---
      apiVersion: rbac.authorization.k8s.io/v1
      kind: RoleBinding
      metadata:
        name: deployer-creates-pods
        namespace: team-a
      subjects:
      - kind: ServiceAccount
        name: deployer
      roleRef:
        apiGroup: rbac.authorization.k8s.io
        kind: Role
        name: pod-creator
      """
    When "system:serviceaccount:team-a:deployer" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: job
        namespace: team-a
      spec:
        containers:
        - name: app
          image: nginx:1.27
      """
    And the cluster settles
    Then every request was accepted
    And the model's trace satisfies:
      """cel
      events.exists(e, e.action == 'authenticate' && e.message.contains('system:serviceaccounts:team-a'))
      """
    And the trace matches the golden file

  @conformance
  Scenario: resourceNames never allow a create, which has no name yet
    Given the cluster already has:
      """yaml
      apiVersion: rbac.authorization.k8s.io/v1
      kind: Role
      metadata:
        name: only-web
        namespace: team-b
      rules:
      - apiGroups: [""]
        resources: ["pods"]
        resourceNames: ["web"]
        verbs: ["*"]
      ---
      apiVersion: rbac.authorization.k8s.io/v1
      kind: RoleBinding
      metadata:
        name: jane-only-web
        namespace: team-b
      subjects:
      - kind: User
        name: jane
      roleRef:
        apiGroup: rbac.authorization.k8s.io
        kind: Role
        name: only-web
      """
    When "jane" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: web
        namespace: team-b
      spec:
        containers:
        - name: nginx
          image: nginx:1.27
      """
    And the cluster settles
    Then the request was rejected with code 403 and message:
      """
      pods is forbidden: User "jane" cannot create resource "pods" in API group "" in the namespace "team-b"
      """

  @conformance
  Scenario: A binding to a missing role grants nothing, and says why
    Given the cluster already has:
      """yaml
      apiVersion: rbac.authorization.k8s.io/v1
      kind: RoleBinding
      metadata:
        name: jane-writes-pods
        namespace: team-b
      subjects:
      - kind: User
        name: jane
      roleRef:
        apiGroup: rbac.authorization.k8s.io
        kind: Role
        name: pod-writer
      """
    When "jane" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: web
        namespace: team-b
      spec:
        containers:
        - name: nginx
          image: nginx:1.27
      """
    And the cluster settles
    Then the request was rejected with code 403 and message:
      """
      pods is forbidden: User "jane" cannot create resource "pods" in API group "" in the namespace "team-b": rbac: RBAC: role.rbac.authorization.k8s.io "pod-writer" not found
      """
