Feature: Services and their endpoints, as every consumer sees them
  The EndpointSlice controller lists the pods a Service selects. A pod
  joins as not ready, becomes ready when its readiness probe passes, and
  when it is deleted stays in the slice as terminating (ready=false,
  serving while it is still Ready) until it is gone. kube-proxy on every
  node, CoreDNS and the ingress controller (for the Services its Ingresses
  name) each learn of every change through their own watch and reprogram
  on their own schedule.

  Background:
    Given a cluster with nodes:
      | name   |
      | node01 |
      | node02 |
    And the registry serves images:
      | image    | pull |
      | shop:1.0 | 1s   |

  Scenario: An endpoint's life: not ready, ready, terminating, gone
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
        - name: http
          port: 80
          targetPort: http
      """
    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: shop-a
        labels:
          app: shop
      spec:
        terminationGracePeriodSeconds: 5
        containers:
        - name: app
          image: shop:1.0
          ports:
          - name: http
            containerPort: 8080
          readinessProbe:
            tcpSocket:
              port: http
            initialDelaySeconds: 2
            periodSeconds: 1
          lifecycle:
            preStop:
              sleep:
                seconds: 2
      """
    And the cluster settles
    And "admin" runs "kubectl delete pod shop-a"
    And the cluster settles
    Then the trace satisfies:
      """cel
      events.filter(e, e.component == 'endpointslice-controller').map(e, e.message) == [
        'EndpointSlice: no endpoints',
        'EndpointSlice: 10.244.0.2 (shop-a) r/s/t=false/false/false',
        'EndpointSlice: 10.244.0.2 (shop-a) r/s/t=true/true/false',
        'EndpointSlice: 10.244.0.2 (shop-a) r/s/t=false/true/true',
        'EndpointSlice: 10.244.0.2 (shop-a) r/s/t=false/false/true',
        'EndpointSlice: no endpoints'
      ]
      """
    And the trace matches the golden file

  # The same life as any client of the API sees it, a real control plane
  # included: while a deleted pod shuts down, its endpoint stays in the
  # slice, no longer ready but still serving, and terminating; it leaves
  # with the pod. The legacy Endpoints object, which the endpoints
  # controller still keeps beside the slices, drops it at once.
  @conformance
  Scenario: A deleted pod's endpoint stays in the slice, terminating, until the pod is gone
    Given the registry serves images:
      | image    | exits after SIGTERM |
      | shop:1.0 | 8s                  |
    And the cluster already has:
      """yaml
      apiVersion: v1
      kind: Service
      metadata:
        name: shop
      spec:
        selector:
          app: shop
        ports:
        - name: http
          port: 80
          targetPort: http
      """
    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: shop-a
        labels:
          app: shop
      spec:
        terminationGracePeriodSeconds: 8
        containers:
        - name: app
          image: shop:1.0
          ports:
          - name: http
            containerPort: 8080
      """
    And the cluster settles
    Then the trace satisfies:
      """cel
      endpointslices.exists(s, s.endpoints.exists(e, e.targetRef.name == 'shop-a' &&
        e.conditions.ready && e.conditions.serving && !e.conditions.terminating)) &&
      endpoints.exists(ep, ep.metadata.name == 'shop' &&
        ep.metadata.labels['endpoints.kubernetes.io/managed-by'] == 'endpoint-controller' &&
        ep.subsets.size() == 1 &&
        ep.subsets[0].addresses.map(a, a.targetRef.name) == ['shop-a'] &&
        ep.subsets[0].ports.map(p, [p.name, p.port]) == [['http', 8080]])
      """
    When "admin" runs "kubectl delete pod shop-a"
    And 3s pass
    Then the trace satisfies:
      """cel
      endpointslices.exists(s, s.endpoints.exists(e, e.targetRef.name == 'shop-a' &&
        !e.conditions.ready && e.conditions.serving && e.conditions.terminating)) &&
      endpoints.exists(ep, ep.metadata.name == 'shop' && !has(ep.subsets))
      """
    When the cluster settles
    Then the trace satisfies:
      """cel
      pods.size() == 0 &&
      !endpointslices.exists(s, has(s.endpoints) && s.endpoints != null && s.endpoints.exists(e, e.targetRef.name == 'shop-a'))
      """
    And the trace matches the golden file

  Scenario: A headless Service's DNS records are its ready pods; a ClusterIP Service's is its ClusterIP
    Given the cluster already has:
      """yaml
      apiVersion: v1
      kind: Service
      metadata:
        name: db
      spec:
        clusterIP: None
        selector:
          app: db
        ports:
        - port: 5432
      ---
      apiVersion: v1
      kind: Service
      metadata:
        name: web
      spec:
        selector:
          app: db
        ports:
        - port: 80
          targetPort: 5432
      """
    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: db-0
        labels:
          app: db
      spec:
        containers:
        - name: db
          image: shop:1.0
          ports:
          - containerPort: 5432
      """
    And the cluster settles
    Then the trace satisfies:
      """cel
      events.exists(e, e.component == 'coredns' && e.object == 'service/default/db' &&
        e.message == 'A records: 10.244.0.2 (added 10.244.0.2)') &&
      events.exists(e, e.component == 'coredns' && e.object == 'service/default/web' &&
        e.message.startsWith('A records: 10.96.0.'))
      """
    And the trace matches the golden file

  # The stable names a StatefulSet's pods get: a pod whose hostname is set
  # and whose subdomain is a headless Service in its namespace answers at
  # HOSTNAME.SERVICE.NAMESPACE.svc, published through the endpoint's
  # hostname. A pod without the subdomain is only in the Service's record.
  Scenario: A pod whose subdomain is a headless Service gets its own DNS name
    Given the cluster already has:
      """yaml
      apiVersion: v1
      kind: Service
      metadata:
        name: db
      spec:
        clusterIP: None
        selector:
          app: db
        ports:
        - port: 5432
      """
    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: db-0
        labels:
          app: db
      spec:
        hostname: db-0
        subdomain: db
        containers:
        - name: db
          image: shop:1.0
      ---
      apiVersion: v1
      kind: Pod
      metadata:
        name: backup
        labels:
          app: db
      spec:
        hostname: backup
        containers:
        - name: db
          image: shop:1.0
      """
    And the cluster settles
    Then the trace satisfies:
      """cel
      events.exists(e, e.component == 'coredns' && e.object == 'service/default/db' &&
        e.message.startsWith('A records: 10.244.1.2, 10.244.0.2 as db-0.db ('))
      """
    And the trace matches the golden file

  Scenario: Traffic through the ingress follows the ingress controller's slower view
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
      ---
      apiVersion: networking.k8s.io/v1
      kind: IngressClass
      metadata:
        name: nginx
      spec:
        controller: k8s.io/ingress-nginx
      ---
      apiVersion: networking.k8s.io/v1
      kind: Ingress
      metadata:
        name: shop
      spec:
        ingressClassName: nginx
        defaultBackend:
          service:
            name: shop
            port:
              number: 80
      """
    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: shop-a
        labels:
          app: shop
      spec:
        containers:
        - name: app
          image: shop:1.0
          ports:
          - containerPort: 8080
      """
    And clients send 10 requests per second to "http://shop.example.com/" through the ingress for 5s
    And the cluster settles
    Then the trace satisfies:
      """cel
      traffic.filter(r, r.outcome == 'ok').size() > 0 &&
      traffic.filter(r, r.outcome == 'ok')[0].time >=
        events.filter(e, e.component == 'ingress-nginx' && e.action == 'program')[0].time
      """
    And the trace matches the golden file

  # A client that looks a headless Service up dials the pods CoreDNS named,
  # and keeps that answer for the DNS TTL: a deleted pod it learnt of stays
  # in its answer after CoreDNS has dropped it.
  Scenario: A cached DNS answer outlives the endpoint it names
    Given the cluster already has:
      """yaml
      apiVersion: v1
      kind: Service
      metadata:
        name: db
      spec:
        clusterIP: None
        selector:
          app: db
        ports:
        - port: 5432
      """
    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: db-0
        labels:
          app: db
      spec:
        containers:
        - name: db
          image: shop:1.0
          ports:
          - containerPort: 5432
      ---
      apiVersion: v1
      kind: Pod
      metadata:
        name: db-1
        labels:
          app: db
      spec:
        containers:
        - name: db
          image: shop:1.0
          ports:
          - containerPort: 5432
      """
    And the cluster settles
    And clients send 10 requests per second to service "db" through DNS on node "node01" for 8s
    And 1s passes
    And "admin" runs "kubectl delete pod db-0"
    And the cluster settles
    Then the trace satisfies:
      """cel
      traffic.filter(r, r.outcome != 'ok').size() > 0 &&
      traffic.filter(r, r.outcome != 'ok').all(r, r.pod == 'default/db-0' && r.via == 'dns/node01') &&
      traffic.filter(r, r.outcome != 'ok').exists(r, r.time >
        events.filter(e, e.component == 'coredns' && e.message.contains('removed'))[0].time)
      """
    And the trace matches the golden file
