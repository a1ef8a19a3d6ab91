//lint:file-ignore SA1019 the legacy v1 Endpoints are what this test checks

package model

import (
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/podlife/podlife/model/controllers"
	"github.com/podlife/podlife/model/kubectl"
	"github.com/podlife/podlife/model/sim"
)

const endpointsServices = `apiVersion: v1
kind: Service
metadata:
  name: web
  labels:
    team: shop
spec:
  selector:
    app: web
  ports:
  - name: http
    port: 80
    targetPort: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: early
spec:
  clusterIP: None
  publishNotReadyAddresses: true
  selector:
    app: web
  ports:
  - port: 8080
---
apiVersion: v1
kind: Pod
metadata:
  name: web-0
  labels:
    app: web
spec:
  containers:
  - name: app
    image: shop:1.0
    readinessProbe:
      initialDelaySeconds: 5
      httpGet:
        port: 8080
    lifecycle:
      preStop:
        sleep:
          seconds: 5
`

// The legacy Endpoints (pkg/controller/endpoint): a pod with an IP that
// is not Ready is a notReadyAddress, a Ready one an address, a terminating
// one is gone at once; publishNotReadyAddresses keeps all three as
// addresses. Labels are the Service's, the headless mark and the
// controller's own.
func TestEndpointsFollowReadinessAndTermination(t *testing.T) {
	c := New(Options{})
	c.AddNode(node("node01", "2"), nil)
	apply(t, c, "admin", endpointsServices)
	endpoints := func(name string) *corev1.Endpoints {
		t.Helper()
		ep, ok := c.Store.Get(sim.Key{Kind: "Endpoints", Namespace: "default", Name: name}).(*corev1.Endpoints)
		if !ok {
			t.Fatalf("no Endpoints %s", name)
		}
		return ep
	}
	count := func(ep *corev1.Endpoints) (ready, notReady int) {
		for _, s := range ep.Subsets {
			ready, notReady = ready+len(s.Addresses), notReady+len(s.NotReadyAddresses)
		}
		return ready, notReady
	}
	check := func(when, name string, wantReady, wantNotReady int) {
		t.Helper()
		if r, n := count(endpoints(name)); r != wantReady || n != wantNotReady {
			t.Errorf("%s, %s has %d ready and %d not-ready addresses, want %d and %d", when, name, r, n, wantReady, wantNotReady)
		}
	}
	// Running, with its IP, and not Ready until the probe's delay is over.
	c.Advance(4 * sim.Second)
	check("before the readiness probe", "web", 0, 1)
	check("before the readiness probe", "early", 1, 0)
	if err := c.Settle(); err != nil {
		t.Fatal(err)
	}
	check("once it is Ready", "web", 1, 0)
	web := endpoints("web")
	if p := web.Subsets[0].Ports; len(p) != 1 || p[0].Name != "http" || p[0].Port != 8080 {
		t.Errorf("web's ports are %+v, want http 8080", p)
	}
	if web.Labels["team"] != "shop" || web.Labels[controllers.EndpointsManagedByLabel] != "endpoint-controller" {
		t.Errorf("web's labels are %v", web.Labels)
	}
	if _, headless := web.Labels[corev1.IsHeadlessService]; headless {
		t.Error("a ClusterIP Service's Endpoints are marked headless")
	}
	if _, headless := endpoints("early").Labels[corev1.IsHeadlessService]; !headless {
		t.Error("a headless Service's Endpoints are not marked headless")
	}
	c.Delete("Pod", "default", "web-0", "admin", kubectl.DeleteOptions{GracePeriod: -1, NoWait: true})
	c.Advance(sim.Second)
	check("while the pod terminates", "web", 0, 0)
	check("while the pod terminates", "early", 1, 0)
}
