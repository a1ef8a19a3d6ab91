package model

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/api/equality"

	"github.com/podlife/podlife/model/dataplane"
	"github.com/podlife/podlife/model/kubectl"
	"github.com/podlife/podlife/model/sim"
)

// visitor is a sim.Pruner that never prunes: it turns fingerprints on and
// collects the states a run goes through.
type visitor struct {
	sim.FIFO
	states []sim.Fingerprint
}

func (v *visitor) Visit(s sim.Fingerprint) bool {
	v.states = append(v.states, s)
	return false
}

const busyCluster = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop
spec:
  replicas: 3
  minReadySeconds: 1
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
        readinessProbe:
          httpGet:
            port: 8080
          periodSeconds: 1
        lifecycle:
          preStop:
            sleep:
              seconds: 2
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
kind: PersistentVolume
metadata:
  name: disk
spec:
  capacity:
    storage: 1Gi
  accessModes: [ReadWriteOnce]
  hostPath:
    path: /data
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
spec:
  accessModes: [ReadWriteOnce]
  storageClassName: ""
  resources:
    requests:
      storage: 1Gi
---
apiVersion: v1
kind: Pod
metadata:
  name: db
spec:
  containers:
  - name: db
    image: db:1.0
  volumes:
  - name: data
    persistentVolumeClaim:
      claimName: data
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: local
provisioner: kubernetes.io/no-provisioner
volumeBindingMode: WaitForFirstConsumer
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: cache
spec:
  accessModes: [ReadWriteOnce]
  storageClassName: local
  resources:
    requests:
      storage: 1Gi
---
apiVersion: v1
kind: PersistentVolume
metadata:
  name: local-disk
spec:
  capacity:
    storage: 1Gi
  accessModes: [ReadWriteOnce]
  storageClassName: local
  local:
    path: /mnt/disk
  nodeAffinity:
    required:
      nodeSelectorTerms:
      - matchExpressions:
        - key: kubernetes.io/hostname
          operator: In
          values: [node02]
---
apiVersion: v1
kind: Pod
metadata:
  name: worker
spec:
  initContainers:
  - name: setup
    image: busybox:1.36
  containers:
  - name: work
    image: worker:1.0
  volumes:
  - name: cache
    persistentVolumeClaim:
      claimName: cache
---
apiVersion: v1
kind: Pod
metadata:
  name: huge
spec:
  containers:
  - name: app
    image: app:1.0
    resources:
      requests:
        cpu: "64"
`

// busyRun starts a Deployment behind a Service with traffic through
// kube-proxy, CoreDNS and the ingress, a pod with a claim bound at once,
// one with an init container and a claim bound when it is scheduled, one
// that fits no node, then deletes a pod and the Deployment: every kind of
// task the model has.
func busyRun(t *testing.T, v *visitor) *Cluster {
	t.Helper()
	c := New(Options{Chooser: v})
	c.AddNode(node("node01", "4"), nil)
	c.AddNode(node("node02", "4"), nil)
	apply(t, c, "admin", busyCluster)
	if err := c.Settle(); err != nil {
		t.Fatal(err)
	}
	svc := dataplane.Target{Service: sim.Key{Kind: "Service", Namespace: "default", Name: "shop"}}
	url := dataplane.Target{Host: "shop.example.com", Path: "/cart"}
	for _, via := range []string{"kube-proxy/node01", "dns/node02", "ingress-nginx"} {
		target := svc
		if via == "ingress-nginx" {
			target = url
		}
		if err := c.SendTraffic(target, via, 10, 3*sim.Second, 50); err != nil {
			t.Fatal(err)
		}
	}
	c.Advance(sim.Second)
	c.Delete("Pod", "default", "db", "admin", kubectl.DeleteOptions{GracePeriod: -1})
	c.Delete("Deployment", "default", "shop", "admin", kubectl.DeleteOptions{GracePeriod: -1})
	if err := c.Settle(); err != nil {
		t.Fatal(err)
	}
	return c
}

// Every task the model schedules belongs to a component the fingerprints
// know: one that falls back to "depends on everything" still explores
// soundly, but walks orders that cannot differ.
func TestEveryTaskHasAComponent(t *testing.T) {
	v := &visitor{}
	c := busyRun(t, v)
	if unnamed := c.Engine.Unnamed(); len(unnamed) > 0 {
		t.Errorf("tasks with no component (name one in model/fingerprint.go or schedule them with AfterIn): %q", unnamed)
	}
	if len(v.states) < 100 {
		t.Errorf("only %d choices were fingerprinted", len(v.states))
	}
}

// The same run goes through the same states, and the states of one run
// are all different: time only moves on and tasks only add up.
func TestFingerprintsAreReproducibleAndDistinct(t *testing.T) {
	a, b := &visitor{}, &visitor{}
	busyRun(t, a)
	busyRun(t, b)
	if len(a.states) != len(b.states) {
		t.Fatalf("%d states, then %d", len(a.states), len(b.states))
	}
	seen := map[sim.Fingerprint]bool{}
	for i := range a.states {
		if a.states[i] != b.states[i] {
			t.Fatalf("state %d differs between two runs of the same path", i)
		}
		if seen[a.states[i]] {
			t.Fatalf("state %d repeats an earlier state of the same run", i)
		}
		seen[a.states[i]] = true
	}
}

// Every cluster's store starts from one shared set of bootstrap objects
// (bootstrapContents): nothing a run does may change them, or one run
// would leak into the next.
func TestRunsLeaveTheSharedBootstrapObjectsAsTheyWere(t *testing.T) {
	busyRun(t, &visitor{})
	scenario(t, nil)
	fresh := assemble(Options{}, nil)
	fresh.seedBootstrap()
	shared := New(Options{}).Store.All()
	want := fresh.Store.All()
	if len(shared) != len(want) {
		t.Fatalf("%d bootstrap objects, want %d", len(shared), len(want))
	}
	for i := range want {
		if !equality.Semantic.DeepEqual(shared[i], want[i]) {
			t.Errorf("bootstrap object %s changed:\n%s", sim.KeyOf(want[i]), cmp.Diff(want[i], shared[i]))
		}
	}
}
