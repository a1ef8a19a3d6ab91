package admission

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/sim"
)

func TestLimitRangerViolationsAggregateAsTheRealPluginPrintsThem(t *testing.T) {
	store := sim.NewStore(sim.New(nil))
	store.Create(&corev1.LimitRange{TypeMeta: metav1.TypeMeta{Kind: "LimitRange"}, ObjectMeta: metav1.ObjectMeta{Name: "lr", Namespace: "default"},
		Spec: corev1.LimitRangeSpec{Limits: []corev1.LimitRangeItem{{
			Type:                 corev1.LimitTypeContainer,
			Min:                  corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("200m")},
			MaxLimitRequestRatio: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("2")},
		}}}})
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "default"}, Spec: corev1.PodSpec{Containers: []corev1.Container{{
		Name: "nginx", Resources: corev1.ResourceRequirements{
			Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m")},
			Limits:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("400m")},
		}}}}}
	res, _ := apiserver.ResourceFor("Pod")
	r := &apiserver.AdmissionRequest{Operation: "CREATE", Resource: res, Namespace: "default", Object: pod, Store: store}
	_, err := LimitRanger{}.Validate(r)
	// Seen on a real v1.37.2 control plane (../shared/k8s-facts.md).
	want := "[minimum cpu usage per Container is 200m, but request is 100m, cpu max limit to request ratio per Container is 2, but provided ratio is 4.000000]"
	if err == nil || err.Error() != want {
		t.Fatalf("Validate = %v\nwant %s", err, want)
	}
	if got := apiserver.ForbiddenByAdmission(r, err).Error(); got != `pods "web" is forbidden: `+want {
		t.Fatalf("wrapped: %s", got)
	}
}

func TestQuotaListsEveryExceededResourceSortedWithoutSpaces(t *testing.T) {
	store := sim.NewStore(sim.New(nil))
	hard := corev1.ResourceList{corev1.ResourceLimitsCPU: resource.MustParse("2"), corev1.ResourceRequestsCPU: resource.MustParse("1")}
	store.Create(&corev1.ResourceQuota{TypeMeta: metav1.TypeMeta{Kind: "ResourceQuota"}, ObjectMeta: metav1.ObjectMeta{Name: "q", Namespace: "default"},
		Spec: corev1.ResourceQuotaSpec{Hard: hard}, Status: corev1.ResourceQuotaStatus{Hard: hard, Used: hard.DeepCopy()}})
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "default"}, Spec: corev1.PodSpec{Containers: []corev1.Container{{
		Name: "nginx", Resources: corev1.ResourceRequirements{
			Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("250m")},
			Limits:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("500m")},
		}}}}}
	res, _ := apiserver.ResourceFor("Pod")
	_, err := ResourceQuota{}.Validate(&apiserver.AdmissionRequest{Operation: "CREATE", Resource: res, Namespace: "default", Object: pod, Store: store})
	want := "exceeded quota: q, requested: limits.cpu=500m,requests.cpu=250m, used: limits.cpu=2,requests.cpu=1, limited: limits.cpu=2,requests.cpu=1"
	if err == nil || err.Error() != want {
		t.Fatalf("Validate = %v\nwant %s", err, want)
	}
}
