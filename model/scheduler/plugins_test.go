package scheduler

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	_ "github.com/podlife/podlife/internal/testflags" // -update, -backend, -kubeconfig for go test ./...
	"github.com/podlife/podlife/model/sim"
)

type snapshot []*NodeInfo

func (s snapshot) Nodes() []*NodeInfo               { return s }
func (s snapshot) List(string, string) []sim.Object { return nil }
func (s snapshot) HasAntiAffinityPods() bool {
	for _, n := range s {
		if len(n.AntiAffinityPods) > 0 {
			return true
		}
	}
	return false
}
func (s snapshot) HasAffinityPods() bool {
	for _, n := range s {
		if len(n.AffinityPods) > 0 {
			return true
		}
	}
	return false
}
func (s snapshot) ImageNodes(image string) int {
	n := 0
	for _, ni := range s {
		if _, ok := ni.Images[image]; ok {
			n++
		}
	}
	return n
}

func testNode(name string, labels map[string]string, mutate ...func(*corev1.Node)) *NodeInfo {
	n := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels}, Status: corev1.NodeStatus{Allocatable: corev1.ResourceList{
		corev1.ResourceCPU: resource.MustParse("2"), corev1.ResourceMemory: resource.MustParse("4Gi"), corev1.ResourcePods: resource.MustParse("110"),
	}}}
	for _, m := range mutate {
		m(n)
	}
	return NewNodeInfo(n)
}

func testPod(name string, labels map[string]string, mutate ...func(*corev1.Pod)) *corev1.Pod {
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default", Labels: labels},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "nginx:1.27"}}}}
	for _, m := range mutate {
		m(p)
	}
	return p
}

// Every filter's reason string, as kube-scheduler v1.37.2 writes it
// (framework/plugins/*; ../shared/k8s-facts.md).
func TestFilterReasons(t *testing.T) {
	zoneA := map[string]string{"zone": "a", corev1.LabelHostname: "n1"}
	web := map[string]string{"app": "web"}
	for _, tc := range []struct {
		name   string
		plugin FilterPlugin
		pod    *corev1.Pod
		node   *NodeInfo
		placed []*corev1.Pod // already on the node
		code   Code
		reason string
	}{
		{"node name", NodeName{}, testPod("p", nil, func(p *corev1.Pod) { p.Spec.NodeName = "other" }), testNode("n1", nil), nil,
			UnschedulableAndUnresolvable, "node(s) didn't match the requested node name"},
		{"cordoned", NodeUnschedulable{}, testPod("p", nil), testNode("n1", nil, func(n *corev1.Node) { n.Spec.Unschedulable = true }), nil,
			UnschedulableAndUnresolvable, "node(s) were unschedulable"},
		{"taint", TaintToleration{}, testPod("p", nil), testNode("n1", nil, func(n *corev1.Node) {
			n.Spec.Taints = []corev1.Taint{{Key: "gpu", Value: "true", Effect: corev1.TaintEffectNoSchedule}}
		}), nil, UnschedulableAndUnresolvable, "node(s) had untolerated taint(s)"},
		{"selector", NodeAffinity{}, testPod("p", nil, func(p *corev1.Pod) { p.Spec.NodeSelector = map[string]string{"disk": "ssd"} }), testNode("n1", nil), nil,
			UnschedulableAndUnresolvable, "node(s) didn't match Pod's node affinity/selector"},
		{"host port", NodePorts{}, testPod("p", nil, func(p *corev1.Pod) {
			p.Spec.Containers[0].Ports = []corev1.ContainerPort{{ContainerPort: 80, HostPort: 8080}}
		}),
			testNode("n1", nil), []*corev1.Pod{testPod("q", nil, func(p *corev1.Pod) {
				p.Spec.Containers[0].Ports = []corev1.ContainerPort{{ContainerPort: 80, HostPort: 8080, Protocol: corev1.ProtocolTCP}}
			})}, Unschedulable, "node(s) didn't have free ports for the requested pod ports"},
		{"cpu", NodeResourcesFit{}, testPod("p", nil, func(p *corev1.Pod) {
			p.Spec.Containers[0].Resources.Requests = corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("3")}
		}), testNode("n1", nil), nil, UnschedulableAndUnresolvable, "Insufficient cpu"},
		{"spread: missing label", PodTopologySpread{}, spreadPod(), testNode("n1", nil), nil,
			UnschedulableAndUnresolvable, "node(s) didn't match pod topology spread constraints (missing required label)"},
		{"anti-affinity", InterPodAffinity{}, testPod("p", web, func(p *corev1.Pod) {
			p.Spec.Affinity = &corev1.Affinity{PodAntiAffinity: &corev1.PodAntiAffinity{RequiredDuringSchedulingIgnoredDuringExecution: []corev1.PodAffinityTerm{
				{LabelSelector: &metav1.LabelSelector{MatchLabels: web}, TopologyKey: "zone"}}}}
		}), testNode("n1", zoneA), []*corev1.Pod{testPod("q", web)}, Unschedulable, "node(s) didn't match pod anti-affinity rules"},
		{"affinity", InterPodAffinity{}, testPod("p", nil, func(p *corev1.Pod) {
			p.Spec.Affinity = &corev1.Affinity{PodAffinity: &corev1.PodAffinity{RequiredDuringSchedulingIgnoredDuringExecution: []corev1.PodAffinityTerm{
				{LabelSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "db"}}, TopologyKey: "zone"}}}}
		}), testNode("n1", zoneA), []*corev1.Pod{testPod("q", web)}, UnschedulableAndUnresolvable, "node(s) didn't match pod affinity rules"},
		{"existing anti-affinity", InterPodAffinity{}, testPod("p", web), testNode("n1", zoneA), []*corev1.Pod{testPod("q", nil, func(p *corev1.Pod) {
			p.Spec.Affinity = &corev1.Affinity{PodAntiAffinity: &corev1.PodAntiAffinity{RequiredDuringSchedulingIgnoredDuringExecution: []corev1.PodAffinityTerm{
				{LabelSelector: &metav1.LabelSelector{MatchLabels: web}, TopologyKey: "zone"}}}}
		})}, Unschedulable, "node(s) didn't satisfy existing pods anti-affinity rules"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, q := range tc.placed {
				tc.node.AddPod(NewPodInfo(q))
			}
			snap := snapshot{tc.node}
			plugin := tc.plugin
			switch plugin.(type) {
			case PodTopologySpread:
				plugin = PodTopologySpread{Snapshot: snap}
			case InterPodAffinity:
				plugin = InterPodAffinity{Snapshot: snap}
			}
			state, info := newCycleState(), NewPodInfo(tc.pod)
			if pf, ok := plugin.(PreFilterPlugin); ok {
				pf.PreFilter(state, info)
			}
			st := plugin.Filter(state, info, tc.node)
			if st == nil || st.Code != tc.code || len(st.Reasons) != 1 || st.Reasons[0] != tc.reason {
				t.Fatalf("status = %+v, want %v %q", st, tc.code, tc.reason)
			}
		})
	}
}

func spreadPod() *corev1.Pod {
	return testPod("p", map[string]string{"app": "web"}, func(p *corev1.Pod) {
		p.Spec.TopologySpreadConstraints = []corev1.TopologySpreadConstraint{{MaxSkew: 1, TopologyKey: "zone",
			WhenUnsatisfiable: corev1.DoNotSchedule, LabelSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}}}}
	})
}

func TestSpreadSkew(t *testing.T) {
	a := testNode("a1", map[string]string{"zone": "a"})
	b := testNode("b1", map[string]string{"zone": "b"})
	a.AddPod(NewPodInfo(testPod("w1", map[string]string{"app": "web"})))
	pl := PodTopologySpread{Snapshot: snapshot{a, b}}
	state, info := newCycleState(), NewPodInfo(spreadPod())
	pl.PreFilter(state, info)
	// zone a has 1, zone b has 0: another in a would make the skew 2.
	if st := pl.Filter(state, info, a); st == nil || st.Reasons[0] != "node(s) didn't match pod topology spread constraints" {
		t.Fatalf("zone a: %+v", st)
	}
	if st := pl.Filter(state, info, b); st != nil {
		t.Fatalf("zone b: %+v", st)
	}
}

func TestScores(t *testing.T) {
	empty := testNode("empty", nil)
	busy := testNode("busy", nil)
	busy.AddPod(NewPodInfo(testPod("q", nil, func(p *corev1.Pod) {
		p.Spec.Containers[0].Resources.Requests = corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("1"), corev1.ResourceMemory: resource.MustParse("1Gi")}
	})))
	info := NewPodInfo(testPod("p", nil))
	// LeastAllocated: (2000-100)/2000 and (4Gi-200Mi)/4Gi average to 95.
	if got := (NodeResourcesFit{}).Score(nil, info, empty); got != 95 {
		t.Errorf("LeastAllocated on an empty node = %d, want 95", got)
	}
	if got := (NodeResourcesFit{}).Score(nil, info, busy); got != 57 {
		t.Errorf("LeastAllocated on a busy node = %d, want 57", got)
	}
	// A pod that asks for nothing leaves balance as it is: 50 + (50+0)/2.
	if got := (NodeResourcesBalancedAllocation{}).Score(nil, info, busy); got != 75 {
		t.Errorf("BalancedAllocation = %d, want 75", got)
	}
	scores := []int64{0, 2, 1}
	(TaintToleration{}).NormalizeScore(nil, nil, scores)
	if scores[0] != 100 || scores[1] != 0 || scores[2] != 50 {
		t.Errorf("TaintToleration normalised = %v, want [100 0 50]", scores)
	}
}
