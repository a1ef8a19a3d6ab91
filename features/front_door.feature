Feature: The API server's front door: decoding, defaulting and validation
  Before any admission plugin sees an object, kube-apiserver decodes the
  request's body (strictly, as kubectl asks: an unknown field is a 400),
  defaults it, and runs its kind's validation (a 422 naming every field at
  fault). podlife runs Kubernetes' own code for all three, so a manifest is
  refused here exactly when, and in the words in which, a v1.37.2 cluster
  refuses it. kubectl itself refuses what no API server serves.

  Background:
    Given a cluster with nodes:
      | name   |
      | node01 |

  @conformance
  Scenario: A pod with invalid fields is refused with every field at fault
    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: web
        labels:
          app: my app
      spec:
        restartPolicy: Sometimes
        containers:
        - name: nginx
          image: nginx:1.27
          ports:
          - containerPort: 70000
      """
    And the cluster settles
    Then the request was rejected with code 422 and message:
      """
      Pod "web" is invalid: [metadata.labels: Invalid value: "my app": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?'), spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive, spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"]
      """
    And the trace matches the golden file

  @conformance
  Scenario: A misspelt field is refused by the API server's strict decoding
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
            - name: nginx
              image: nginx:1.27
              imagePullPolicie: Always
      """
    And the cluster settles
    Then the request was rejected with code 400 and message:
      """
      Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.template.spec.containers[0].imagePullPolicie"
      """
    And the trace matches the golden file

  @conformance
  Scenario: A Deployment whose selector does not match its template is refused
    When "admin" applies:
      """yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: web
      spec:
        selector:
          matchLabels:
            app: api
        template:
          metadata:
            labels:
              app: web
          spec:
            containers:
            - name: nginx
              image: nginx:1.27
      """
    And the cluster settles
    Then the request was rejected with code 422 and message:
      """
      Deployment.apps "web" is invalid: spec.template.metadata.labels: Invalid value: {"app":"web"}: `selector` does not match template `labels`
      """
    And the trace matches the golden file

  @conformance
  Scenario: A removed API version is refused by kubectl, before any request
    When "admin" applies:
      """yaml
      apiVersion: policy/v1beta1
      kind: PodDisruptionBudget
      metadata:
        name: web
      spec:
        minAvailable: 1
        selector:
          matchLabels:
            app: web
      """
    Then the request was rejected with code 0 and message:
      """
      resource mapping not found for name: "web" namespace: "" from "front_door.feature": no matches for kind "PodDisruptionBudget" in version "policy/v1beta1"
      """

  @conformance
  Scenario: An object copied from a cluster, resourceVersion and all, cannot be created again
    `kubectl get -o yaml` prints the object's resourceVersion; applied to
    a cluster where the object does not exist, that becomes a create that
    carries one, which etcd's storage layer refuses after validation and
    admission, with an error that is no API status: a 500 of no reason.
    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: ConfigMap
      metadata:
        name: copied
        resourceVersion: "4815"
      data:
        key: value
      """
    And the cluster settles
    Then the request was rejected with code 500 and message:
      """
      resourceVersion should not be set on objects to be created
      """
    And the trace satisfies:
      """cel
      requests.exists(r, r.code == 500 && !has(r.reason))
      """
    And the trace matches the golden file

  Scenario: A kind the API server serves but podlife does not model is stored, and the trace says so
    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: PodTemplate
      metadata:
        name: db
      template:
        metadata:
          labels: {app: db}
        spec:
          containers:
          - name: db
            image: postgres:17
      """
    And the cluster settles
    Then every request was accepted
    And the trace satisfies:
      """cel
      events.exists(e, e.action == 'unmodelled' &&
        e.message == "warning: podlife stores podtemplates but models nothing that acts on them; a real cluster's controllers would")
      """
    And the trace matches the golden file
