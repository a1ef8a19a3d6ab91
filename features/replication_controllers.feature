Feature: ReplicationControllers, the ReplicaSets of old
  A ReplicationController keeps a number of pods running, as a ReplicaSet
  does: kube-controller-manager runs the ReplicaSet controller over it,
  converted, under the name replication-controller. Its selector is a
  plain map of labels. Manifests still ship them, and their pods are
  spread across nodes like a ReplicaSet's.

  Background:
    Given a cluster with nodes:
      | name   | labels                           |
      | node01 | topology.kubernetes.io/zone=a    |
      | node02 | topology.kubernetes.io/zone=b    |

  @conformance
  Scenario: A ReplicationController creates its pods, and deletes one when scaled down
    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: ReplicationController
      metadata:
        name: web
      spec:
        replicas: 2
        selector:
          app: web
        template:
          metadata:
            labels:
              app: web
          spec:
            containers:
            - name: web
              image: nginx:1.27
      """
    And the cluster settles
    And "admin" runs "kubectl scale rc web --replicas=1"
    And the cluster settles
    Then kubectl printed:
      """
      replicationcontroller/web scaled
      """
    And the trace satisfies:
      """
      events.named("SuccessfulCreate").size() == 2
      && events.named("SuccessfulDelete").size() == 1
      && events.named("SuccessfulCreate").all(e, e.message.startsWith("Created pod: web-") && e.component == "replication-controller")
      && pods.filter(p, p.metadata.ownerReferences[0].kind == "ReplicationController" && !has(p.metadata.deletionTimestamp)).size() == 1
      """
    And the trace matches the golden file
