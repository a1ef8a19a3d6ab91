Feature: Pod Security admission follows the namespace's labels
  A namespace labelled pod-security.kubernetes.io/enforce=restricted rejects
  pods that break the restricted profile; warn mode admits them and sends
  kubectl a warning with the same details.

  Background:
    Given a cluster with nodes:
      | name   |
      | node01 |
    And the cluster already has:
      """yaml
      apiVersion: v1
      kind: Namespace
      metadata:
        name: locked
        labels:
          pod-security.kubernetes.io/enforce: restricted
      ---
      apiVersion: v1
      kind: Namespace
      metadata:
        name: watched
        labels:
          pod-security.kubernetes.io/warn: restricted
      """

  @conformance
  Scenario: A restricted namespace rejects a privileged pod
    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: root
        namespace: locked
      spec:
        containers:
        - name: shell
          image: busybox:1.36
          securityContext:
            privileged: true
      """
    And the cluster settles
    Then the request was rejected with code 403 and message:
      """
      pods "root" is forbidden: violates PodSecurity "restricted:latest": privileged (container "shell" must not set securityContext.privileged=true), allowPrivilegeEscalation != false (container "shell" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "shell" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "shell" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container "shell" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")
      """
    And the trace matches the golden file

  @conformance
  Scenario: Warn mode admits the pod with a warning
    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: root
        namespace: watched
      spec:
        containers:
        - name: shell
          image: busybox:1.36
          securityContext:
            privileged: true
      """
    And the cluster settles
    Then every request was accepted
    And the trace satisfies:
      """cel
      events.exists(e, e.action == 'warning' && e.message.startsWith('Warning: would violate PodSecurity "restricted:latest": privileged'))
      """
    And the trace matches the golden file
