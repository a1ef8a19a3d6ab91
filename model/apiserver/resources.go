package apiserver

import (
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/runtime/schema"
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
	if r.Namespaced {
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

var resources = []Resource{
	{GVK: schema.GroupVersionKind{Version: "v1", Kind: "Pod"}, Resource: "pods", Namespaced: true, ShortNames: []string{"po"}},
	{GVK: schema.GroupVersionKind{Version: "v1", Kind: "Node"}, Resource: "nodes", ShortNames: []string{"no"}},
	{GVK: schema.GroupVersionKind{Version: "v1", Kind: "Namespace"}, Resource: "namespaces", ShortNames: []string{"ns"}},
	{GVK: schema.GroupVersionKind{Version: "v1", Kind: "ConfigMap"}, Resource: "configmaps", Namespaced: true, ShortNames: []string{"cm"}},
	{GVK: schema.GroupVersionKind{Version: "v1", Kind: "Secret"}, Resource: "secrets", Namespaced: true},
	{GVK: schema.GroupVersionKind{Version: "v1", Kind: "ServiceAccount"}, Resource: "serviceaccounts", Namespaced: true, ShortNames: []string{"sa"}},
	{GVK: schema.GroupVersionKind{Version: "v1", Kind: "Service"}, Resource: "services", Namespaced: true, ShortNames: []string{"svc"}},
	{GVK: schema.GroupVersionKind{Version: "v1", Kind: "ResourceQuota"}, Resource: "resourcequotas", Namespaced: true, ShortNames: []string{"quota"}},
	{GVK: schema.GroupVersionKind{Version: "v1", Kind: "LimitRange"}, Resource: "limitranges", Namespaced: true, ShortNames: []string{"limits"}},
	{GVK: schema.GroupVersionKind{Group: "rbac.authorization.k8s.io", Version: "v1", Kind: "Role"}, Resource: "roles", Namespaced: true},
	{GVK: schema.GroupVersionKind{Group: "rbac.authorization.k8s.io", Version: "v1", Kind: "RoleBinding"}, Resource: "rolebindings", Namespaced: true},
	{GVK: schema.GroupVersionKind{Group: "rbac.authorization.k8s.io", Version: "v1", Kind: "ClusterRole"}, Resource: "clusterroles"},
	{GVK: schema.GroupVersionKind{Group: "rbac.authorization.k8s.io", Version: "v1", Kind: "ClusterRoleBinding"}, Resource: "clusterrolebindings"},
	{GVK: schema.GroupVersionKind{Group: "discovery.k8s.io", Version: "v1", Kind: "EndpointSlice"}, Resource: "endpointslices", Namespaced: true},
	{GVK: schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"}, Resource: "deployments", Namespaced: true, ShortNames: []string{"deploy"}},
	{GVK: schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "ReplicaSet"}, Resource: "replicasets", Namespaced: true, ShortNames: []string{"rs"}},
	{GVK: schema.GroupVersionKind{Group: "scheduling.k8s.io", Version: "v1", Kind: "PriorityClass"}, Resource: "priorityclasses", ShortNames: []string{"pc"}},
	{GVK: schema.GroupVersionKind{Version: "v1", Kind: "PersistentVolume"}, Resource: "persistentvolumes", ShortNames: []string{"pv"}},
	{GVK: schema.GroupVersionKind{Version: "v1", Kind: "PersistentVolumeClaim"}, Resource: "persistentvolumeclaims", Namespaced: true, ShortNames: []string{"pvc"}},
	{GVK: schema.GroupVersionKind{Group: "storage.k8s.io", Version: "v1", Kind: "StorageClass"}, Resource: "storageclasses", ShortNames: []string{"sc"}},
	{GVK: schema.GroupVersionKind{Group: "policy", Version: "v1", Kind: "PodDisruptionBudget"}, Resource: "poddisruptionbudgets", Namespaced: true, ShortNames: []string{"pdb"}},
}

// Discover returns the resource serving gvk, as API discovery would.
func Discover(gvk schema.GroupVersionKind) (Resource, bool) {
	for _, r := range resources {
		if r.GVK == gvk {
			return r, true
		}
	}
	return Resource{}, false
}

// ResourceFor returns the resource of a kind in any version the model serves.
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
	arg = strings.ToLower(arg)
	name, group, qualified := strings.Cut(arg, ".")
	if version, rest, ok := strings.Cut(group, "."); ok {
		if r, found := resolve(name, rest, true); found && r.GVK.Version == version {
			return r, true
		}
	}
	return resolve(name, group, qualified)
}

func resolve(name, group string, qualified bool) (Resource, bool) {
	for _, r := range resources {
		if qualified && r.GVK.Group != group {
			continue
		}
		if name == r.Resource || name == strings.ToLower(r.GVK.Kind) || slices.Contains(r.ShortNames, name) {
			return r, true
		}
	}
	return Resource{}, false
}
