package kubectl

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
)

// kubectl set image's argument rules and the patch it sends
// (k8s.io/kubectl/pkg/cmd/set/set_image.go, cmd/util/helpers.go).
func TestSetImageFollowsKubectlsRules(t *testing.T) {
	for _, tc := range []struct {
		specs []string
		want  string
	}{
		{nil, "at least one image update is required"},
		{[]string{"app=nginx:1.28", "web"}, "all resources must be specified before image changes: web"},
		{[]string{"=nginx", "app=x", "=y"}, "invalid image format: =nginx, =y"},
	} {
		if _, err := ParseImages(tc.specs); err == nil || err.Error() != tc.want {
			t.Errorf("set image %v: %v, want %q", tc.specs, err, tc.want)
		}
	}
	d := &appsv1.Deployment{}
	d.Spec.Template.Spec.InitContainers = []corev1.Container{{Name: "init", Image: "busybox:1.36"}}
	d.Spec.Template.Spec.Containers = []corev1.Container{{Name: "app", Image: "nginx:1.27"}, {Name: "log", Image: "fluent:1"}}
	for _, tc := range []struct {
		pairs      [][2]string
		patch, err string
	}{
		{[][2]string{{"app", "nginx:1.28"}}, `{"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"app"},{"name":"log"}],"containers":[{"image":"nginx:1.28","name":"app"}]}}}}`, ""},
		{[][2]string{{"app", "nginx:1.27"}}, "", ""},
		{[][2]string{{"init", "busybox:1.37"}}, `{"spec":{"template":{"spec":{"$setElementOrder/initContainers":[{"name":"init"}],"initContainers":[{"image":"busybox:1.37","name":"init"}]}}}}`, ""},
		{[][2]string{{"db", "postgres:17"}}, "", `error: unable to find container named "db"`},
		{[][2]string{{"app", "nginx:1.28"}, {"db", "postgres:17"}}, `{"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"app"},{"name":"log"}],"containers":[{"image":"nginx:1.28","name":"app"}]}}}}`, `error: unable to find container named "db"`},
	} {
		patch, err := SetImages(d, tc.pairs)
		gotErr := ""
		if err != nil {
			gotErr = err.Error()
		}
		if string(patch) != tc.patch || gotErr != tc.err {
			t.Errorf("set image %v: patch %s, error %q; want %s, %q", tc.pairs, patch, gotErr, tc.patch, tc.err)
		}
	}
	if d.Spec.Template.Spec.Containers[0].Image != "nginx:1.27" {
		t.Error("SetImages changed the live object")
	}
}
