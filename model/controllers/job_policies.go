package controllers

import (
	"fmt"
	"slices"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
)

// A Job's podFailurePolicy and successPolicy (pkg/controller/job,
// pod_failure_policy.go and success_policy.go).

// matchFailurePolicy is matchPodFailurePolicy: the first rule a failed pod
// matches decides, by its containers' exit codes (not 0, in or not in the
// values, of the named container or any) or by its conditions. FailJob
// returns the message the Job fails with; Ignore reports that the failure
// is not counted; FailIndex fails the pod's index (with
// backoffLimitPerIndex); a pod no rule matches is counted.
func matchFailurePolicy(policy *batchv1.PodFailurePolicy, pod *corev1.Pod) (failJob string, count bool) {
	failJob, count, _ = matchFailurePolicyAction(policy, pod)
	return failJob, count
}

// matchFailurePolicyAction is matchFailurePolicy with the matching rule's
// action ("" when no rule matches).
func matchFailurePolicyAction(policy *batchv1.PodFailurePolicy, pod *corev1.Pod) (failJob string, count bool, action batchv1.PodFailurePolicyAction) {
	if policy == nil {
		return "", true, ""
	}
	for i, rule := range policy.Rules {
		var matched string
		switch {
		case rule.OnExitCodes != nil:
			s := matchingContainer(pod.Status.ContainerStatuses, rule.OnExitCodes)
			if s == nil {
				s = matchingContainer(pod.Status.InitContainerStatuses, rule.OnExitCodes)
			}
			if s == nil {
				continue
			}
			matched = fmt.Sprintf("Container %s for pod %s/%s failed with exit code %v matching %v rule at index %d",
				s.Name, pod.Namespace, pod.Name, s.State.Terminated.ExitCode, rule.Action, i)
		case rule.OnPodConditions != nil:
			cond := matchingCondition(pod.Status.Conditions, rule.OnPodConditions)
			if cond == nil {
				continue
			}
			matched = fmt.Sprintf("Pod %s/%s has condition %v matching %v rule at index %d", pod.Namespace, pod.Name, cond.Type, rule.Action, i)
		default:
			continue
		}
		switch rule.Action {
		case batchv1.PodFailurePolicyActionIgnore:
			return "", false, rule.Action
		case batchv1.PodFailurePolicyActionFailJob:
			return matched, true, rule.Action
		default: // Count, and FailIndex
			return "", true, rule.Action
		}
	}
	return "", true, ""
}

func matchingContainer(statuses []corev1.ContainerStatus, req *batchv1.PodFailurePolicyOnExitCodesRequirement) *corev1.ContainerStatus {
	for i := range statuses {
		s := &statuses[i]
		if s.State.Terminated == nil || s.State.Terminated.ExitCode == 0 || req.ContainerName != nil && *req.ContainerName != s.Name {
			continue
		}
		in := slices.Contains(req.Values, s.State.Terminated.ExitCode)
		if req.Operator == batchv1.PodFailurePolicyOnExitCodesOpIn && in || req.Operator == batchv1.PodFailurePolicyOnExitCodesOpNotIn && !in {
			return s
		}
	}
	return nil
}

func matchingCondition(conditions []corev1.PodCondition, patterns []batchv1.PodFailurePolicyOnPodConditionsPattern) *corev1.PodCondition {
	for i := range conditions {
		for _, p := range patterns {
			if conditions[i].Type == p.Type && conditions[i].Status == p.Status {
				return &conditions[i]
			}
		}
	}
	return nil
}

// failJobMessage is getFailJobMessage: the message of the first failed pod
// a FailJob rule matches, or "".
func failJobMessage(job *batchv1.Job, pods []*corev1.Pod) string {
	if job.Spec.PodFailurePolicy == nil {
		return ""
	}
	for _, p := range pods {
		if p.Status.Phase == corev1.PodFailed {
			if msg, _ := matchFailurePolicy(job.Spec.PodFailurePolicy, p); msg != "" {
				return msg
			}
		}
	}
	return ""
}

// matchSuccessPolicy: the first rule the succeeded indexes meet, as
// "Matched rules at index N": every index it names has succeeded (or
// succeededCount of them), or, without indexes, succeededCount indexes
// have.
func matchSuccessPolicy(job *batchv1.Job, succeeded []int) (string, bool) {
	policy := job.Spec.SuccessPolicy
	if policy == nil || len(succeeded) == 0 {
		return "", false
	}
	completions := int(ptrOr(job.Spec.Completions, 0))
	for i, rule := range policy.Rules {
		met := false
		if rule.SucceededIndexes != nil {
			required := parseIndexes(*rule.SucceededIndexes, completions)
			if len(required) == 0 {
				continue
			}
			contains := 0
			for _, ix := range required {
				if _, found := slices.BinarySearch(succeeded, ix); found {
					contains++
				}
			}
			met = contains == len(required) || rule.SucceededCount != nil && contains >= int(*rule.SucceededCount)
		} else if rule.SucceededCount != nil {
			met = len(succeeded) >= int(*rule.SucceededCount)
		}
		if met {
			return fmt.Sprintf("Matched rules at index %d", i), true
		}
	}
	return "", false
}
