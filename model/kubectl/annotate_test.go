package kubectl

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// kubectl annotate's argument rules and merge patch, word for word as the
// v1.37.2 kubectl refuses (checked on the control plane).
func TestAnnotateFollowsKubectl(t *testing.T) {
	for _, tc := range []struct {
		args []string
		err  string
	}{
		{[]string{"note=a=b", "old-"}, ""},
		{[]string{"a=1", "a-"}, "can not both modify and remove the following annotation(s) in the same command: a"},
		{[]string{"-", "=x"}, "invalid annotation format: -, =x"},
		{nil, "at least one annotation update is required"},
	} {
		set, remove, err := ParseAnnotations(tc.args)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tc.err {
			t.Errorf("%q: %q, want %q", tc.args, got, tc.err)
		}
		if tc.err == "" && (set["note"] != "a=b" || len(remove) != 1 || remove[0] != "old") {
			t.Errorf("%q: set %v, remove %v", tc.args, set, remove)
		}
	}

	d := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "web", Annotations: map[string]string{
		"team": "shop", "kubernetes.io/change-cause": "first", "old": "x"}}}
	for _, tc := range []struct {
		set       map[string]string
		remove    []string
		overwrite bool
		patch     string
		err       string
	}{
		{map[string]string{"team": "web", "zone": "a"}, nil, false, "",
			"--overwrite is false but found the following declared annotation(s): 'team' already has a value (shop)"},
		{map[string]string{"team": "web"}, nil, true, `{"metadata":{"annotations":{"team":"web"}}}`, ""},
		{map[string]string{"kubernetes.io/change-cause": "second"}, []string{"old", "absent"}, false,
			`{"metadata":{"annotations":{"kubernetes.io/change-cause":"second","old":null}}}`, ""},
		{map[string]string{"team": "shop"}, nil, false, `{}`, ""},
	} {
		patch, err := AnnotatePatch(d, tc.set, tc.remove, tc.overwrite)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if string(patch) != tc.patch || got != tc.err {
			t.Errorf("set %v remove %v: %s %q, want %s %q", tc.set, tc.remove, patch, got, tc.patch, tc.err)
		}
	}
}
