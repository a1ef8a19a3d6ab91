package admission

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"

	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/sim"
)

// Priority admission (plugin/pkg/admission/priority) resolves a pod's
// priorityClassName to spec.priority and spec.preemptionPolicy; a pod
// naming no class gets the globalDefault class's value, else 0.
type Priority struct{}

// Name implements apiserver.AdmissionPlugin.
func (Priority) Name() string { return "Priority" }

// Handles implements apiserver.AdmissionPlugin.
func (Priority) Handles(r *apiserver.AdmissionRequest) bool { return pod(r) != nil }

// Admit implements apiserver.Mutator.
func (Priority) Admit(r *apiserver.AdmissionRequest) (string, error) {
	p := pod(r)
	var class *schedulingv1.PriorityClass
	if name := p.Spec.PriorityClassName; name != "" {
		pc, ok := r.Store.Get(sim.Key{Kind: "PriorityClass", Name: name}).(*schedulingv1.PriorityClass)
		if !ok {
			return "", fmt.Errorf("no PriorityClass with name %v was found", name)
		}
		class = pc
	} else {
		for _, obj := range r.Store.List("PriorityClass", "") {
			if pc := obj.(*schedulingv1.PriorityClass); pc.GlobalDefault {
				class = pc
			}
		}
	}
	value := int32(0)
	if class != nil {
		value = class.Value
		p.Spec.PriorityClassName = class.Name
	}
	if p.Spec.Priority != nil && *p.Spec.Priority != value {
		return "", fmt.Errorf("the integer value of priority (%d) must not be provided in pod spec; priority admission controller computed %d from the given PriorityClass name", *p.Spec.Priority, value)
	}
	p.Spec.Priority = &value
	if class != nil && class.PreemptionPolicy != nil {
		policy := *class.PreemptionPolicy
		if p.Spec.PreemptionPolicy != nil && *p.Spec.PreemptionPolicy != policy {
			return "", fmt.Errorf("the string value of PreemptionPolicy (%s) must not be provided in pod spec; priority admission controller computed %s from the given PriorityClass name", *p.Spec.PreemptionPolicy, policy)
		}
		p.Spec.PreemptionPolicy = &policy
	}
	if p.Spec.PreemptionPolicy == nil {
		lower := corev1.PreemptLowerPriority
		p.Spec.PreemptionPolicy = &lower
	}
	if class == nil {
		return "priority 0 (no PriorityClass)", nil
	}
	return fmt.Sprintf("priority %d from PriorityClass %s", value, class.Name), nil
}

var _ apiserver.Mutator = Priority{}
