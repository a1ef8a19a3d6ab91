package manifest

import (
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/scheme"
	apiregistrationv1 "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1"

	"github.com/podlife/podlife/model/sim"
)

// types knows every built-in kind's Go type in each version a client may
// send (client-go's scheme), with the two groups the apiextensions and
// aggregator servers serve. Only types: the API server's defaulting and
// validation are model/registry's, which a reader of YAML need not link.
var types = func() *runtime.Scheme {
	s := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{scheme.AddToScheme, apiextensionsv1.AddToScheme, apiregistrationv1.AddToScheme} {
		if err := add(s); err != nil {
			panic("manifest: " + err.Error()) // the libraries' own registrations
		}
	}
	return s
}()

// newObject returns an empty object of a kind in the given version, or
// nil: kubectl learns the kinds from discovery, and one it does not find
// fails its resource mapping.
func newObject(gvk schema.GroupVersionKind) sim.Object {
	obj, err := types.New(gvk)
	if err != nil {
		return nil
	}
	o, _ := obj.(sim.Object)
	return o
}
