package apiserver

import (
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/podlife/podlife/model/registry"
)

// Resource is what discovery tells a client about a kind: its REST resource
// name and whether it lives in a namespace.
type Resource struct {
	GVK        schema.GroupVersionKind
	Resource   string
	Namespaced bool
	// ShortNames are the abbreviations discovery offers kubectl ("po"),
	// from each resource's REST storage upstream (ShortNamesProvider).
	ShortNames []string
	// Verbs and Categories are discovery's ("all" for kubectl get all).
	Verbs      []string
	Categories []string
	// Preferred is set on the group's preferred version.
	Preferred bool
	// Custom marks a resource a CustomResourceDefinition defines.
	Custom bool
}

// GroupResource is the resource as errors print it ("pods", "deployments.apps").
func (r Resource) GroupResource() schema.GroupResource {
	return schema.GroupResource{Group: r.GVK.Group, Resource: r.Resource}
}

// CollectionPath is the URL a create is POSTed to.
func (r Resource) CollectionPath(namespace string) string {
	var b strings.Builder
	if r.GVK.Group == "" {
		b.WriteString("/api/" + r.GVK.Version)
	} else {
		b.WriteString("/apis/" + r.GVK.Group + "/" + r.GVK.Version)
	}
	if r.Namespaced && namespace != "" { // "" is every namespace
		b.WriteString("/namespaces/" + namespace)
	}
	b.WriteString("/" + r.Resource)
	return b.String()
}

// ObjectPath is the URL of one object, with an optional subresource.
func (r Resource) ObjectPath(namespace, name, subresource string) string {
	p := r.CollectionPath(namespace) + "/" + name
	if subresource != "" {
		p += "/" + subresource
	}
	return p
}

// resources are every served resource, each group's preferred version
// first, in the order discovery lists them (kubectl's order).
var resources = func() []Resource {
	d := registry.Discovery()
	preferred := map[string]string{"": "v1"}
	for _, g := range d.Groups {
		preferred[g.Name] = g.PreferredVersion.Version
	}
	var out, others []Resource
	for _, list := range d.Resources {
		gv, _ := schema.ParseGroupVersion(list.GroupVersion)
		for _, r := range list.APIResources {
			if strings.Contains(r.Name, "/") {
				continue // a subresource
			}
			res := Resource{GVK: gv.WithKind(r.Kind), Resource: r.Name, Namespaced: r.Namespaced, ShortNames: r.ShortNames,
				Verbs: r.Verbs, Categories: r.Categories, Preferred: preferred[gv.Group] == gv.Version}
			if res.Preferred {
				out = append(out, res)
			} else {
				others = append(others, res)
			}
		}
	}
	return append(out, others...)
}()

// Resources lists every resource the API server serves in its preferred
// version, as `kubectl api-resources` lists them.
func Resources() []Resource {
	var out []Resource
	for _, r := range resources {
		if r.Preferred {
			out = append(out, r)
		}
	}
	return out
}

// Served lists every built-in resource in every version it is served in.
func Served() []Resource { return slices.Clone(resources) }

// Discover returns the resource serving gvk, as API discovery would.
func Discover(gvk schema.GroupVersionKind) (Resource, bool) {
	for _, r := range resources {
		if r.GVK == gvk {
			return r, true
		}
	}
	return Resource{}, false
}

// ResourceFor returns the resource of a kind, in its preferred version
// where several serve it.
func ResourceFor(kind string) (Resource, bool) {
	for _, r := range resources {
		if r.GVK.Kind == kind {
			return r, true
		}
	}
	return Resource{}, false
}

// Resolve maps a resource as kubectl's command line names it to what the
// model serves, as kubectl's discovery-backed REST mapper does: the plural
// ("pods"), the singular ("pod") or a short name ("po"), optionally
// qualified by its group ("deployments.apps") or by version and group
// ("deployments.v1.apps"); case does not matter.
func Resolve(arg string) (Resource, bool) {
	return resolveIn(resources, arg)
}

func resolveIn(among []Resource, arg string) (Resource, bool) {
	arg = strings.ToLower(arg)
	name, group, qualified := strings.Cut(arg, ".")
	if version, rest, ok := strings.Cut(group, "."); ok {
		if r, found := resolve(among, name, rest, version, true); found {
			return r, true
		}
	}
	return resolve(among, name, group, "", qualified)
}

func resolve(among []Resource, name, group, version string, qualified bool) (Resource, bool) {
	for _, r := range among {
		if qualified && r.GVK.Group != group || version != "" && r.GVK.Version != version {
			continue
		}
		if name == r.Resource || name == strings.ToLower(r.GVK.Kind) || slices.Contains(r.ShortNames, name) {
			return r, true
		}
	}
	return Resource{}, false
}
