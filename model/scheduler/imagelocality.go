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

// Score implements ScorePlugin.
func (l ImageLocality) Score(_ *CycleState, p *PodInfo, n *NodeInfo) int64 {
	nodes := l.Snapshot.Nodes()
	var sum int64
	count := 0
	for _, list := range [][]string{containerImages(p, true), containerImages(p, false)} {
		for _, image := range list {
			count++
			name := normalizedImageName(image)
			size, ok := n.Images[name]
			if !ok {
				continue
			}
			having := 0
			for _, other := range nodes {
				if _, has := other.Images[name]; has {
					having++
				}
			}
			sum += int64(float64(size) * float64(having) / float64(len(nodes)))
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
