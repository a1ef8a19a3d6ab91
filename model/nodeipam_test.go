package model

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/podlife/podlife/manifest"
	"github.com/podlife/podlife/model/sim"
)

// A cluster CIDR with room for two /24s: the third node joins without a
// range, with the range allocator's event, not ready, tainted; a pod that
// tolerates that lands there and cannot get a sandbox, one that does not
// waits on the nodes that have ranges.
func TestTheNodeWithoutAPodCIDRCannotRunPods(t *testing.T) {
	c := New(Options{})
	if err := c.ConfigureNodeIPAM("10.244.0.0/23", 24); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"node01", "node02", "node03"} {
		if err := c.AddNode(node(n, "2"), nil); err != nil {
			t.Fatal(err)
		}
	}
	var cidrs []string
	for _, n := range []string{"node01", "node02", "node03"} {
		cidrs = append(cidrs, c.Store.Get(sim.Key{Kind: "Node", Name: n}).(*corev1.Node).Spec.PodCIDR)
	}
	if got := strings.Join(cidrs, " "); got != "10.244.0.0/24 10.244.1.0/24 " {
		t.Errorf("pod CIDRs %q", got)
	}
	if ready := nodeReady(c, "node03"); ready.Status != corev1.ConditionFalse || ready.Reason != "KubeletNotReady" || !strings.Contains(ready.Message, "cni plugin not initialized") {
		t.Errorf("node03 Ready: %+v", ready)
	}
	if got := strings.Join(taintKeys(c, "node03"), " "); got != "node.kubernetes.io/not-ready:NoSchedule node.kubernetes.io/not-ready:NoExecute" {
		t.Errorf("node03 taints %q", got)
	}
	apply(t, c, "admin", `apiVersion: v1
kind: Pod
metadata: {name: pinned}
spec:
  nodeName: node03
  containers: [{name: app, image: nginx:1.27}]
---
apiVersion: v1
kind: Pod
metadata: {name: free}
spec:
  containers: [{name: app, image: nginx:1.27}]
`)
	c.Advance(30 * sim.Second) // the not-ready NoExecute taint evicts pinned at 300s
	text := eventsText(c)
	for _, want := range []string{
		"cidrAllocator allocate-cidr node/node03 Normal CIDRNotAvailable: Node node03 status is now: CIDRNotAvailable",
		"kubelet/node03 sync pod/default/pinned Warning NetworkNotReady: network is not ready: container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the trace lacks %q", want)
		}
	}
	if strings.Contains(text, "run-sandbox pod/default/pinned") {
		t.Error("the kubelet asked for a sandbox on a node whose network is not ready")
	}
	// The allocator retries node03 on its workqueue's back-off (5ms
	// doubling), recording the event each time: 12 times in the first
	// 12 s, as on hack/controlplane with a 257th node.
	var within12s int
	for _, e := range c.Events() {
		if e.Component == cidrAllocator {
			if e.Object != "node/node03" || e.Reason != "CIDRNotAvailable" {
				t.Errorf("the allocator says %s about %s", e.Reason, e.Object)
			}
			if e.Time <= 12000 {
				within12s++
			}
		}
	}
	if within12s != 12 {
		t.Errorf("%d CIDRNotAvailable events in the first 12 s, want 12", within12s)
	}
	if p := c.Pod("default", "free"); p.Spec.NodeName == "node03" || p.Status.Phase != corev1.PodRunning {
		t.Errorf("free: on %q, %s", p.Spec.NodeName, p.Status.Phase)
	}
	if p := c.Pod("default", "pinned"); p.Status.Phase != corev1.PodPending || p.Status.PodIP != "" {
		t.Errorf("pinned: %s, IP %q", p.Status.Phase, p.Status.PodIP)
	}
}

// The ranges nodes of the cluster file hold are taken before any is
// handed out; a KubeControllerManagerConfiguration sets the cluster CIDR
// and the mask, with kube-controller-manager's own field names.
func TestTheClusterFileConfiguresTheNodeIPAMController(t *testing.T) {
	c := seeded(t, "cluster.yaml", `apiVersion: v1
kind: Node
metadata: {name: a}
---
apiVersion: v1
kind: Node
metadata: {name: b}
spec: {podCIDR: 10.0.0.0/26}
---
apiVersion: kubecontrollermanager.config.k8s.io/v1alpha1
kind: KubeControllerManagerConfiguration
KubeCloudShared: {ClusterCIDR: 10.0.0.0/24}
NodeIPAMController: {NodeCIDRMaskSize: 26}
`)
	if got := c.Store.Get(sim.Key{Kind: "Node", Name: "a"}).(*corev1.Node).Spec.PodCIDR; got != "10.0.0.64/26" {
		t.Errorf("node a has %q, want 10.0.0.64/26 (b holds 10.0.0.0/26)", got)
	}

	bad, err := manifest.Parse("cluster.yaml", []byte(`apiVersion: kubecontrollermanager.config.k8s.io/v1alpha1
kind: KubeControllerManagerConfiguration
NodeIPAMController: {NodeCIDRMaskSize: 8}
`))
	if err != nil {
		t.Fatal(err)
	}
	err = New(Options{}).SeedDocuments(bad)
	if err == nil || !strings.Contains(err.Error(), "cluster.yaml:1:1: node CIDR mask size 8: it must lie between the cluster CIDR's own mask (/16) and /30") {
		t.Errorf("a mask wider than the cluster CIDR: %v", err)
	}
	typo, _ := manifest.Parse("cluster.yaml", []byte(`apiVersion: kubecontrollermanager.config.k8s.io/v1alpha1
kind: KubeControllerManagerConfiguration
NodeIPAMController: {NodeCIDRMask: 26}
`))
	if err := New(Options{}).SeedDocuments(typo); err == nil || !strings.Contains(err.Error(), `unknown field "NodeIPAMController.NodeCIDRMask"`) {
		t.Errorf("a misspelt field: %v", err)
	}
}

// Past 253 nodes the default node IPs go on into the next octet.
func TestNodeIPsStayValidPastOneOctet(t *testing.T) {
	c := New(Options{})
	addNodes(t, c, 300, "n", "2")
	n := c.Store.Get(sim.Key{Kind: "Node", Name: "n-00299"}).(*corev1.Node)
	if ip := n.Status.Addresses[0].Address; ip != "172.18.1.45" {
		t.Errorf("the 300th node's IP is %q, want 172.18.1.45", ip)
	}
}

func eventsText(c *Cluster) string {
	var b strings.Builder
	for _, e := range c.Events() {
		b.WriteString(e.Component + " " + e.Action + " " + e.Object + " ")
		if e.Type != "" {
			b.WriteString(e.Type + " " + e.Reason + ": ")
		}
		b.WriteString(e.Message + "\n")
	}
	return b.String()
}
