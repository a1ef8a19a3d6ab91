package apiserver

import (
	"strings"

	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Resource is what discovery tells a client about a kind: its REST resource
// name and whether it lives in a namespace.
type Resource struct {
	GVK        schema.GroupVersionKind
	Resource   string
	Namespaced bool
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
	{GVK: schema.GroupVersionKind{Version: "v1", Kind: "Pod"}, Resource: "pods", Namespaced: true},
	{GVK: schema.GroupVersionKind{Version: "v1", Kind: "Node"}, Resource: "nodes"},
	{GVK: schema.GroupVersionKind{Version: "v1", Kind: "Namespace"}, Resource: "namespaces"},
	{GVK: schema.GroupVersionKind{Version: "v1", Kind: "ConfigMap"}, Resource: "configmaps", Namespaced: true},
	{GVK: schema.GroupVersionKind{Version: "v1", Kind: "Secret"}, Resource: "secrets", Namespaced: true},
	{GVK: schema.GroupVersionKind{Version: "v1", Kind: "ServiceAccount"}, Resource: "serviceaccounts", Namespaced: true},
	{GVK: schema.GroupVersionKind{Version: "v1", Kind: "Service"}, Resource: "services", Namespaced: true},
	{GVK: schema.GroupVersionKind{Version: "v1", Kind: "ResourceQuota"}, Resource: "resourcequotas", Namespaced: true},
	{GVK: schema.GroupVersionKind{Version: "v1", Kind: "LimitRange"}, Resource: "limitranges", Namespaced: true},
	{GVK: schema.GroupVersionKind{Group: "rbac.authorization.k8s.io", Version: "v1", Kind: "Role"}, Resource: "roles", Namespaced: true},
	{GVK: schema.GroupVersionKind{Group: "rbac.authorization.k8s.io", Version: "v1", Kind: "RoleBinding"}, Resource: "rolebindings", Namespaced: true},
	{GVK: schema.GroupVersionKind{Group: "rbac.authorization.k8s.io", Version: "v1", Kind: "ClusterRole"}, Resource: "clusterroles"},
	{GVK: schema.GroupVersionKind{Group: "rbac.authorization.k8s.io", Version: "v1", Kind: "ClusterRoleBinding"}, Resource: "clusterrolebindings"},
	{GVK: schema.GroupVersionKind{Group: "discovery.k8s.io", Version: "v1", Kind: "EndpointSlice"}, Resource: "endpointslices", Namespaced: true},
	{GVK: schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"}, Resource: "deployments", Namespaced: true},
	{GVK: schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "ReplicaSet"}, Resource: "replicasets", Namespaced: true},
	{GVK: schema.GroupVersionKind{Group: "scheduling.k8s.io", Version: "v1", Kind: "PriorityClass"}, Resource: "priorityclasses"},
	{GVK: schema.GroupVersionKind{Version: "v1", Kind: "PersistentVolume"}, Resource: "persistentvolumes"},
	{GVK: schema.GroupVersionKind{Version: "v1", Kind: "PersistentVolumeClaim"}, Resource: "persistentvolumeclaims", Namespaced: true},
	{GVK: schema.GroupVersionKind{Group: "storage.k8s.io", Version: "v1", Kind: "StorageClass"}, Resource: "storageclasses"},
	{GVK: schema.GroupVersionKind{Group: "policy", Version: "v1", Kind: "PodDisruptionBudget"}, Resource: "poddisruptionbudgets", Namespaced: true},
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
