package scheduler

import "strings"

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
	nodes := l.Snapshot.Nodes()
	spread := map[string]float64{}
	for _, list := range [][]string{containerImages(p, true), containerImages(p, false)} {
		for _, image := range list {
			name := normalizedImageName(image)
			if _, done := spread[name]; done {
				continue
			}
			spread[name] = float64(l.Snapshot.ImageNodes(name)) / float64(len(nodes))
		}
	}
	var names []string
	for _, list := range [][]string{containerImages(p, true), containerImages(p, false)} {
		for _, image := range list {
			names = append(names, normalizedImageName(image))
		}
	}
	state.Write(imageSpreadKey, &imageState{names: names, spread: spread})
	return nil
}

type imageState struct {
	names  []string // every container's image, normalized
	spread map[string]float64
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
	for _, name := range s.names {
		if size, ok := n.Images[name]; ok {
			sum += int64(float64(size) * s.spread[name])
		}
	}
	upper := int64(maxContainerThreshold) * int64(count)
	sum = min(max(sum, minImageThreshold), upper)
	return MaxNodeScore * (sum - minImageThreshold) / (upper - minImageThreshold)
}

func containerImages(p *PodInfo, init bool) []string {
	list := p.Pod.Spec.Containers
	if init {
		list = p.Pod.Spec.InitContainers
	}
	out := make([]string, len(list))
	for i, c := range list {
		out[i] = c.Image
	}
	return out
}

// normalizedImageName adds ":latest" to a name without a tag, as the
// plugin does.
func normalizedImageName(name string) string {
	if strings.LastIndex(name, ":") <= strings.LastIndex(name, "/") {
		name += ":latest"
	}
	return name
}
