package scheduler

// DynamicResources stands for kube-scheduler's DRA plugin, enabled by
// default and last in the plugin order. The model has no ResourceClaims,
// so its PreFilter only records that it ran (and skips); its PostFilter
// then reads that record, as the real one reads its PreFilter's state. When
// an earlier PreFilter rejected the pod, the record is missing and the
// PostFilter chain fails with the cycle state's "not found" — which a real
// v1.37.2 kube-scheduler prints as the end of FailedScheduling (seen with
// hack/controlplane).
type DynamicResources struct{}

const dynamicResourcesKey = "DynamicResources"

// Name implements Plugin.
func (DynamicResources) Name() string { return "DynamicResources" }

// PreFilter implements PreFilterPlugin.
func (DynamicResources) PreFilter(state *CycleState, _ *PodInfo) *Status {
	state.Write(dynamicResourcesKey, struct{}{})
	return skipped
}

// postFilter runs the PostFilter chain: DynamicResources' missing state
// ends it with an error (RunPostFilterPlugins keeps only that), otherwise
// DefaultPreemption's verdict stands.
func (s *Scheduler) postFilter(state *CycleState, qp *queuedPod, p *PodInfo, rejected []nodeStatus) postFilterResult {
	if state.Read(dynamicResourcesKey) == nil {
		return postFilterResult{message: "not found"}
	}
	return s.preempt(qp, p, rejected)
}
