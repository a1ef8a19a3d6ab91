Feature: Ingress: how a request from outside finds a pod
  An Ingress says which Service a request for a host and a path goes to;
  an ingress controller does the routing. podlife's is ingress-nginx as its
  chart installs it: it claims the IngressClasses whose controller is
  k8s.io/ingress-nginx, serves the Ingresses of those classes, and leaves
  every other Ingress alone. Each change it sees through its watches makes
  it render its whole configuration and reload (the latency ingress-sync),
  so a new rule, like a new endpoint, takes effect a little later than
  the API says.

  Within a host, an Exact path wins over a Prefix one, and the longest
  matching prefix wins; a Prefix matches whole path elements, so /cart
  matches /cart/items but not /cartoon. A request no rule matches goes to
  an Ingress's defaultBackend, and without one gets a 404. The controller
  balances over the Service's ready endpoints only, and when a connection
  fails it tries the next one, up to three.

  Background:
    Given a cluster with nodes:
      | name   |
      | node01 |
      | node02 |
    And the registry serves images:
      | image    | pull |
      | shop:1.0 | 1s   |
    And the cluster already has:
      """yaml
      apiVersion: networking.k8s.io/v1
      kind: IngressClass
      metadata:
        name: nginx
      spec:
        controller: k8s.io/ingress-nginx
      ---
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
      apiVersion: v1
      kind: Service
      metadata:
        name: cart
      spec:
        selector:
          app: cart
        ports:
        - name: http
          port: 80
          targetPort: 9090
      ---
      apiVersion: v1
      kind: Pod
      metadata:
        name: shop-a
        labels:
          app: shop
      spec:
        nodeName: node01
        containers:
        - name: app
          image: shop:1.0
          ports:
          - containerPort: 8080
      ---
      apiVersion: v1
      kind: Pod
      metadata:
        name: cart-a
        labels:
          app: cart
      spec:
        nodeName: node02
        containers:
        - name: app
          image: shop:1.0
          ports:
          - containerPort: 9090
      """

  Scenario: Requests are routed by host and path to the Service a rule names
    When "admin" applies:
      """yaml
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
            - path: /cart
              pathType: Prefix
              backend:
                service:
                  name: cart
                  port:
                    name: http
      """
    And the cluster settles
    And clients send 2 requests per second to "http://shop.example.com/cart/items" through the ingress for 2s
    And clients send 2 requests per second to "http://shop.example.com/cartoon" through the ingress for 2s
    And the cluster settles
    Then no request failed
    And the trace satisfies:
      """cel
      traffic.filter(r, r.url == 'http://shop.example.com/cart/items').all(r, r.service == 'default/cart' && r.pod == 'default/cart-a') &&
      traffic.filter(r, r.url == 'http://shop.example.com/cartoon').all(r, r.service == 'default/shop' && r.pod == 'default/shop-a') &&
      events.exists(e, e.component == 'ingress-nginx' && e.object == 'ingress/default/shop' &&
        e.message == 'routes: shop.example.com/ (Prefix) → shop:80, shop.example.com/cart (Prefix) → cart:http')
      """
    And the trace matches the golden file

  Scenario: A request no rule matches gets a 404, until an Ingress gives a default backend
    When "admin" applies:
      """yaml
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
      """
    And the cluster settles
    And clients send 1 request per second to "http://www.example.com/" through the ingress for 6s
    And 2s passes
    And "admin" applies:
      """yaml
      apiVersion: networking.k8s.io/v1
      kind: Ingress
      metadata:
        name: fallback
      spec:
        ingressClassName: nginx
        defaultBackend:
          service:
            name: shop
            port:
              number: 80
      """
    And the cluster settles
    Then 4 requests failed
    And the trace satisfies:
      """cel
      traffic.filter(r, r.outcome == 'notfound').size() == 4 &&
      traffic.filter(r, r.outcome == 'notfound').all(r, r.time <
        events.filter(e, e.component == 'ingress-nginx' && e.object == 'ingress/default/fallback')[0].time) &&
      traffic.filter(r, r.outcome == 'ok').all(r, r.pod == 'default/shop-a')
      """
    And the trace matches the golden file

  # Deleting the only pod: until ingress-nginx has reloaded without it,
  # requests still go to it and fail at the gateway (502); after that the
  # upstream is empty and nginx answers 503 itself.
  Scenario: The last pod behind a rule is deleted: 502 while the controller lags, then 503
    When "admin" applies:
      """yaml
      apiVersion: networking.k8s.io/v1
      kind: Ingress
      metadata:
        name: shop
      spec:
        ingressClassName: nginx
        rules:
        - http:
            paths:
            - path: /
              pathType: Prefix
              backend:
                service:
                  name: shop
                  port:
                    number: 80
      """
    And the cluster settles
    And "admin" runs "kubectl delete pod shop-a --wait=false"
    And clients send 2 requests per second to "http://shop.example.com/" through the ingress for 4s
    And the cluster settles
    Then 7 requests failed
    And the trace satisfies:
      """cel
      traffic.map(r, r.outcome) == ['ok', 'unreachable', 'unreachable',
        'unavailable', 'unavailable', 'unavailable', 'unavailable', 'unavailable'] &&
      traffic.filter(r, r.outcome == 'unreachable').all(r, r.time <
        events.filter(e, e.component == 'ingress-nginx' && e.message.contains('removed 10.244.0.2:8080'))[0].time) &&
      events.filter(e, e.component == 'traffic' && e.action == 'request')[0].message.endsWith('502 Bad Gateway (no route to host)')
      """
    And the trace matches the golden file

  # ingress-nginx, as installed, serves no Ingress that names no class
  # (it would with --watch-ingress-without-class).
  Scenario: An Ingress that names no IngressClass is not served
    When "admin" applies:
      """yaml
      apiVersion: networking.k8s.io/v1
      kind: Ingress
      metadata:
        name: shop
      spec:
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
      """
    And the cluster settles
    And clients send 1 request per second to "http://shop.example.com/" through the ingress for 2s
    And the cluster settles
    Then 2 requests failed
    And the trace satisfies:
      """cel
      traffic.all(r, r.outcome == 'notfound') &&
      events.exists(e, e.component == 'ingress-nginx' && e.action == 'ignore' && e.object == 'ingress/default/shop' &&
        e.message == 'not served: it names no IngressClass, and ingress-nginx serves those only with --watch-ingress-without-class')
      """
    And the trace matches the golden file

  # The DefaultIngressClass admission plugin gives an Ingress created
  # without a class the class annotated as the cluster's default.
  @conformance
  Scenario: The API server gives an Ingress that names no class the default IngressClass
    When "admin" applies:
      """yaml
      apiVersion: networking.k8s.io/v1
      kind: IngressClass
      metadata:
        name: public
        annotations:
          ingressclass.kubernetes.io/is-default-class: "true"
      spec:
        controller: k8s.io/ingress-nginx
      ---
      apiVersion: networking.k8s.io/v1
      kind: Ingress
      metadata:
        name: shop
      spec:
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
      """
    And the cluster settles
    Then kubectl printed:
      """
      ingressclass.networking.k8s.io/public created
      ingress.networking.k8s.io/shop created
      """
    And the trace satisfies:
      """cel
      ingresses.exists(i, i.metadata.name == 'shop' && i.spec.ingressClassName == 'public')
      """
    And the trace matches the golden file

  @conformance
  Scenario: An Ingress path that is not absolute is refused
    When "admin" applies:
      """yaml
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
            - path: cart
              pathType: Prefix
              backend:
                service:
                  name: cart
                  port:
                    number: 8080
      """
    And the cluster settles
    Then kubectl printed:
      """
      The Ingress "shop" is invalid: spec.rules[0].http.paths[0].path: Invalid value: "cart": must be an absolute path
      """
