package manifest

import (
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/podlife/podlife/model/registry"
	"github.com/podlife/podlife/model/sim"
)

// newObject returns an empty object of a kind the API server knows, in
// the given version, or nil: kubectl learns the same from discovery, and a
// kind it does not find fails its resource mapping.
func newObject(gvk schema.GroupVersionKind) sim.Object {
	obj, _ := registry.New(gvk).(sim.Object)
	return obj
}
