package scheduler

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/sets"
)

// TestNodeAffinityNarrowsTheCycleToNamedNodes follows NodeAffinity's
// PreFilter (pkg/scheduler/framework/plugins/nodeaffinity/node_affinity.go):
// only metadata.name In requirements name nodes; a term's requirements
// intersect, the terms unite, and a term naming no node lets every node in.
func TestNodeAffinityNarrowsTheCycleToNamedNodes(t *testing.T) {
	name := func(values ...string) corev1.NodeSelectorRequirement {
		return corev1.NodeSelectorRequirement{Key: "metadata.name", Operator: corev1.NodeSelectorOpIn, Values: values}
	}
	label := corev1.NodeSelectorRequirement{Key: "disk", Operator: corev1.NodeSelectorOpIn, Values: []string{"ssd"}}
	for _, tc := range []struct {
		desc  string
		terms []corev1.NodeSelectorTerm
		want  []string // nil: every node
		fails string
	}{
		{desc: "a daemon pod's term", terms: []corev1.NodeSelectorTerm{{MatchFields: []corev1.NodeSelectorRequirement{name("node01")}}},
			want: []string{"node01"}},
		{desc: "requirements of a term intersect", terms: []corev1.NodeSelectorTerm{{MatchFields: []corev1.NodeSelectorRequirement{name("a", "b"), name("b", "c")}}},
			want: []string{"b"}},
		{desc: "terms unite", terms: []corev1.NodeSelectorTerm{{MatchFields: []corev1.NodeSelectorRequirement{name("a")}}, {MatchFields: []corev1.NodeSelectorRequirement{name("c")}}},
			want: []string{"a", "c"}},
		{desc: "a term by label only allows any name", terms: []corev1.NodeSelectorTerm{{MatchFields: []corev1.NodeSelectorRequirement{name("a")}}, {MatchExpressions: []corev1.NodeSelectorRequirement{label}}}},
		{desc: "NotIn names no node", terms: []corev1.NodeSelectorTerm{{MatchFields: []corev1.NodeSelectorRequirement{{Key: "metadata.name", Operator: corev1.NodeSelectorOpNotIn, Values: []string{"a"}}}}}},
		{desc: "no common name", terms: []corev1.NodeSelectorTerm{{MatchFields: []corev1.NodeSelectorRequirement{name("a"), name("b")}}},
			fails: "pod affinity terms conflict"},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			pod := testPod("p", nil, func(p *corev1.Pod) {
				p.Spec.Affinity = &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{
					RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{NodeSelectorTerms: tc.terms}}}
			})
			state := newCycleState()
			st := NodeAffinity{}.PreFilter(state, NewPodInfo(pod))
			if tc.fails != "" {
				if st == nil || st.Code != UnschedulableAndUnresolvable || st.Reasons[0] != tc.fails {
					t.Fatalf("PreFilter = %+v, want unresolvable %q", st, tc.fails)
				}
				return
			}
			if st != nil {
				t.Fatalf("PreFilter = %+v, want success", st)
			}
			var got []string
			if state.nodeNames != nil {
				got = sets.List(state.nodeNames)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("nodes of the cycle (-want +got):\n%s", diff)
			}
		})
	}
}
