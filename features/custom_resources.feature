Feature: Custom resources, validated by their CustomResourceDefinition
  A CustomResourceDefinition teaches the API server a new kind. Once it is
  stored, two controllers inside kube-apiserver accept its names and mark it
  Established; only then does discovery list the new resource, so kubectl
  can map a manifest of that kind to a URL. Every custom resource is then
  decoded, pruned, defaulted and validated by the CRD's schema, its CEL rules
  included, by apiextensions-apiserver's own code.

  Background:
    Given a cluster with nodes:
      | name   |
      | node01 |

  @conformance
  Scenario: A CRD and a custom resource of its kind in one file: kubectl cannot map the second yet
    When "admin" applies:
      """yaml
      apiVersion: apiextensions.k8s.io/v1
      kind: CustomResourceDefinition
      metadata:
        name: crontabs.stable.example.com
      spec:
        group: stable.example.com
        scope: Namespaced
        names:
          plural: crontabs
          singular: crontab
          kind: CronTab
        versions:
        - name: v1
          served: true
          storage: true
          schema:
            openAPIV3Schema:
              type: object
              x-kubernetes-preserve-unknown-fields: true
      ---
      apiVersion: stable.example.com/v1
      kind: CronTab
      metadata:
        name: nightly
      spec:
        cronSpec: "0 3 * * *"
      """
    And the cluster settles
    Then the request was rejected with code 0 and message:
      """
      resource mapping not found for name: "nightly" namespace: "" from "custom_resources.feature": no matches for kind "CronTab" in version "stable.example.com/v1"
      """
    And the model's trace satisfies:
      """
      events.exists(e, e.component == "crd-establishing-controller")
      """
    And the trace matches the golden file

  @conformance
  Scenario: Once the CRD is established, its schema and CEL rules decide
    When "admin" applies:
      """yaml
      apiVersion: apiextensions.k8s.io/v1
      kind: CustomResourceDefinition
      metadata:
        name: crontabs.stable.example.com
      spec:
        group: stable.example.com
        scope: Namespaced
        names:
          plural: crontabs
          singular: crontab
          kind: CronTab
          shortNames: [ct]
        versions:
        - name: v1
          served: true
          storage: true
          schema:
            openAPIV3Schema:
              type: object
              properties:
                spec:
                  type: object
                  required: [cronSpec]
                  x-kubernetes-validations:
                  - rule: "self.replicas <= self.maxReplicas"
                    message: "replicas must not exceed maxReplicas"
                  properties:
                    cronSpec:
                      type: string
                    replicas:
                      type: integer
                      default: 1
                    maxReplicas:
                      type: integer
                      default: 5
      """
    And the cluster settles
    And "admin" applies:
      """yaml
      apiVersion: stable.example.com/v1
      kind: CronTab
      metadata:
        name: greedy
      spec:
        cronSpec: "* * * * *"
        replicas: 7
      """
    And the cluster settles
    Then the request was rejected with code 422 and message:
      """
      CronTab.stable.example.com "greedy" is invalid: spec: Invalid value: replicas must not exceed maxReplicas
      """
    And the trace matches the golden file

  @conformance
  Scenario: A field the schema does not declare is refused by strict decoding
    Given the cluster already has:
      """yaml
      apiVersion: apiextensions.k8s.io/v1
      kind: CustomResourceDefinition
      metadata:
        name: backups.db.example.com
      spec:
        group: db.example.com
        scope: Namespaced
        names: {plural: backups, singular: backup, kind: Backup}
        versions:
        - name: v1
          served: true
          storage: true
          schema:
            openAPIV3Schema:
              type: object
              properties:
                spec:
                  type: object
                  properties:
                    database: {type: string}
                    retentionDays: {type: integer, default: 7}
      """
    When "admin" applies:
      """yaml
      apiVersion: db.example.com/v1
      kind: Backup
      metadata:
        name: orders
      spec:
        database: orders
        retentionDay: 30
      """
    And the cluster settles
    Then the request was rejected with code 400 and message:
      """
      Backup in version "v1" cannot be handled as a Backup: strict decoding error: unknown field "spec.retentionDay"
      """
