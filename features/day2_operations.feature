Feature: Day-2 operations: kubectl scale, rollout restart, cordon and uncordon
  Most pods are not created and deleted one by one: someone scales a
  Deployment, restarts it, or takes a node out of rotation before working
  on it. `kubectl scale` reads the Deployment and patches its scale
  subresource; the Deployment controller passes the new count to its
  ReplicaSet, whose controller creates or deletes pods. `kubectl rollout
  restart` stamps the pod template with the time, which is a new template:
  the Deployment rolls out as for a new version. `kubectl cordon` marks a
  node unschedulable: the scheduler places no new pod there, the pods
  already on it stay, and `kubectl uncordon` opens it again.

  Background:
    Given a cluster with nodes:
      | name   |
      | node01 |
      | node02 |
    And the cluster already has:
      """yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: web
      spec:
        replicas: 1
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

  @conformance
  Scenario: Scaling a Deployment up and back down
    When "admin" runs "kubectl scale deployment web --replicas=3"
    And the cluster settles
    Then every request was accepted
    And the trace satisfies:
      """cel
      pods.size() == 3 && pods.all(p, p.status.phase == 'Running') &&
      requests.exists(r, r.message == 'deployment.apps/web scaled')
      """
    When "admin" runs "kubectl scale deploy/web --replicas=1"
    And the cluster settles
    Then the trace satisfies:
      """cel
      pods.size() == 1
      """
    And the trace matches the golden file

  @conformance
  Scenario: kubectl refuses a negative count before it sends anything
    When "admin" runs "kubectl scale deployment web --replicas=-1"
    Then the request was rejected with code 0 and message:
      """
      The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0
      """

  @conformance
  Scenario: Scaling what does not exist is the API server's 404
    When "admin" runs "kubectl scale deployment shop --replicas=2"
    And the cluster settles
    Then the request was rejected with code 404 and message:
      """
      deployments.apps "shop" not found
      """

  @conformance
  Scenario: A user allowed to read Deployments but not to scale them
    Given a user "viewer"
    And the cluster already has:
      """yaml
      apiVersion: rbac.authorization.k8s.io/v1
      kind: RoleBinding
      metadata:
        name: viewer
      roleRef:
        apiGroup: rbac.authorization.k8s.io
        kind: ClusterRole
        name: view
      subjects:
      - apiGroup: rbac.authorization.k8s.io
        kind: User
        name: viewer
      """
    When "viewer" runs "kubectl scale deployment web --replicas=2"
    And the cluster settles
    Then the request was rejected with code 403 and message:
      """
      deployments.apps "web" is forbidden: User "viewer" cannot patch resource "deployments/scale" in API group "apps" in the namespace "default"
      """

  @conformance
  Scenario: A cordoned node takes no new pods until it is uncordoned
    The first pod may run on either node (a real scheduler breaks ties at
    random, and may not know node02 yet when it places it); a cordon keeps
    it where it is and keeps every new pod off node02.

    When "admin" runs "kubectl cordon node02"
    And the cluster settles
    And "admin" runs "kubectl cordon node02"
    And "admin" runs "kubectl scale deployment web --replicas=4"
    And the cluster settles
    Then the trace satisfies:
      """cel
      requests.exists(r, r.message == 'node/node02 cordoned') &&
      requests.exists(r, r.message == 'node/node02 already cordoned') &&
      pods.size() == 4 && pods.filter(p, p.spec.nodeName == 'node02').size() <= 1 &&
      nodes.exists(n, n.metadata.name == 'node02' && n.spec.unschedulable)
      """
    When "admin" runs "kubectl uncordon node02"
    And the cluster settles
    And "admin" runs "kubectl scale deployment web --replicas=6"
    And the cluster settles
    Then the trace satisfies:
      """cel
      requests.exists(r, r.message == 'node/node02 uncordoned') &&
      pods.filter(p, p.spec.nodeName == 'node02').size() >= 2 &&
      nodes.all(n, !has(n.spec.unschedulable))
      """
    And the trace matches the golden file

  @conformance
  Scenario: Deleting a Deployment's pods by label does not scale it down
    `kubectl delete pods -l app=web` lists the pods the selector matches
    and deletes them one after the other; the ReplicaSet, which still
    wants three, creates three new ones. To run fewer pods, scale the
    Deployment: its ReplicaSet then deletes the ones it no longer needs.
    When "admin" runs "kubectl scale deployment web --replicas=3"
    And the cluster settles
    And "admin" runs "kubectl delete pods -l app=web"
    And the cluster settles
    Then every request was accepted
    And the trace satisfies:
      """cel
      pods.size() == 3 && pods.all(p, p.status.phase == 'Running') &&
      requests.exists(r, r.message.matches('^(pod "web-[a-z0-9]+-[a-z0-9]{5}" deleted from default namespace\n?){3}$') &&
        pods.all(p, !r.message.contains('"' + p.metadata.name + '"')))
      """
    When "admin" runs "kubectl delete deployments --all"
    And the cluster settles
    Then kubectl printed:
      """
      deployment.apps "web" deleted from default namespace
      """
    And the trace satisfies:
      """cel
      pods.size() == 0
      """
    And the trace matches the golden file

  @conformance
  Scenario: A selector that matches nothing, and the command lines kubectl refuses
    When "admin" runs "kubectl delete pods -l app=shop"
    And the cluster settles
    Then kubectl printed:
      """
      No resources found
      """
    When "admin" runs "kubectl delete pods"
    Then the request was rejected with code 0 and message:
      """
      resource(s) were provided, but no name was specified
      """
    When "admin" runs "kubectl delete deployment web -l app=web"
    Then the request was rejected with code 0 and message:
      """
      name cannot be provided when a selector is specified
      """
    When "admin" runs "kubectl delete pods --all -l app=web"
    Then the trace satisfies:
      """cel
      requests.exists(r, r.code == 0 && r.message == "setting 'all' parameter but found a non empty selector. ")
      """
    When "admin" runs "kubectl delete pods -l 'app in (web'"
    And the cluster settles
    Then the request was rejected with code 400 and message:
      """
      Unable to find "/v1, Resource=pods" that match label selector "app in (web", field selector "": unable to parse requirement: found '', expected: ',' or ')'
      """
    And the trace satisfies:
      """cel
      pods.size() == 1
      """

  @conformance
  Scenario: Taints turn new pods away, and a NoExecute taint evicts the pods already there
    A NoSchedule taint only keeps new pods off the node. A NoExecute taint
    also evicts the pods there that do not tolerate it: the taint eviction
    controller deletes them at once, and their ReplicaSet's new pods find
    no node until a taint goes. The first pod may already run on node02 (a
    real scheduler breaks ties at random); the NoSchedule taint leaves it
    there, and the NoExecute taint on node01 does not touch it.
    When "admin" runs "kubectl taint nodes node02 dedicated=db:NoSchedule"
    And the cluster settles
    Then kubectl printed:
      """
      node/node02 tainted
      """
    When "admin" runs "kubectl scale deployment web --replicas=3"
    And the cluster settles
    Then the trace satisfies:
      """cel
      pods.size() == 3 && pods.filter(p, p.spec.nodeName == 'node02').size() <= 1
      """
    When "admin" runs "kubectl taint node/node01 maintenance:NoExecute"
    And the cluster settles
    Then the trace satisfies:
      """cel
      events.filter(e, e.reason == 'TaintManagerEviction' && e.message.startsWith('Marking for deletion Pod default/web-')).size() >= 2 &&
      events.filter(e, e.reason == 'TaintManagerEviction').size() == pods.filter(p, p.status.phase == 'Pending' && !has(p.spec.nodeName)).size() &&
      pods.size() == 3 && pods.all(p, !has(p.spec.nodeName) || p.spec.nodeName == 'node02')
      """
    When "admin" runs "kubectl taint nodes node02 dedicated=db:NoSchedule"
    And the cluster settles
    Then the request was rejected with code 0 and message:
      """
      node node02 already has dedicated taint(s) with same effect(s) and --overwrite is false
      """
    When "admin" runs "kubectl taint nodes node02 dedicated-"
    And the cluster settles
    Then kubectl printed:
      """
      node/node02 untainted
      """
    And the trace satisfies:
      """cel
      pods.size() == 3 && pods.all(p, p.spec.nodeName == 'node02' && p.status.phase == 'Running')
      """
    And the trace matches the golden file

  @conformance
  Scenario: A new image rolls the Deployment out; the same image again changes nothing
    `kubectl set image` reads the Deployment and patches the container's
    image. The new template gets a new ReplicaSet, which takes over from
    the old one. Run again, kubectl finds nothing to change: it sends no
    patch and prints nothing.
    When "admin" runs "kubectl set image deployment/web app=nginx:1.28"
    And the cluster settles
    Then kubectl printed:
      """
      deployment.apps/web image updated
      """
    And the trace satisfies:
      """cel
      pods.size() == 1 && pods.all(p, p.spec.containers[0].image == 'nginx:1.28' && p.status.phase == 'Running') &&
      events.exists(e, e.reason == 'ScalingReplicaSet' && e.message.startsWith('Scaled down replica set web-') && e.message.endsWith(' from 1 to 0'))
      """
    When "admin" runs "kubectl set image deployment web app=nginx:1.28"
    And the cluster settles
    Then the trace satisfies:
      """cel
      requests.filter(r, r.verb == 'set image').size() == 2 &&
      requests.filter(r, r.message == 'deployment.apps/web image updated').size() == 1
      """
    When "admin" runs "kubectl set image deployment/web sidecar=busybox:1.36"
    And the cluster settles
    Then the request was rejected with code 0 and message:
      """
      unable to find container named "sidecar"
      """
    And the trace matches the golden file

  Scenario: A new image for a bare pod restarts its container in place
    A pod's container may take a new image, and nothing else of its spec
    changes. No controller replaces the pod: its kubelet finds the
    container's definition changed, kills it (its preStop hook and the
    grace period as for any kill) and starts it again with the new image,
    whatever the pod's restartPolicy. The pod keeps its name, node and IP;
    its restartCount goes up by one.
    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: solo
      spec:
        restartPolicy: Never
        containers:
        - name: app
          image: nginx:1.27
      """
    And the cluster settles
    And "admin" runs "kubectl set image pod/solo app=nginx:1.28"
    And the cluster settles
    Then kubectl printed:
      """
      pod/solo image updated
      """
    And the trace satisfies:
      """cel
      events.exists(e, e.object == 'pod/default/solo{app}' && e.reason == 'Killing'
        && e.message == 'Container app definition changed, will be restarted') &&
      pods.exists(p, p.metadata.name == 'solo' && p.metadata.generation == 2
        && p.status.observedGeneration == 2 && p.status.phase == 'Running'
        && p.status.containerStatuses[0].image == 'nginx:1.28'
        && p.status.containerStatuses[0].restartCount == 1
        && has(p.status.containerStatuses[0].state.running))
      """
    And the trace matches the golden file

  @conformance
  Scenario: A paused Deployment holds a new image back until it is resumed
    `kubectl rollout pause` sets the Deployment's spec.paused. Its
    controller then leaves the ReplicaSets alone: the new image is stored
    in the template, but no pod runs it until `kubectl rollout resume`.
    When "admin" runs "kubectl rollout pause deployment/web"
    And the cluster settles
    Then kubectl printed:
      """
      deployment.apps/web paused
      """
    When "admin" runs "kubectl rollout pause deployment/web"
    And the cluster settles
    Then the request was rejected with code 0 and message:
      """
      deployments.apps "web" is already paused
      """
    When "admin" runs "kubectl set image deployment/web app=nginx:1.28"
    And the cluster settles
    Then the trace satisfies:
      """cel
      pods.size() == 1 && pods.all(p, p.spec.containers[0].image == 'nginx:1.27')
      """
    When "admin" runs "kubectl rollout resume deployment/web"
    And the cluster settles
    Then kubectl printed:
      """
      deployment.apps/web resumed
      """
    And the trace satisfies:
      """cel
      pods.size() == 1 && pods.all(p, p.spec.containers[0].image == 'nginx:1.28' && p.status.phase == 'Running')
      """
    When "admin" runs "kubectl rollout resume deployment/web"
    And the cluster settles
    Then the request was rejected with code 0 and message:
      """
      deployments.apps "web" is not paused
      """
    And the trace matches the golden file

  @conformance
  Scenario: A rollout undo brings the previous ReplicaSet back as the newest revision
    A Deployment keeps every template it has run as a ReplicaSet, numbered
    by its deployment.kubernetes.io/revision annotation. `kubectl rollout
    undo` lists them, takes the one before the newest (or the one
    --to-revision names) and patches its template back into the
    Deployment. The controller creates no ReplicaSet: it renumbers the old
    one as revision 3 and scales it up again, so the new pod carries the
    first version's pod-template-hash: that of the ReplicaSet the new image
    scaled down. A first revision has nothing to go back to.
    When "admin" runs "kubectl rollout undo deployment/web"
    And the cluster settles
    Then the request was rejected with code 0 and message:
      """
      no rollout history found for deployment "web"
      """
    When "admin" runs "kubectl set image deployment/web app=nginx:1.28"
    And the cluster settles
    And "admin" runs "kubectl rollout undo deployment/web"
    And the cluster settles
    Then kubectl printed:
      """
      deployment.apps/web rolled back
      """
    And the trace satisfies:
      """cel
      pods.size() == 1 && pods.all(p, p.spec.containers[0].image == 'nginx:1.27' && p.status.phase == 'Running') &&
      events.exists(e, e.reason == 'ScalingReplicaSet' &&
        e.message == 'Scaled down replica set web-' + pods[0].metadata.labels['pod-template-hash'] + ' from 1 to 0')
      """
    When "admin" runs "kubectl rollout undo deployment/web --to-revision=9"
    And the cluster settles
    Then the request was rejected with code 0 and message:
      """
      unable to find specified revision 9 in history
      """
    When "admin" runs "kubectl rollout undo deployment/web --to-revision=3"
    And the cluster settles
    Then kubectl printed:
      """
      deployment.apps/web skipped rollback (current template already matches revision 3)
      """
    And the trace matches the golden file

  @conformance
  Scenario: kubectl rollout status follows a rollout until every replica is updated and available
    `kubectl rollout status` watches the Deployment and prints a line for
    each state it is shown: how many replicas are updated, how many old
    ones are still to go, how many are available, until the rollout is
    done. How many waiting lines there are depends on how often the
    controller writes the status, so only the last line is pinned here.
    When the cluster settles
    And "admin" runs "kubectl rollout status deployment/web"
    And the cluster settles
    Then kubectl printed:
      """
      deployment "web" successfully rolled out
      """
    When "admin" runs "kubectl set image deployment/web app=nginx:1.28"
    And "admin" runs "kubectl rollout status deployment/web"
    And the cluster settles
    Then the trace satisfies:
      """cel
      requests.exists(r, r.verb == 'rollout status' &&
        r.message.startsWith('Waiting for deployment ') &&
        r.message.endsWith('\ndeployment "web" successfully rolled out'))
      """
    When "admin" runs "kubectl rollout status deployment/api"
    And the cluster settles
    Then the request was rejected with code 404 and message:
      """
      deployments.apps "api" not found
      """
    And the trace matches the golden file

  Scenario: A rollout restart with readiness and a preStop sleep drops no request
    Given the cluster already has:
      """yaml
      apiVersion: v1
      kind: Service
      metadata:
        name: shop
      spec:
        selector:
          app: shop
        ports:
        - port: 80
          targetPort: 8080
      """
    When "admin" applies:
      """yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: shop
      spec:
        replicas: 2
        strategy:
          rollingUpdate:
            maxSurge: 1
            maxUnavailable: 0
        selector:
          matchLabels:
            app: shop
        template:
          metadata:
            labels:
              app: shop
          spec:
            containers:
            - name: app
              image: shop:1.0
              ports:
              - containerPort: 8080
              readinessProbe:
                httpGet:
                  path: /ready
                  port: 8080
                periodSeconds: 1
              lifecycle:
                preStop:
                  sleep:
                    seconds: 5
      """
    And the cluster settles
    And clients send 20 requests per second to service "shop" through kube-proxy on node "node01" for 30s
    And "admin" runs "kubectl rollout restart deployment/shop"
    And the cluster settles
    Then no request failed
    And the trace satisfies:
      """cel
      requests.exists(r, r.message == 'deployment.apps/shop restarted') &&
      pods.filter(p, p.metadata.labels.app == 'shop').size() == 2 &&
      pods.filter(p, p.metadata.labels.app == 'shop').all(p,
        p.metadata.annotations['kubectl.kubernetes.io/restartedAt'] != '' && p.status.phase == 'Running')
      """
    And the trace matches the golden file


  @conformance
  Scenario: A pod waiting for a labelled node is scheduled once the node is labelled
    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: fast
      spec:
        nodeSelector:
          disktype: ssd
        containers:
        - name: app
          image: nginx:1.27
      """
    And the cluster settles
    Then pod "fast" is not scheduled
    When "admin" runs "kubectl label node node02 disktype=ssd"
    And the cluster settles
    Then pod "fast" is on node "node02"
    And the trace satisfies:
      """cel
      requests.exists(r, r.message == 'node/node02 labeled')
      """

  @conformance
  Scenario: kubectl label changes a value only when told to overwrite it
    When "admin" runs "kubectl label node node01 zone=a"
    And the cluster settles
    And "admin" runs "kubectl label node/node01 zone=b"
    And the cluster settles
    Then the request was rejected with code 0 and message:
      """
      'zone' already has a value (a), and --overwrite is false
      """
    When "admin" runs "kubectl label node node01 zone=b --overwrite"
    And the cluster settles
    And "admin" runs "kubectl label node node01 zone- rack-"
    And the cluster settles
    Then the trace satisfies:
      """cel
      requests.exists(r, r.message == 'node/node01 labeled') &&
      requests.exists(r, r.message == 'label "rack" not found.\nnode/node01 unlabeled') &&
      nodes.exists(n, n.metadata.name == 'node01' && !('zone' in n.metadata.labels))
      """

  @conformance
  Scenario: kubectl annotate keeps a value unless told to overwrite it, but for the change cause
    `kubectl annotate` reads the object and merge-patches its annotations.
    An annotation that already holds another value stays, unless
    --overwrite says otherwise; kubernetes.io/change-cause, the line
    `kubectl rollout history` shows for a revision, is always replaced.
    When "admin" runs "kubectl annotate deployment/web team=shop"
    And the cluster settles
    And "admin" runs "kubectl annotate deployment web team=web"
    And the cluster settles
    Then the request was rejected with code 0 and message:
      """
      --overwrite is false but found the following declared annotation(s): 'team' already has a value (shop)
      """
    When "admin" runs "kubectl annotate deployment/web kubernetes.io/change-cause='first release'"
    And the cluster settles
    And "admin" runs "kubectl annotate deployment/web kubernetes.io/change-cause='second release' team=web --overwrite"
    And the cluster settles
    And "admin" runs "kubectl annotate node node01 team=web team-"
    And the cluster settles
    Then the request was rejected with code 0 and message:
      """
      can not both modify and remove the following annotation(s) in the same command: team
      """
    When "admin" runs "kubectl annotate node/node01 maintenance=planned"
    And the cluster settles
    Then the trace satisfies:
      """cel
      requests.filter(r, r.message == 'deployment.apps/web annotated').size() == 3 &&
      nodes.exists(n, n.metadata.name == 'node01' && n.metadata.annotations['maintenance'] == 'planned')
      """
    And the trace matches the golden file

  @conformance
  Scenario: kubectl delete -f deletes what the manifests name, and reports what is not there
    A refusal does not stop the other deletions: kubectl prints it at the
    end, and waits for nothing.
    When "admin" deletes:
      """yaml
      apiVersion: v1
      kind: Service
      metadata:
        name: shop
      ---
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: web
      """
    And the cluster settles
    Then kubectl printed:
      """
      deployment.apps "web" deleted from default namespace
      Error from server (NotFound): error when deleting "day2_operations.feature": services "shop" not found
      """
    And the trace satisfies:
      """cel
      pods.size() == 0
      """

  Scenario: kubectl delete waits for the object to be gone, unless told not to
    After the DELETE kubectl reads the pod, and while it is still there
    lists and watches it by name until its deletion: the command ends with
    the pod, 30 seconds of grace later for an application that ignores
    SIGTERM. With --wait=false it ends with the server's answer.
    Given the registry serves images:
      | image    | exits after SIGTERM |
      | slow:1.0 | 1h                  |
    And the cluster already has:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: slow
      spec:
        containers:
        - name: app
          image: slow:1.0
      ---
      apiVersion: v1
      kind: Pod
      metadata:
        name: quick
      spec:
        containers:
        - name: app
          image: nginx:1.27
      """
    And the cluster settles
    When "admin" runs "kubectl delete pod slow"
    And 10s pass
    Then kubectl is still running
    When the cluster settles
    Then kubectl printed:
      """
      pod "slow" deleted from default namespace
      """
    And the trace satisfies:
      """cel
      events.exists(e, e.component == 'kubectl' && e.message == 'GET /api/v1/namespaces/default/pods?fieldSelector=metadata.name%3Dslow as "admin"')
      """
    When "admin" runs "kubectl delete pod quick --wait=false"
    And 100ms pass
    Then kubectl printed:
      """
      pod "quick" deleted from default namespace
      """

  @conformance
  Scenario: kubectl rollout status gives up at its --timeout, and the rollout goes on
    `--timeout` bounds kubectl's watch: when it runs out before the
    rollout is done, kubectl says so and exits 1. The Deployment is not
    touched: its deadline (10 minutes by default) is still far.
    When "admin" applies:
      """yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: big
      spec:
        replicas: 1
        selector:
          matchLabels:
            app: big
        template:
          metadata:
            labels:
              app: big
          spec:
            containers:
            - name: app
              image: nginx:1.27
              resources:
                requests:
                  cpu: "100"
      """
    And "admin" runs "kubectl rollout status deployment/big --timeout=3s"
    And 1s passes
    Then kubectl is still running
    When 4s pass
    And the cluster settles
    Then the trace satisfies:
      """cel
      requests.exists(r, r.verb == 'rollout status' && r.code == 0 && r.message == 'timed out waiting for the condition') &&
      pods.exists(p, p.metadata.name.startsWith('big-') && p.status.phase == 'Pending')
      """

  @conformance
  Scenario: A rollout that cannot progress exceeds its deadline, and rollout status says so
    The Deployment controller stamps the Progressing condition each time
    the rollout moves. A pod no node can hold never moves it: once
    progressDeadlineSeconds have passed since the last stamp, Progressing
    turns False (ProgressDeadlineExceeded), and `kubectl rollout status`
    gives up with an error. Nothing is rolled back.
    When "admin" applies:
      """yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: big
      spec:
        replicas: 1
        progressDeadlineSeconds: 10
        selector:
          matchLabels:
            app: big
        template:
          metadata:
            labels:
              app: big
          spec:
            containers:
            - name: app
              image: nginx:1.27
              resources:
                requests:
                  cpu: "100"
      """
    And "admin" runs "kubectl rollout status deployment big"
    And 15s pass
    And the cluster settles
    Then the trace satisfies:
      """cel
      requests.exists(r, r.verb == 'rollout status' && r.code == 0 && r.message == 'deployment "big" exceeded its progress deadline') &&
      pods.exists(p, p.metadata.name.startsWith('big-') && p.status.phase == 'Pending')
      """
