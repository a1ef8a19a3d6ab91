Feature: Admission webhooks decide, and can stop a cluster
  An admission webhook is a server the API server calls during admission:
  MutatingWebhookConfigurations' webhooks one after another, each free to
  patch the object, then (after the ValidatingAdmissionPolicies)
  ValidatingWebhookConfigurations' webhooks all at once. The API server
  reaches a webhook's Service through its ClusterIP. When the call fails
  (no such Service, nothing behind it, no answer within timeoutSeconds)
  the webhook's failurePolicy decides: Fail refuses the request, Ignore
  lets it through. The server's answer is the scenario's to declare.

  Background:
    Given a cluster with nodes:
      | name   | cpu | memory |
      | node01 | 2   | 4Gi    |

  @conformance
  Scenario: A webhook whose Service does not exist refuses every pod it matches
    Until the webhook's server is deployed, its configuration blocks what
    it matches: the API server cannot find the Service to call, and under
    failurePolicy Fail (the default) that refuses the request.

    Given the cluster already has:
      """yaml
      apiVersion: admissionregistration.k8s.io/v1
      kind: ValidatingWebhookConfiguration
      metadata:
        name: pod-guard
      webhooks:
      - name: pod-guard.example.com
        clientConfig:
          service: {namespace: default, name: guard, path: /validate}
        rules:
        - {apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [pods]}
        sideEffects: None
        admissionReviewVersions: [v1]
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
      """
    And the cluster settles
    Then the request was rejected with code 500 and message:
      """
      Internal error occurred: failed calling webhook "pod-guard.example.com": failed to call webhook: Post "https://guard.default.svc:443/validate?timeout=10s": service "guard" not found
      """
    And the trace matches the golden file

  @conformance
  Scenario: A webhook server's refusal is the API server's answer, word for word
    Given the cluster already has:
      """yaml
      apiVersion: admissionregistration.k8s.io/v1
      kind: ValidatingWebhookConfiguration
      metadata:
        name: team-label
      webhooks:
      - name: team-label.example.com
        clientConfig:
          url: https://policy.example.com/validate
        rules:
        - {apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [pods]}
        sideEffects: None
        admissionReviewVersions: [v1]
      """
    And the webhook server at URL "https://policy.example.com/validate" denies requests with "pods need a team label"
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
      """
    And the cluster settles
    Then the request was rejected with code 400 and message:
      """
      admission webhook "team-label.example.com" denied the request: pods need a team label
      """
    And kubectl printed:
      """
      Error from server: error when creating "admission_webhooks.feature": admission webhook "team-label.example.com" denied the request: pods need a team label
      """
    And the trace matches the golden file

  @conformance
  Scenario Outline: A slow webhook server holds every request, then fails it or lets it through (<policy>)
    The API server waits for the webhook as long as its timeoutSeconds
    (10 by default) and then gives up: under failurePolicy Fail the
    request is refused, under Ignore it goes on as if the webhook had
    allowed it. Either way the client waited the whole timeout.

    Given the cluster already has:
      """yaml
      apiVersion: admissionregistration.k8s.io/v1
      kind: ValidatingWebhookConfiguration
      metadata:
        name: audit
      webhooks:
      - name: audit.example.com
        clientConfig:
          url: https://audit.example.com/review
        rules:
        - {apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [pods]}
        failurePolicy: <policy>
        timeoutSeconds: 5
        sideEffects: None
        admissionReviewVersions: [v1]
      """
    And the webhook server at URL "https://audit.example.com/review" answers after 30s
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
      """
    And the cluster settles
    Then kubectl printed:
      """
      <printed>
      """
    And the trace matches the golden file

    Examples:
      | policy | printed                                                                                                                                                                                                                  |
      | Fail   | Error from server (InternalError): error when creating "admission_webhooks.feature": Internal error occurred: failed calling webhook "audit.example.com": failed to call webhook: Post "https://audit.example.com/review?timeout=5s": context deadline exceeded |
      | Ignore | pod/web created                                                                                                                                                                                                          |

  @conformance
  Scenario: A webhook's warning reaches the user, and the pod is created
    Given the cluster already has:
      """yaml
      apiVersion: admissionregistration.k8s.io/v1
      kind: ValidatingWebhookConfiguration
      metadata:
        name: image-hygiene
      webhooks:
      - name: image-hygiene.example.com
        clientConfig:
          url: https://hygiene.example.com/check
        rules:
        - {apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [pods]}
        sideEffects: None
        admissionReviewVersions: [v1]
      """
    And the webhook server at URL "https://hygiene.example.com/check" warns "image tag latest is discouraged"
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
          image: nginx:latest
      """
    And the cluster settles
    Then kubectl printed:
      """
      Warning: image tag latest is discouraged
      pod/web created
      """
    And pod "web" is Running

  @conformance
  Scenario: A mutating webhook's sidecar makes the pod too big for the node
    A service mesh's injector adds its proxy container to every pod. The
    scheduler sees the pod as the webhook left it: the proxy's CPU request
    counts, and the pod no longer fits the node its author sized it for.
    `podlife explain pod` names the webhook that changed it.

    Given the cluster already has:
      """yaml
      apiVersion: admissionregistration.k8s.io/v1
      kind: MutatingWebhookConfiguration
      metadata:
        name: mesh-injector
      webhooks:
      - name: sidecar.mesh.example.com
        clientConfig:
          url: https://injector.example.com/inject
        rules:
        - {apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [pods]}
        sideEffects: None
        admissionReviewVersions: [v1]
      """
    And the webhook server at URL "https://injector.example.com/inject" patches objects with '[{"op":"add","path":"/spec/containers/-","value":{"name":"mesh-proxy","image":"mesh/proxy:1.0","resources":{"requests":{"cpu":"500m"}}}}]'
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
          resources:
            requests:
              cpu: 1800m
      """
    And the cluster settles
    Then pod "web" is not scheduled
    And podlife explains pod "web" as:
      """
      pod default/web: Pending, not Ready
      - admission changed it on its way in: the scheduler and the kubelet see the changed pod
          mutating webhook "sidecar.mesh.example.com" patched it: [{"op":"add","path":"/spec/containers/-","value":{"name":"mesh-proxy","image":"mesh/proxy:1.0","resources":{"requests":{"cpu":"500m"}}}}]
      - the scheduler finds no node for it: 0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.
          status.conditions[PodScheduled]: False, reason Unschedulable: 0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.
          event at 2.019s from kube-scheduler: Warning FailedScheduling: 0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.
      """
    And the trace matches the golden file

  Scenario Outline: A webhook whose own pod is gone, matching its own namespace or not (<case>)
    The classic outage: the webhook's server runs as a Deployment, and the
    webhook matches every pod, its own included. When its pod goes, the
    API server's calls are refused (kube-proxy rejects connections to a
    Service with no ready endpoint), so the ReplicaSet controller cannot
    create the replacement that would bring the webhook back: it retries
    after 5ms, 10ms, 20ms and on, doubling. The fix is a namespaceSelector
    that leaves the webhook's own namespace out.

    Given the cluster already has:
      """yaml
      apiVersion: v1
      kind: Namespace
      metadata:
        name: policy
      ---
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: guard
        namespace: policy
      spec:
        replicas: 1
        selector:
          matchLabels: {app: guard}
        template:
          metadata:
            labels: {app: guard}
          spec:
            containers:
            - name: guard
              image: guard:1.0
              ports:
              - containerPort: 8443
      ---
      apiVersion: v1
      kind: Service
      metadata:
        name: guard
        namespace: policy
      spec:
        selector: {app: guard}
        ports:
        - port: 443
          targetPort: 8443
      """
    And the cluster settles
    And "admin" applies:
      """yaml
      apiVersion: admissionregistration.k8s.io/v1
      kind: ValidatingWebhookConfiguration
      metadata:
        name: pod-guard
      webhooks:
      - name: pod-guard.example.com
        clientConfig:
          service: {namespace: policy, name: guard, path: /validate}
        rules:
        - {apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [pods]}
        namespaceSelector: <selector>
        sideEffects: None
        admissionReviewVersions: [v1]
      """
    When "admin" runs "kubectl delete pods -n policy -l app=guard --wait=false"
    And the cluster settles
    And 3s pass
    Then the trace satisfies:
      """
      <outcome>
      """
    And the trace matches the golden file

    Examples:
      | case     | selector                                                                                | outcome                                                                                            |
      | blocked  | {}                                                                                      | events.exists(e, e.reason == "FailedCreate" && e.message.contains("connect: connection refused")) |
      | recovers | {matchExpressions: [{key: kubernetes.io/metadata.name, operator: NotIn, values: [policy]}]} | !events.exists(e, e.reason == "FailedCreate")                                                      |

  @conformance
  Scenario: A webhook configuration the API server's validation refuses
    The configuration is checked when it is written, field by field, with
    kube-apiserver's own validation: a webhook needs a name of three
    dot-separated segments, a sideEffects class, and an https URL.

    When "admin" applies:
      """yaml
      apiVersion: admissionregistration.k8s.io/v1
      kind: ValidatingWebhookConfiguration
      metadata:
        name: pod-guard
      webhooks:
      - name: pod-guard
        clientConfig:
          url: http://policy.example.com/validate
        rules:
        - {apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [pods]}
        admissionReviewVersions: [v1]
      """
    And the cluster settles
    Then the request was rejected with code 422 and message:
      """
      ValidatingWebhookConfiguration.admissionregistration.k8s.io "pod-guard" is invalid: [webhooks[0].name: Invalid value: "pod-guard": should be a domain with at least three segments separated by dots, webhooks[0].sideEffects: Required value: must specify one of None, NoneOnDryRun, webhooks[0].clientConfig.url: Invalid value: "http": 'https' is the only allowed URL scheme; desired format: https://host[/path]]
      """
    And kubectl printed:
      """
      The ValidatingWebhookConfiguration "pod-guard" is invalid: 
      * webhooks[0].name: Invalid value: "pod-guard": should be a domain with at least three segments separated by dots
      * webhooks[0].sideEffects: Required value: must specify one of None, NoneOnDryRun
      * webhooks[0].clientConfig.url: Invalid value: "http": 'https' is the only allowed URL scheme; desired format: https://host[/path]
      """
