package admission

import (
	"slices"
	"strings"

	networkingv1 "k8s.io/api/networking/v1"
	networkingv1beta1 "k8s.io/api/networking/v1beta1"

	"github.com/podlife/podlife/model/apiserver"
)

// DefaultIngressClass gives a new Ingress that names no class, by field
// or by the legacy annotation, the cluster's default IngressClass: the
// newest of those annotated as default, by name on a tie
// (plugin/pkg/admission/network/defaultingressclass).
type DefaultIngressClass struct{}

// Name implements apiserver.AdmissionPlugin.
func (DefaultIngressClass) Name() string { return "DefaultIngressClass" }

// Handles implements apiserver.AdmissionPlugin.
func (DefaultIngressClass) Handles(r *apiserver.AdmissionRequest) bool {
	ing, ok := r.Object.(*networkingv1.Ingress)
	if !ok || r.Operation != "CREATE" || r.Subresource != "" || ing.Spec.IngressClassName != nil {
		return false
	}
	_, annotated := ing.Annotations[networkingv1beta1.AnnotationIngressClass]
	return !annotated
}

// Admit implements apiserver.Mutator.
func (DefaultIngressClass) Admit(r *apiserver.AdmissionRequest) (string, error) {
	var defaults []*networkingv1.IngressClass
	for _, obj := range r.Store.List("IngressClass", "") {
		if class := obj.(*networkingv1.IngressClass); class.Annotations[networkingv1.AnnotationIsDefaultIngressClass] == "true" {
			defaults = append(defaults, class)
		}
	}
	if len(defaults) == 0 {
		return "no default IngressClass", nil
	}
	newest := slices.MinFunc(defaults, func(a, b *networkingv1.IngressClass) int {
		if c := b.CreationTimestamp.Compare(a.CreationTimestamp.Time); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
	name := newest.Name
	r.Object.(*networkingv1.Ingress).Spec.IngressClassName = &name
	return "ingressClassName " + name + " (the default)", nil
}

var _ apiserver.Mutator = DefaultIngressClass{}
