Feature: MutatingAdmissionPolicies change objects in the API server, with CEL
  A MutatingAdmissionPolicy says which requests it looks at and how to
  change their object, in CEL: as an ApplyConfiguration (a partial object
  merged in as server-side apply merges it) or as a JSONPatch. A
  MutatingAdmissionPolicyBinding puts it to work. The API server applies
  them after the built-in mutating plugins and before the mutating
  webhooks, so validation, policies and the scheduler all see the
  changed object. Like ValidatingAdmissionPolicies, a new policy or
  binding takes effect at the API server's next refresh, once a second.

  Background:
    Given a cluster with nodes:
      | name   |
      | node01 |

  @conformance
  Scenario: An ApplyConfiguration gives every pod without a team label the default one
    Given the cluster already has:
      """yaml
      apiVersion: admissionregistration.k8s.io/v1
      kind: MutatingAdmissionPolicy
      metadata:
        name: default-team
      spec:
        matchConstraints:
          resourceRules:
          - apiGroups: [""]
            apiVersions: ["v1"]
            operations: ["CREATE"]
            resources: ["pods"]
        matchConditions:
        - name: no-team-yet
          expression: "!has(object.metadata.labels) || !('team' in object.metadata.labels)"
        failurePolicy: Fail
        reinvocationPolicy: Never
        mutations:
        - patchType: ApplyConfiguration
          applyConfiguration:
            expression: >
              Object{
                metadata: Object.metadata{
                  labels: {"team": "unassigned"}
                }
              }
      ---
      apiVersion: admissionregistration.k8s.io/v1
      kind: MutatingAdmissionPolicyBinding
      metadata:
        name: default-team
      spec:
        policyName: default-team
      """
    And 2s pass
    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: web
        labels: {app: web}
      spec:
        containers:
        - name: web
          image: nginx:1.27
      ---
      apiVersion: v1
      kind: Pod
      metadata:
        name: shop
        labels: {app: shop, team: payments}
      spec:
        containers:
        - name: shop
          image: nginx:1.27
      """
    And the cluster settles
    Then every request was accepted
    And the trace satisfies:
      """
      pods.exists(p, p.metadata.name == "web" && p.metadata.labels == {"app": "web", "team": "unassigned"})
      && pods.exists(p, p.metadata.name == "shop" && p.metadata.labels.team == "payments")
      """
    And the trace matches the golden file

  @conformance
  Scenario: A JSONPatch sets every container's image pull policy
    Given the cluster already has:
      """yaml
      apiVersion: admissionregistration.k8s.io/v1
      kind: MutatingAdmissionPolicy
      metadata:
        name: always-pull
      spec:
        matchConstraints:
          resourceRules:
          - apiGroups: [""]
            apiVersions: ["v1"]
            operations: ["CREATE"]
            resources: ["pods"]
        failurePolicy: Fail
        reinvocationPolicy: Never
        mutations:
        - patchType: JSONPatch
          jsonPatch:
            expression: >
              object.spec.containers.map(c, object.spec.containers.indexOf(c)).map(i,
                JSONPatch{op: "replace", path: "/spec/containers/" + string(i) + "/imagePullPolicy", value: "Always"})
      ---
      apiVersion: admissionregistration.k8s.io/v1
      kind: MutatingAdmissionPolicyBinding
      metadata:
        name: always-pull
      spec:
        policyName: always-pull
      """
    And 2s pass
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
          imagePullPolicy: IfNotPresent
        - name: log
          image: busybox:1.36
      """
    And the cluster settles
    Then every request was accepted
    And the trace satisfies:
      """
      pods.exists(p, p.metadata.name == "web" && p.spec.containers.all(c, c.imagePullPolicy == "Always"))
      """
    And the trace matches the golden file

  @conformance
  Scenario: A policy that matches updates puts back the label a user removes
    Mutating admission runs on updates too, before validation: the pod
    stored is the one the policy returned, whatever the request said.

    Given the cluster already has:
      """yaml
      apiVersion: admissionregistration.k8s.io/v1
      kind: MutatingAdmissionPolicy
      metadata:
        name: default-team
      spec:
        matchConstraints:
          resourceRules:
          - apiGroups: [""]
            apiVersions: ["v1"]
            operations: ["CREATE", "UPDATE"]
            resources: ["pods"]
        matchConditions:
        - name: no-team
          expression: "!has(object.metadata.labels) || !('team' in object.metadata.labels)"
        reinvocationPolicy: Never
        mutations:
        - patchType: ApplyConfiguration
          applyConfiguration:
            expression: >
              Object{metadata: Object.metadata{labels: {"team": "unassigned"}}}
      ---
      apiVersion: admissionregistration.k8s.io/v1
      kind: MutatingAdmissionPolicyBinding
      metadata:
        name: default-team
      spec:
        policyName: default-team
      ---
      apiVersion: v1
      kind: Pod
      metadata:
        name: web
        labels: {app: web, team: payments}
      spec:
        containers:
        - name: web
          image: nginx:1.27
      """
    And 2s pass
    When "admin" runs "kubectl label pod web team-"
    And the cluster settles
    Then kubectl printed:
      """
      pod/web unlabeled
      """
    And the trace satisfies:
      """
      pods.exists(p, p.metadata.name == "web" && p.metadata.labels == {"app": "web", "team": "unassigned"})
      """
    And the trace matches the golden file
