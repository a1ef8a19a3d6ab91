package scheduler

import (
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// ImageLocality prefers nodes that already hold the pod's images, weighed
// by image size and by how few nodes have them
// (framework/plugins/imagelocality; weight 1).
type ImageLocality struct{ Snapshot Snapshot }

// Name implements Plugin.
func (ImageLocality) Name() string { return "ImageLocality" }

// Weight implements ScorePlugin.
func (ImageLocality) Weight() int64 { return 1 }

const (
	mb                    = 1024 * 1024
	minImageThreshold     = 23 * mb
	maxContainerThreshold = 1000 * mb
)

const imageSpreadKey = "ImageLocality/spread"

// PreScore implements PreScorePlugin: for each of the pod's images, the
// share of nodes that hold it (the snapshot's ImageStateSummary.NumNodes).
func (l ImageLocality) PreScore(state *CycleState, p *PodInfo, _ []*NodeInfo) *Status {
	nodes := float64(len(l.Snapshot.Nodes()))
	spec := &p.Pod.Spec
	s := &imageState{names: make([]string, 0, len(spec.InitContainers)+len(spec.Containers))}
	for _, list := range [][]corev1.Container{spec.InitContainers, spec.Containers} {
		for i := range list {
			name := normalizedImageName(list[i].Image)
			s.names = append(s.names, name)
			s.spread = append(s.spread, float64(l.Snapshot.ImageNodes(name))/nodes)
		}
	}
	state.Write(imageSpreadKey, s)
	return nil
}

// imageState is every container's image, normalized, with the share of
// nodes that hold it.
type imageState struct {
	names  []string
	spread []float64
}

// Score implements ScorePlugin.
func (l ImageLocality) Score(state *CycleState, p *PodInfo, n *NodeInfo) int64 {
	s, _ := state.Read(imageSpreadKey).(*imageState)
	return s.score(n)
}

// ScoreNodes implements NodesScorer.
func (l ImageLocality) ScoreNodes(state *CycleState, p *PodInfo, nodes []*NodeInfo, scores []int64) {
	s, _ := state.Read(imageSpreadKey).(*imageState)
	for i, n := range nodes {
		scores[i] = s.score(n)
	}
}

func (s *imageState) score(n *NodeInfo) int64 {
	if s == nil || len(n.Images) == 0 {
		return 0 // the sum is below the threshold, which scores 0
	}
	var sum int64
	count := len(s.names)
	for i, name := range s.names {
		if size, ok := n.Images[name]; ok {
			sum += int64(float64(size) * s.spread[i])
		}
	}
	upper := int64(maxContainerThreshold) * int64(count)
	sum = min(max(sum, minImageThreshold), upper)
	return MaxNodeScore * (sum - minImageThreshold) / (upper - minImageThreshold)
}

// normalizedImageName adds ":latest" to a name without a tag, as the
// plugin does.
func normalizedImageName(name string) string {
	if strings.LastIndex(name, ":") <= strings.LastIndex(name, "/") {
		name += ":latest"
	}
	return name
}
