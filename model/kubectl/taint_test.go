package kubectl

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// kubectl taint's own refusals and its tainted/untainted/modified words
// (k8s.io/kubectl/pkg/cmd/taint/utils.go, taint.go).
func TestTaintFollowsKubectlsRules(t *testing.T) {
	node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "node01"},
		Spec: corev1.NodeSpec{Taints: []corev1.Taint{{Key: "dedicated", Value: "db", Effect: corev1.TaintEffectNoSchedule}}}}
	for _, tc := range []struct {
		specs     []string
		overwrite bool
		want      string // the operation, or the error
	}{
		{[]string{"gpu=true:NoSchedule"}, false, "tainted"},
		{[]string{"dedicated-"}, false, "untainted"},
		{[]string{"dedicated:NoSchedule-"}, false, "untainted"},
		{[]string{"gpu=true:NoSchedule", "dedicated-"}, false, "modified"},
		{[]string{"dedicated=web:NoSchedule"}, true, "modified"},
		{[]string{"dedicated=web:NoSchedule"}, false, "node node01 already has dedicated taint(s) with same effect(s) and --overwrite is false"},
		{[]string{"gpu-"}, false, `taint "gpu" not found`},
		{[]string{"dedicated:NoExecute-"}, false, `taint "dedicated:NoExecute" not found`},
		{[]string{"gpu"}, false, "invalid taint spec: gpu"},
		{[]string{"gpu:Sometimes"}, false, "invalid taint effect: Sometimes, unsupported taint effect"},
		{[]string{"gpu=true:NoSchedule", "gpu-"}, false, "can not both modify and remove the following taint(s) in the same command: gpu="},
		{[]string{"a:NoSchedule", "a:NoSchedule"}, false, "duplicated taints with the same key and effect: {a  NoSchedule <nil>}"},
		{nil, false, "at least one taint update is required"},
	} {
		change, err := ParseTaints(tc.specs, tc.overwrite)
		got := ""
		if err == nil {
			_, got, err = change.Apply(node)
		}
		if err != nil {
			got = err.Error()
		}
		if got != tc.want {
			t.Errorf("kubectl taint nodes node01 %v (overwrite %v): %q, want %q", tc.specs, tc.overwrite, got, tc.want)
		}
	}
}
