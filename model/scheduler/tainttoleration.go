package scheduler

import (
	corev1 "k8s.io/api/core/v1"
	v1helper "k8s.io/component-helpers/scheduling/corev1"
	"k8s.io/klog/v2"
)

// TaintToleration keeps pods off nodes with NoSchedule or NoExecute taints
// they do not tolerate, and prefers nodes with fewer untolerated
// PreferNoSchedule taints (framework/plugins/tainttoleration; weight 3).
type TaintToleration struct{}

// Name implements Plugin.
func (TaintToleration) Name() string { return "TaintToleration" }

// Weight implements ScorePlugin.
func (TaintToleration) Weight() int64 { return 3 }

// Filter implements FilterPlugin.
func (TaintToleration) Filter(_ *CycleState, p *PodInfo, n *NodeInfo) *Status {
	if len(n.Taints) == 0 {
		return nil
	}
	if _, untolerated := v1helper.FindMatchingUntoleratedTaint(klog.Background(), n.Taints, p.Pod.Spec.Tolerations, doNotSchedule, false); untolerated {
		return unschedulable(UnschedulableAndUnresolvable, "node(s) had untolerated taint(s)")
	}
	return nil
}

// doNotSchedule picks the taints that keep pods off a node
// (helper.DoNotScheduleTaintsFilterFunc).
func doNotSchedule(t *corev1.Taint) bool {
	return t.Effect == corev1.TaintEffectNoSchedule || t.Effect == corev1.TaintEffectNoExecute
}

const preferNoScheduleKey = "TaintToleration/preferNoSchedule"

// PreScore implements PreScorePlugin: the pod's tolerations that can
// tolerate a PreferNoSchedule taint, picked once per cycle.
func (TaintToleration) PreScore(state *CycleState, p *PodInfo, _ []*NodeInfo) *Status {
	var tolerations []corev1.Toleration
	for _, t := range p.Pod.Spec.Tolerations {
		if t.Effect == "" || t.Effect == corev1.TaintEffectPreferNoSchedule {
			tolerations = append(tolerations, t)
		}
	}
	state.Write(preferNoScheduleKey, tolerations)
	return nil
}

// Score implements ScorePlugin: the count of untolerated PreferNoSchedule
// taints, reversed by NormalizeScore.
func (TaintToleration) Score(state *CycleState, _ *PodInfo, n *NodeInfo) int64 {
	tolerations, _ := state.Read(preferNoScheduleKey).([]corev1.Toleration)
	return intolerable(tolerations, n)
}

// ScoreNodes implements NodesScorer.
func (TaintToleration) ScoreNodes(state *CycleState, _ *PodInfo, nodes []*NodeInfo, scores []int64) {
	tolerations, _ := state.Read(preferNoScheduleKey).([]corev1.Toleration)
	for i, n := range nodes {
		scores[i] = intolerable(tolerations, n)
	}
}

func intolerable(tolerations []corev1.Toleration, n *NodeInfo) int64 {
	var count int64
	for i := range n.Taints {
		t := &n.Taints[i]
		if t.Effect == corev1.TaintEffectPreferNoSchedule && !v1helper.TolerationsTolerateTaint(klog.Background(), tolerations, t, false) {
			count++
		}
	}
	return count
}

// score higher (helper.DefaultNormalizeScore, reversed).
func (TaintToleration) NormalizeScore(_ *CycleState, _ *PodInfo, scores []int64) {
	defaultNormalizeScore(MaxNodeScore, true, scores)
}

// defaultNormalizeScore scales scores so the highest becomes maxPriority,
// optionally reversed (framework/plugins/helper/normalize_score.go).
func defaultNormalizeScore(maxPriority int64, reverse bool, scores []int64) {
	var highest int64
	for _, s := range scores {
		highest = max(highest, s)
	}
	if highest == 0 {
		if reverse {
			for i := range scores {
				scores[i] = maxPriority
			}
		}
		return
	}
	for i, s := range scores {
		s = maxPriority * s / highest
		if reverse {
			s = maxPriority - s
		}
		scores[i] = s
	}
}
