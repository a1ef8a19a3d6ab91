package admission

import (
	"context"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apiserver/pkg/admission"
	utilfeature "k8s.io/apiserver/pkg/util/feature"
	api "k8s.io/kubernetes/pkg/apis/core"
	"k8s.io/kubernetes/plugin/pkg/admission/defaulttolerationseconds"

	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/registry"
)

// DefaultTolerationSeconds is kube-apiserver's own plugin
// (plugin/pkg/admission/defaulttolerationseconds): every pod that does not
// say otherwise tolerates the node.kubernetes.io/not-ready and
// node.kubernetes.io/unreachable NoExecute taints for 300 s, which is how
// long its pods stay on a lost node before they are evicted.
type DefaultTolerationSeconds struct {
	plugin *defaulttolerationseconds.Plugin
}

// NewDefaultTolerationSeconds returns the plugin with kube-apiserver's
// default --default-not-ready-toleration-seconds and
// --default-unreachable-toleration-seconds (300).
func NewDefaultTolerationSeconds() DefaultTolerationSeconds {
	p := defaulttolerationseconds.NewDefaultTolerationSeconds()
	p.InspectFeatureGates(utilfeature.DefaultFeatureGate)
	return DefaultTolerationSeconds{p}
}

// Name implements apiserver.AdmissionPlugin.
func (DefaultTolerationSeconds) Name() string { return defaulttolerationseconds.PluginName }

// Handles implements apiserver.AdmissionPlugin.
func (DefaultTolerationSeconds) Handles(r *apiserver.AdmissionRequest) bool { return pod(r) != nil }

// Admit implements apiserver.Mutator: the upstream plugin runs on the
// pod in the API server's internal form, as in kube-apiserver; it reads
// only the tolerations, which are all the model converts.
func (d DefaultTolerationSeconds) Admit(r *apiserver.AdmissionRequest) (string, error) {
	p := pod(r)
	before := len(p.Spec.Tolerations)
	internal := &api.Pod{Spec: api.PodSpec{Tolerations: make([]api.Toleration, before)}}
	for i := range p.Spec.Tolerations {
		if err := registry.Scheme.Convert(&p.Spec.Tolerations[i], &internal.Spec.Tolerations[i], nil); err != nil {
			return "", err
		}
	}
	attrs := admission.NewAttributesRecord(internal, nil, api.Kind("Pod").WithVersion("version"), r.Namespace, p.Name,
		api.Resource("pods").WithVersion("version"), "", admission.Create, nil, false, nil)
	if err := d.plugin.Admit(context.Background(), attrs, nil); err != nil {
		return "", err
	}
	var tolerations []corev1.Toleration
	for _, t := range internal.Spec.Tolerations[before:] {
		out := corev1.Toleration{}
		if err := registry.Scheme.Convert(&t, &out, nil); err != nil {
			return "", err
		}
		tolerations = append(tolerations, out)
	}
	if len(tolerations) == 0 {
		return "", nil
	}
	p.Spec.Tolerations = append(p.Spec.Tolerations, tolerations...)
	var added []string
	for _, t := range tolerations {
		added = append(added, fmt.Sprintf("%s:%s for %ds", t.Key, t.Effect, *t.TolerationSeconds))
	}
	return "tolerates " + strings.Join(added, ", "), nil
}
