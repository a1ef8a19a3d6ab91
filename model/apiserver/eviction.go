package apiserver

import (
	"fmt"
	"net/http"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// Eviction condition the API server puts on the pods it evicts, before it
// deletes them (pkg/registry/core/pod/storage/eviction.go
// addConditionAndDeletePod).
const (
	EvictionReason  = "EvictionByEvictionAPI"
	EvictionMessage = "Eviction API: evicting"
)

// BudgetViolation is the message of the 429 an eviction gets when a
// budget forbids it, which kubectl drain prints before it retries.
const BudgetViolation = "Cannot evict pod as it would violate the pod's disruption budget."

// evict serves a POST of pods/eviction as the pod registry's EvictionREST
// does (pkg/registry/core/pod/storage/eviction.go Create): a pod that is
// not running, or already going, is deleted at once; otherwise the one
// PodDisruptionBudget that selects it must allow a disruption, which the
// server takes off the budget's status (recording the pod in
// disruptedPods) before it marks the pod DisruptionTarget and deletes it
// with the eviction's delete options.
func (s *Server) evict(req *Request) Response {
	eviction, ok := req.Object.(*policyv1.Eviction)
	if !ok {
		return failure(apierrors.NewBadRequest(fmt.Sprintf("not a Eviction object: %T", req.Object)))
	}
	if eviction.Name != req.Name {
		return failure(apierrors.NewBadRequest("name in URL does not match name in Eviction object"))
	}
	pod, errResp := s.pod(req)
	if pod == nil {
		return errResp
	}
	ref := ObjectRef("Pod", pod.Namespace, pod.Name)
	if canIgnoreBudget(pod) {
		s.narrateStep("evict", ref, fmt.Sprintf("pod is %s: no budget to consult", evictionState(pod)))
		return s.evicted(pod, eviction)
	}
	budgets := s.budgetsOf(pod)
	switch {
	case len(budgets) > 1:
		return Response{Code: http.StatusInternalServerError, Reason: metav1.StatusReasonInternalError,
			Message: "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support."}
	case len(budgets) == 0:
		s.narrateStep("evict", ref, "no PodDisruptionBudget selects the pod")
		return s.evicted(pod, eviction)
	}
	pdb := budgets[0]
	budget := ObjectRef("PodDisruptionBudget", pdb.Namespace, pdb.Name)
	if !podIsReady(pod) {
		policy := pdb.Spec.UnhealthyPodEvictionPolicy
		if policy != nil && *policy == policyv1.AlwaysAllow {
			s.narrateStep("evict", ref, fmt.Sprintf("pod is not ready and budget %s always allows evicting unhealthy pods", pdb.Name))
			return s.evicted(pod, eviction)
		}
		if pdb.Status.CurrentHealthy >= pdb.Status.DesiredHealthy && pdb.Status.DesiredHealthy > 0 {
			s.narrateStep("evict", ref, fmt.Sprintf("pod is not ready and budget %s has the %d healthy pods it needs", pdb.Name, pdb.Status.DesiredHealthy))
			return s.evicted(pod, eviction)
		}
	}
	if err := budgetForbids(pdb); err != nil {
		s.narrateStep("evict", budget, "refused: "+err.ErrStatus.Details.Causes[len(err.ErrStatus.Details.Causes)-1].Message)
		return failure(err)
	}
	next := pdb.DeepCopy()
	next.Status.DisruptionsAllowed--
	if next.Status.DisruptionsAllowed == 0 {
		// component-helpers' UpdateDisruptionAllowedCondition, with the
		// model's clock in place of the wall clock it reads.
		for i, c := range next.Status.Conditions {
			if c.Type == policyv1.DisruptionAllowedCondition && c.Status != metav1.ConditionFalse {
				next.Status.Conditions[i] = metav1.Condition{Type: c.Type, Status: metav1.ConditionFalse, Reason: policyv1.InsufficientPodsReason,
					ObservedGeneration: next.Status.ObservedGeneration, LastTransitionTime: s.metaNow()}
			}
		}
	}
	if next.Status.DisruptedPods == nil {
		next.Status.DisruptedPods = map[string]metav1.Time{}
	}
	next.Status.DisruptedPods[pod.Name] = s.metaNow()
	s.narrateStep("evict", budget, fmt.Sprintf("allows %d disruption(s): %d left once pod %s goes", pdb.Status.DisruptionsAllowed, next.Status.DisruptionsAllowed, pod.Name))
	stored, _ := s.store.Update(next)
	s.persisted(stored, "update (status: disruptedPods +"+pod.Name+")")
	return s.evicted(pod, eviction)
}

// evicted gives the pod the DisruptionTarget condition and deletes it.
func (s *Server) evicted(pod *corev1.Pod, eviction *policyv1.Eviction) Response {
	status := *pod.Status.DeepCopy()
	if !hasCondition(status, corev1.DisruptionTarget, corev1.ConditionTrue, EvictionReason) {
		setCondition(&status, corev1.PodCondition{Type: corev1.DisruptionTarget, Status: corev1.ConditionTrue,
			Reason: EvictionReason, Message: EvictionMessage, LastTransitionTime: s.metaNow()})
		stored, _ := s.store.Update(withStatus(pod, status))
		s.persisted(stored, "update (condition DisruptionTarget)")
	}
	podsResource, _ := ResourceFor("Pod")
	del := &Request{Verb: "delete", Resource: podsResource, Namespace: pod.Namespace, Name: pod.Name}
	if eviction.DeleteOptions != nil {
		del.GracePeriodSeconds = eviction.DeleteOptions.GracePeriodSeconds
	}
	if resp := s.delete(del); !resp.OK() {
		return resp
	}
	return Response{Code: http.StatusCreated}
}

// budgetForbids is checkAndDecrement's refusal, when the budget allows no
// disruption now: a 429 with the budget's reason as its cause.
func budgetForbids(pdb *policyv1.PodDisruptionBudget) *apierrors.StatusError {
	if pdb.Status.ObservedGeneration < pdb.Generation {
		err := apierrors.NewTooManyRequests(BudgetViolation, 10)
		addBudgetCause(err, fmt.Sprintf("The disruption budget %s is still being processed by the server.", pdb.Name))
		return err
	}
	if pdb.Status.DisruptionsAllowed > 0 {
		return nil
	}
	err := apierrors.NewTooManyRequests(BudgetViolation, 0)
	var cond *metav1.Condition
	for i := range pdb.Status.Conditions {
		if pdb.Status.Conditions[i].Type == policyv1.DisruptionAllowedCondition {
			cond = &pdb.Status.Conditions[i]
		}
	}
	failed := cond != nil && cond.Status == metav1.ConditionFalse && cond.Message != ""
	switch {
	case failed && cond.Reason == policyv1.SyncFailedReason:
		addBudgetCause(err, fmt.Sprintf("The disruption budget %s does not allow evicting pods currently because it failed sync: %s", pdb.Name, cond.Message))
	case pdb.Status.CurrentHealthy <= pdb.Status.DesiredHealthy:
		addBudgetCause(err, fmt.Sprintf("The disruption budget %s needs %d healthy pods and has %d currently", pdb.Name, pdb.Status.DesiredHealthy, pdb.Status.CurrentHealthy))
	case failed:
		addBudgetCause(err, fmt.Sprintf("The disruption budget %s does not allow evicting pods currently (%s): %s", pdb.Name, cond.Reason, cond.Message))
	default:
		addBudgetCause(err, fmt.Sprintf("The disruption budget %s does not allow evicting pods currently", pdb.Name))
	}
	return err
}

func addBudgetCause(err *apierrors.StatusError, msg string) {
	err.ErrStatus.Details.Causes = append(err.ErrStatus.Details.Causes, metav1.StatusCause{Type: policyv1.DisruptionBudgetCause, Message: msg})
}

// budgetsOf lists the budgets of the pod's namespace whose selector
// matches it; a budget whose selector does not parse matches nothing.
func (s *Server) budgetsOf(pod *corev1.Pod) []*policyv1.PodDisruptionBudget {
	var out []*policyv1.PodDisruptionBudget
	for _, obj := range s.store.List("PodDisruptionBudget", pod.Namespace) {
		pdb := obj.(*policyv1.PodDisruptionBudget)
		sel, err := metav1.LabelSelectorAsSelector(pdb.Spec.Selector)
		if err == nil && sel.Matches(labels.Set(pod.Labels)) {
			out = append(out, pdb)
		}
	}
	return out
}

// canIgnoreBudget: a pod that has finished, has not started, or is
// already being deleted disrupts nothing more by going.
func canIgnoreBudget(pod *corev1.Pod) bool {
	switch pod.Status.Phase {
	case corev1.PodSucceeded, corev1.PodFailed, corev1.PodPending:
		return true
	}
	return pod.DeletionTimestamp != nil
}

func evictionState(pod *corev1.Pod) string {
	if pod.DeletionTimestamp != nil {
		return "already being deleted"
	}
	return string(pod.Status.Phase)
}

func podIsReady(pod *corev1.Pod) bool {
	return hasCondition(pod.Status, corev1.PodReady, corev1.ConditionTrue, "")
}

// hasCondition: the status has a condition of type t with status v (and
// the reason, if one is given).
func hasCondition(status corev1.PodStatus, t corev1.PodConditionType, v corev1.ConditionStatus, reason string) bool {
	for _, c := range status.Conditions {
		if c.Type == t {
			return c.Status == v && (reason == "" || c.Reason == reason)
		}
	}
	return false
}

// narrateStep records a stage of a narrated request.
func (s *Server) narrateStep(action, ref, msg string) {
	if s.narrate {
		s.rec.Step(Component, action, ref, msg)
	}
}
