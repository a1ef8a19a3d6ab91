Feature: Graceful shutdown: who stops sending traffic to a pod, and when
  Deleting a pod starts two things at the same instant that nobody
  coordinates. The kubelet runs the preStop hook and sends SIGTERM; the
  EndpointSlice controller marks the endpoint terminating, and every
  kube-proxy, CoreDNS and the ingress controller learn of it through their
  own watches, each reprogramming on its own schedule. Until a node's
  kube-proxy has reprogrammed, it keeps sending new connections to the pod.
  An application that stops accepting on SIGTERM loses those requests; a
  preStop sleep longer than the propagation delay loses none.

  These scenarios give kube-proxy half a second to rewrite its rules, as on
  a cluster with a few thousand Services, so the race is easy to see.

  Background:
    Given the latency of kube-proxy-sync is 500ms
    And a cluster with nodes:
      | name   |
      | node01 |
      | node02 |
    And the registry serves images:
      | image    | pull | stops accepting after SIGTERM | exits after SIGTERM |
      | shop:1.0 | 1s   | 0s                            | 0s                  |
      | shop:2.0 | 1s   | 3s                            | 4s                  |
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
        rules:
        - host: shop.example.com
          http:
            paths:
            - path: /
              pathType: Prefix
              backend:
                service:
                  name: shop
                  port:
                    number: 80
      ---
      apiVersion: v1
      kind: Pod
      metadata:
        name: shop-b
        labels:
          app: shop
      spec:
        nodeName: node02
        containers:
        - name: app
          image: shop:1.0
          ports:
          - containerPort: 8080
      """

  Scenario: An application that quits on SIGTERM loses the requests still routed to it
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
    And the cluster settles
    And clients send 20 requests per second to service "shop" through kube-proxy on node "node02" for 3s
    And 1s passes
    And "admin" runs "kubectl delete pod shop-a"
    And the cluster settles
    Then 5 requests failed
    And the trace satisfies:
      """cel
      traffic.filter(r, r.outcome != 'ok').all(r,
        r.pod == 'default/shop-a' &&
        r.time >= events.filter(e, e.action == 'stop-container')[0].time &&
        r.time < events.filter(e, e.component == 'kube-proxy/node02' &&
                                  e.message.contains('removed 10.244.0.2:8080'))[0].time)
      """
    And the trace matches the golden file

  # ingress-nginx keeps the pod in its upstream until it has reloaded, as
  # kube-proxy keeps it in its rules; but when a connection fails it tries
  # the next endpoint (proxy_next_upstream), so the client never sees it.
  Scenario: Through the ingress, the requests the quitting pod cannot take go to the other pod
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
    And the cluster settles
    And clients send 20 requests per second to "http://shop.example.com/" through the ingress for 3s
    And 1s passes
    And "admin" runs "kubectl delete pod shop-a"
    And the cluster settles
    Then no request failed
    And the trace satisfies:
      """cel
      events.exists(e, e.component == 'traffic' && e.message.endsWith('; trying the next upstream')) &&
      traffic.filter(r, r.time >= events.filter(e, e.action == 'stop-container')[0].time).all(r, r.pod == 'default/shop-b')
      """
    And the trace matches the golden file

  Scenario: A preStop sleep keeps the pod serving until every kube-proxy has moved on
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
          lifecycle:
            preStop:
              sleep:
                seconds: 5
      """
    And the cluster settles
    And clients send 20 requests per second to service "shop" through kube-proxy on node "node02" for 3s
    And 1s passes
    And "admin" runs "kubectl delete pod shop-a"
    And the cluster settles
    Then no request failed
    And the trace satisfies:
      """cel
      events.filter(e, e.action == 'program' && e.message.contains('removed 10.244.0.2:8080'))
        .all(p, p.seq < events.filter(e, e.action == 'stop-container')[0].seq)
      """
    And the trace matches the golden file

  Scenario: An application that drains for longer than its grace period is killed
    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: shop-a
        labels:
          app: shop
      spec:
        terminationGracePeriodSeconds: 3
        containers:
        - name: app
          image: shop:2.0
          ports:
          - containerPort: 8080
      """
    And the cluster settles
    And "admin" runs "kubectl delete pod shop-a"
    And the cluster settles
    Then the trace satisfies:
      """cel
      events.exists(e, e.object == 'pod/default/shop-a{app}' && e.action == 'exit' &&
        e.message == 'still running when the 3s timeout ran out: SIGKILL: exited with code 137')
      """
    And the trace matches the golden file

  # Requests take time: 3s each, as long as the grace period. The requests
  # that kube-proxy still sends to the pod after SIGTERM cannot finish
  # before the SIGKILL, and their connections are reset; those accepted
  # before SIGTERM just make it.
  Scenario: Requests still in flight when the grace period runs out are reset
    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: shop-a
        labels:
          app: shop
      spec:
        terminationGracePeriodSeconds: 3
        containers:
        - name: app
          image: shop:2.0
          ports:
          - containerPort: 8080
      """
    And the cluster settles
    And clients send 20 requests per second to service "shop" through kube-proxy on node "node02" for 3s, each taking 3s
    And 1s passes
    And "admin" runs "kubectl delete pod shop-a"
    And the cluster settles
    Then 5 requests failed
    And the trace satisfies:
      """cel
      traffic.filter(r, r.outcome != 'ok').all(r, r.outcome == 'reset' && r.pod == 'default/shop-a') &&
      events.filter(e, e.component == 'traffic' && e.message.contains('connection reset by peer'))
        .all(r, r.seq > events.filter(e, e.action == 'exit' && e.message.contains('SIGKILL'))[0].seq)
      """
    And the trace matches the golden file

  # The sequence that loses nothing: the application keeps accepting for 3s
  # after SIGTERM while every consumer drops the endpoint, then stops
  # accepting, finishes what it has in flight, and exits at 4s.
  Scenario: An application that keeps serving after SIGTERM and then drains loses nothing
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
          image: shop:2.0
          ports:
          - containerPort: 8080
      """
    And the cluster settles
    And clients send 20 requests per second to service "shop" through kube-proxy on node "node02" for 3s, each taking 500ms
    And 1s passes
    And "admin" runs "kubectl delete pod shop-a"
    And the cluster settles
    Then no request failed
    And the trace satisfies:
      """cel
      events.filter(e, e.action == 'program' && e.message.contains('removed 10.244.0.2:8080'))
        .map(e, e.component) == ['kube-proxy/node01', 'kube-proxy/node02', 'ingress-nginx'] &&
      events.filter(e, e.action == 'program' && e.message.contains('removed 10.244.0.2:8080'))
        .all(p, p.seq < events.filter(e, e.action == 'app')[0].seq) &&
      events.before('app', 'exit')
      """
    And the trace matches the golden file
