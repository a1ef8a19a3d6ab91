package kubectl

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/podlife/podlife/model/apiserver"
)

// kubectl rollout pause and resume: the patch of spec.paused, and the
// refusals of polymorphichelpers' pauser and resumer.
func TestPausePatchFollowsKubectl(t *testing.T) {
	deployments, _ := apiserver.ResourceFor("Deployment")
	statefulSets, _ := apiserver.ResourceFor("StatefulSet")
	running := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "web"}}
	paused := running.DeepCopy()
	paused.Spec.Paused = true
	for _, tc := range []struct {
		res        apiserver.Resource
		live       runtime.Object
		pause      bool
		patch, err string
	}{
		{deployments, running, true, `{"spec":{"paused":true}}`, ""},
		{deployments, paused, false, `{"spec":{"paused":null}}`, ""},
		{deployments, paused, true, "", `error: deployments.apps "web" is already paused`},
		{deployments, running, false, "", `error: deployments.apps "web" is not paused`},
		{statefulSets, &appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Name: "db"}}, true, "", `error: statefulsets.apps "db" pausing is not supported`},
	} {
		patch, err := PausePatch(tc.res, tc.live, tc.pause)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if string(patch) != tc.patch || got != tc.err {
			t.Errorf("%s pause=%v: %s %q, want %s %q", tc.res.Resource, tc.pause, patch, got, tc.patch, tc.err)
		}
	}
}
