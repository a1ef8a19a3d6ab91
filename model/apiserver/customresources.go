package apiserver

import (
	"slices"

	apiextensionshelpers "k8s.io/apiextensions-apiserver/pkg/apihelpers"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/version"

	"github.com/podlife/podlife/model/registry"
	"github.com/podlife/podlife/model/sim"
)

// customResourceVerbs are what discovery lists for every custom resource
// (apiextensions-apiserver's discovery controller).
var customResourceVerbs = []string{"delete", "deletecollection", "get", "list", "patch", "create", "update", "watch"}

// served is one CRD's serving info, rebuilt when the CRD changes, as the
// CRD handler keeps it by UID.
type served struct {
	resourceVersion string
	cr              *registry.CustomResource
}

// customResources are the resources the stored CRDs define, in the order
// of the CRDs' names: only those whose names are accepted and which are
// Established, as apiextensions-apiserver serves and discovers them.
func (s *Server) customResources() []Resource {
	var out []Resource
	for _, obj := range s.store.List("CustomResourceDefinition", "") {
		crd, ok := obj.(*apiextensionsv1.CustomResourceDefinition)
		if !ok || !apiextensionshelpers.IsCRDConditionTrue(crd, apiextensionsv1.Established) || crd.DeletionTimestamp != nil {
			continue
		}
		names := crd.Status.AcceptedNames
		var versions []string
		for _, v := range crd.Spec.Versions {
			if v.Served {
				versions = append(versions, v.Name)
			}
		}
		slices.SortStableFunc(versions, func(a, b string) int { return -version.CompareKubeAwareVersionStrings(a, b) })
		for i, v := range versions {
			out = append(out, Resource{
				GVK:        schema.GroupVersionKind{Group: crd.Spec.Group, Version: v, Kind: names.Kind},
				Resource:   names.Plural,
				Namespaced: crd.Spec.Scope == apiextensionsv1.NamespaceScoped,
				ShortNames: names.ShortNames, Verbs: customResourceVerbs, Categories: names.Categories,
				Preferred: i == 0, Custom: true,
			})
		}
	}
	return out
}

// Discover returns the resource serving gvk, as this server's discovery
// would: a built-in one, or one an established CRD defines.
func (s *Server) Discover(gvk schema.GroupVersionKind) (Resource, bool) {
	if r, ok := Discover(gvk); ok {
		return r, true
	}
	for _, r := range s.customResources() {
		if r.GVK == gvk {
			return r, true
		}
	}
	return Resource{}, false
}

// ResourceFor is the package's ResourceFor with this server's custom
// resources.
func (s *Server) ResourceFor(kind string) (Resource, bool) {
	if r, ok := ResourceFor(kind); ok {
		return r, true
	}
	for _, r := range s.customResources() {
		if r.GVK.Kind == kind && r.Preferred {
			return r, true
		}
	}
	return Resource{}, false
}

// Resolve is the package's Resolve with this server's custom resources.
func (s *Server) Resolve(arg string) (Resource, bool) {
	if r, ok := Resolve(arg); ok {
		return r, true
	}
	return resolveIn(s.customResources(), arg)
}

// Resources lists what `kubectl api-resources` lists from this server:
// the built-in resources, then the custom ones.
func (s *Server) Resources() []Resource {
	out := Resources()
	for _, r := range s.customResources() {
		if r.Preferred {
			out = append(out, r)
		}
	}
	return out
}

// customResource returns the serving info of the CRD that defines a
// custom resource, built once per revision of the CRD.
func (s *Server) customResource(r Resource) (*registry.CustomResource, error) {
	key := sim.Key{Kind: "CustomResourceDefinition", Name: r.Resource + "." + r.GVK.Group}
	crd, _ := s.store.Get(key).(*apiextensionsv1.CustomResourceDefinition)
	if crd == nil {
		return nil, errNoCRD
	}
	if have, ok := s.crds[crd.UID]; ok && have.resourceVersion == crd.ResourceVersion {
		return have.cr, nil
	}
	cr, err := registry.NewCustomResource(crd)
	if err != nil {
		return nil, err
	}
	if s.crds == nil {
		s.crds = map[types.UID]served{}
	}
	s.crds[crd.UID] = served{crd.ResourceVersion, cr}
	return cr, nil
}

// CustomObject decodes a custom resource of a cluster's initial state as
// a request body would be decoded (strictly, pruned, defaulted), in
// namespace, and validates it as a create would.
func (s *Server) CustomObject(r Resource, namespace string, body []byte) (sim.Object, error) {
	cr, err := s.customResource(r)
	if err != nil {
		return nil, err
	}
	u, err := cr.Decode(r.GVK, body)
	if err != nil {
		return nil, err
	}
	if r.Namespaced {
		u.SetNamespace(namespace)
	}
	if err := cr.Validate(registry.Request{GVK: r.GVK, Resource: r.Resource, Namespace: namespace}, u); err != nil {
		return nil, err
	}
	return u, nil
}
