package model

import "github.com/podlife/podlife/model/kubelet"

// DefaultImageSize is the size the registry reports for an image no scenario
// described.
const DefaultImageSize = 50_000_000

// Registry is the container registry every node pulls from: images a
// scenario described, and a default for the rest.
type Registry struct {
	lat    *Latencies
	images map[string]kubelet.Image
}

// NewRegistry returns a registry whose undescribed images pull in the
// image-pull latency.
func NewRegistry(lat *Latencies) *Registry {
	return &Registry{lat: lat, images: map[string]kubelet.Image{}}
}

// Describe sets an image's size and pull time.
func (r *Registry) Describe(ref string, img kubelet.Image) { r.images[ref] = img }

// Image implements kubelet.Registry.
func (r *Registry) Image(ref string) kubelet.Image {
	if img, ok := r.images[ref]; ok {
		return img
	}
	return kubelet.Image{Size: DefaultImageSize, Pull: r.lat.ImagePull}
}
