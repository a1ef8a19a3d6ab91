package admission

import (
	"testing"
	"time"

	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/podlife/podlife/model/apiserver"
)

func ingressClass(name string, created int, isDefault bool) *networkingv1.IngressClass {
	c := &networkingv1.IngressClass{TypeMeta: metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "IngressClass"},
		ObjectMeta: metav1.ObjectMeta{Name: name, CreationTimestamp: metav1.NewTime(time.Unix(int64(created), 0))}}
	if isDefault {
		c.Annotations = map[string]string{networkingv1.AnnotationIsDefaultIngressClass: "true"}
	}
	return c
}

// The newest default class wins, the first name on a tie
// (defaultingressclass.getDefaultClass); an Ingress that names a class, by
// field or by the legacy annotation, keeps it.
func TestDefaultIngressClassPicksTheNewestDefault(t *testing.T) {
	s := newStore(t, ingressClass("alpha", 1, true), ingressClass("zeta", 2, true), ingressClass("beta", 2, true), ingressClass("newest", 3, false))
	request := func(ing *networkingv1.Ingress) *apiserver.AdmissionRequest {
		return &apiserver.AdmissionRequest{Operation: "CREATE", Namespace: "default", Object: ing, Store: s}
	}
	plugin := DefaultIngressClass{}
	ing := &networkingv1.Ingress{ObjectMeta: metav1.ObjectMeta{Name: "shop", Namespace: "default"}}
	r := request(ing)
	if !plugin.Handles(r) {
		t.Fatal("an Ingress without a class is not handled")
	}
	if _, err := plugin.Admit(r); err != nil {
		t.Fatal(err)
	}
	if got := ing.Spec.IngressClassName; got == nil || *got != "beta" {
		t.Errorf("ingressClassName = %v, want beta", got)
	}
	annotated := &networkingv1.Ingress{ObjectMeta: metav1.ObjectMeta{Name: "old", Namespace: "default",
		Annotations: map[string]string{"kubernetes.io/ingress.class": "nginx"}}}
	if plugin.Handles(request(annotated)) {
		t.Error("an Ingress with the legacy class annotation is given a default class")
	}
}
