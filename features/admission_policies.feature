Feature: ValidatingAdmissionPolicies decide in the API server, with CEL
  A ValidatingAdmissionPolicy says which requests it looks at and what must
  hold of them, in CEL; a ValidatingAdmissionPolicyBinding puts it to work
  and says what a failure does: Deny refuses the request, Warn lets it
  through with a warning kubectl prints, Audit only writes the audit log.
  The API server evaluates them after every built-in admission plugin but
  ResourceQuota. It compiles what changed once a second, so a new policy
  takes effect up to a second after it is stored.

  Background:
    Given a cluster with nodes:
      | name   |
      | node01 |
    And the cluster already has:
      """yaml
      apiVersion: admissionregistration.k8s.io/v1
      kind: ValidatingAdmissionPolicy
      metadata:
        name: require-team-label
      spec:
        failurePolicy: Fail
        matchConstraints:
          resourceRules:
          - apiGroups: [""]
            apiVersions: ["v1"]
            operations: ["CREATE", "UPDATE"]
            resources: ["pods"]
        validations:
        - expression: "has(object.metadata.labels) && 'team' in object.metadata.labels"
          message: every pod needs a team label
        - expression: "object.spec.containers.all(c, !c.image.endsWith(':latest'))"
          messageExpression: "'image of ' + object.metadata.name + ' must not use :latest'"
      """

  @conformance
  Scenario: A bound policy refuses a pod without the label it requires
    When "admin" applies:
      """yaml
      apiVersion: admissionregistration.k8s.io/v1
      kind: ValidatingAdmissionPolicyBinding
      metadata:
        name: require-team-label
      spec:
        policyName: require-team-label
        validationActions: [Deny]
      """
    And 2s pass
    And "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: nolabel
      spec:
        containers:
        - name: web
          image: nginx:1.27
      """
    And the cluster settles
    Then the request was rejected with code 422 and message:
      """
      pods "nolabel" is forbidden: ValidatingAdmissionPolicy 'require-team-label' with binding 'require-team-label' denied request: every pod needs a team label
      """
    And kubectl printed:
      """
      The pods "nolabel" is invalid: : ValidatingAdmissionPolicy 'require-team-label' with binding 'require-team-label' denied request: every pod needs a team label
      """
    And the trace matches the golden file

  @conformance
  Scenario: A Deployment's pods are refused, and its ReplicaSet says why
    The Deployment itself is not a pod, so the policy lets it in; the
    ReplicaSet controller's creates are refused, and it says so in
    FailedCreate events while the ReplicaSet stays at zero pods. Asked
    about the Deployment, `podlife explain pod` points at that event,
    which names the policy and the binding.

    When "admin" applies:
      """yaml
      apiVersion: admissionregistration.k8s.io/v1
      kind: ValidatingAdmissionPolicyBinding
      metadata:
        name: require-team-label
      spec:
        policyName: require-team-label
        validationActions: [Deny]
      """
    And 2s pass
    And "admin" applies:
      """yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: web
      spec:
        replicas: 2
        selector:
          matchLabels: {app: web}
        template:
          metadata:
            labels: {app: web}
          spec:
            containers:
            - name: web
              image: nginx:1.27
      """
    And 3s pass
    Then every request was accepted
    And the trace satisfies:
      """cel
      events.exists(e, e.reason == 'FailedCreate' && e.object.startsWith('replicaset/default/web-')
        && e.message.matches('^Error creating: pods "web-[a-z0-9]+-[a-z0-9]{5}" is forbidden: ValidatingAdmissionPolicy \'require-team-label\' with binding \'require-team-label\' denied request: every pod needs a team label$'))
      && pods.size() == 0
      """
    And podlife explains pod "web" as:
      """
      no pod default/web: Deployment web has no pod: its controller cannot create one:
          event at 4.685s from replicaset-controller: Warning FailedCreate: (combined from similar events): Error creating: pods "web-5c8597c5fb-bnqsx" is forbidden: ValidatingAdmissionPolicy 'require-team-label' with binding 'require-team-label' denied request: every pod needs a team label (x11)
      """

  @conformance
  Scenario: Warn lets a request through with the policy's message, its limit read from a ConfigMap
    A policy with a paramKind reads its limits from the object its binding
    names; messageExpression builds the message from them.

    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: ConfigMap
      metadata:
        name: replica-limit
      data:
        maxReplicas: "3"
      ---
      apiVersion: admissionregistration.k8s.io/v1
      kind: ValidatingAdmissionPolicy
      metadata:
        name: replica-limit
      spec:
        paramKind:
          apiVersion: v1
          kind: ConfigMap
        matchConstraints:
          resourceRules:
          - apiGroups: ["apps"]
            apiVersions: ["v1"]
            operations: ["CREATE", "UPDATE"]
            resources: ["deployments"]
        validations:
        - expression: "object.spec.replicas <= int(params.data.maxReplicas)"
          messageExpression: "'replicas must be no greater than ' + params.data.maxReplicas"
      ---
      apiVersion: admissionregistration.k8s.io/v1
      kind: ValidatingAdmissionPolicyBinding
      metadata:
        name: replica-limit-warn
      spec:
        policyName: replica-limit
        validationActions: [Warn, Audit]
        paramRef:
          name: replica-limit
          namespace: default
          parameterNotFoundAction: Deny
      """
    And 2s pass
    And "admin" applies:
      """yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: big
      spec:
        replicas: 5
        selector:
          matchLabels: {app: big}
        template:
          metadata:
            labels: {app: big, team: shop}
          spec:
            containers:
            - name: web
              image: nginx:1.27
      """
    And the cluster settles
    Then every request was accepted
    And kubectl printed:
      """
      Warning: Validation failed for ValidatingAdmissionPolicy 'replica-limit' with binding 'replica-limit-warn': replicas must be no greater than 3
      deployment.apps/big created
      """

  @conformance
  Scenario: A binding whose parameters are missing refuses everything it matches
    With parameterNotFoundAction Deny, a paramRef naming no object is a
    configuration error, and a configuration error under failurePolicy
    Fail (the default) refuses the request.

    When "admin" applies:
      """yaml
      apiVersion: admissionregistration.k8s.io/v1
      kind: ValidatingAdmissionPolicy
      metadata:
        name: replica-limit
      spec:
        paramKind:
          apiVersion: v1
          kind: ConfigMap
        matchConstraints:
          resourceRules:
          - apiGroups: ["apps"]
            apiVersions: ["v1"]
            operations: ["CREATE", "UPDATE"]
            resources: ["deployments"]
        validations:
        - expression: "object.spec.replicas <= int(params.data.maxReplicas)"
      ---
      apiVersion: admissionregistration.k8s.io/v1
      kind: ValidatingAdmissionPolicyBinding
      metadata:
        name: replica-limit
      spec:
        policyName: replica-limit
        validationActions: [Deny]
        paramRef:
          name: replica-limits
          namespace: default
          parameterNotFoundAction: Deny
      """
    And 2s pass
    And "admin" applies:
      """yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: small
      spec:
        replicas: 1
        selector:
          matchLabels: {app: small}
        template:
          metadata:
            labels: {app: small, team: shop}
          spec:
            containers:
            - name: web
              image: nginx:1.27
      """
    And the cluster settles
    Then the request was rejected with code 422 and message:
      """
      deployments.apps "small" is forbidden: ValidatingAdmissionPolicy 'replica-limit' with binding 'replica-limit' denied request: failed to configure binding: no params found for policy binding with `Deny` parameterNotFoundAction
      """

  @conformance
  Scenario: A policy whose expression does not compile is refused when it is created
    The API server compiles every expression when the policy is written, and
    answers with CEL's own error and where in the expression it is.

    When "admin" applies:
      """yaml
      apiVersion: admissionregistration.k8s.io/v1
      kind: ValidatingAdmissionPolicy
      metadata:
        name: broken
      spec:
        matchConstraints:
          resourceRules:
          - apiGroups: [""]
            apiVersions: ["v1"]
            operations: ["CREATE"]
            resources: ["pods"]
        validations:
        - expression: "object.spec.replicas <= "
      """
    And the cluster settles
    Then kubectl printed:
      """
      The ValidatingAdmissionPolicy "broken" is invalid: spec.validations[0].expression: Invalid value: "object.spec.replicas <= ": compilation failed: ERROR: <input>:1:25: Syntax error: mismatched input '<EOF>' expecting {'[', '{', '(', '.', '-', '!', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER}
       | object.spec.replicas <= 
       | ........................^
      """

  @conformance
  Scenario: Updates are judged too, but kubectl scale writes the scale subresource, which the policy does not name
    When "admin" applies:
      """yaml
      apiVersion: admissionregistration.k8s.io/v1
      kind: ValidatingAdmissionPolicy
      metadata:
        name: max-replicas
      spec:
        matchConstraints:
          resourceRules:
          - apiGroups: ["apps"]
            apiVersions: ["v1"]
            operations: ["CREATE", "UPDATE"]
            resources: ["deployments"]
        validations:
        - expression: "object.spec.replicas <= 3"
          message: at most 3 replicas
      ---
      apiVersion: admissionregistration.k8s.io/v1
      kind: ValidatingAdmissionPolicyBinding
      metadata:
        name: max-replicas
      spec:
        policyName: max-replicas
        validationActions: [Deny]
      """
    And 2s pass
    And "admin" applies:
      """yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: big
      spec:
        replicas: 2
        selector:
          matchLabels: {app: big}
        template:
          metadata:
            labels: {app: big, team: shop}
          spec:
            containers:
            - name: web
              image: nginx:1.27
      """
    And the cluster settles
    And "admin" applies:
      """yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: big
      spec:
        replicas: 5
        selector:
          matchLabels: {app: big}
        template:
          metadata:
            labels: {app: big, team: shop}
          spec:
            containers:
            - name: web
              image: nginx:1.27
      """
    And the cluster settles
    Then kubectl printed:
      """
      The deployments "big" is invalid: : ValidatingAdmissionPolicy 'max-replicas' with binding 'max-replicas' denied request: at most 3 replicas
      """
    When "admin" runs "kubectl scale deployment big --replicas=5"
    And the cluster settles
    Then kubectl printed:
      """
      deployment.apps/big scaled
      """
    And the trace satisfies:
      """cel
      pods.size() == 5
      """

  Scenario: A policy takes effect at the API server's next refresh, not when it is stored
    kube-apiserver compiles changed policies once a second. A pod created in
    the same breath as the binding that would refuse it gets in; one created
    after the refresh does not.

    When "admin" applies:
      """yaml
      apiVersion: admissionregistration.k8s.io/v1
      kind: ValidatingAdmissionPolicyBinding
      metadata:
        name: require-team-label
      spec:
        policyName: require-team-label
        validationActions: [Deny]
      ---
      apiVersion: v1
      kind: Pod
      metadata:
        name: early
      spec:
        containers:
        - name: web
          image: nginx:1.27
      """
    And 1s passes
    And "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: late
      spec:
        containers:
        - name: web
          image: nginx:1.27
      """
    And the cluster settles
    Then pod "early" is Running
    And the request was rejected with code 422 and message:
      """
      pods "late" is forbidden: ValidatingAdmissionPolicy 'require-team-label' with binding 'require-team-label' denied request: every pod needs a team label
      """
    And the trace matches the golden file

  @conformance
  Scenario: A policy whose expression does not type-check is served, and its status says why
    kube-controller-manager type-checks every new generation of a policy
    against the schemas of the kinds it matches, and writes what it found
    to status.typeChecking. The API server still serves the policy: a
    pod has no spec.replicas, so at admission the expression fails, and
    failurePolicy decides.

    When "admin" applies:
      """yaml
      apiVersion: admissionregistration.k8s.io/v1
      kind: ValidatingAdmissionPolicy
      metadata:
        name: replicas-cap
      spec:
        matchConstraints:
          resourceRules:
          - apiGroups: [""]
            apiVersions: ["v1"]
            operations: ["CREATE"]
            resources: ["pods"]
        validations:
        - expression: "object.spec.replicas > 3"
      """
    And 2s pass
    Then the trace satisfies:
      """
      validatingadmissionpolicies.exists(p, p.metadata.name == "replicas-cap"
        && p.status.observedGeneration == 1
        && p.status.typeChecking.expressionWarnings == [{
             "fieldRef": "spec.validations[0].expression",
             "warning": "/v1, Kind=Pod: ERROR: <input>:1:12: undefined field 'replicas'\n | object.spec.replicas > 3\n | ...........^\n"}])
      """
    And the trace matches the golden file
