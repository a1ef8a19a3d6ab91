package auth

import (
	"strings"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/sim"
)

// Node is the Node authorizer (plugin/pkg/auth/authorizer/node): a kubelet,
// authenticated as system:node:NAME in system:nodes, may read the secrets
// and configmaps of pods bound to its node, write pod status, create mirror
// pods and events, and otherwise what bootstrap policy's node rules allow.
// Everyone else gets no opinion, silently.
type Node struct{ Store *sim.Store }

// Name implements apiserver.Authorizer.
func (Node) Name() string { return "Node" }

// Authorize implements apiserver.Authorizer.
func (n Node) Authorize(a apiserver.Attributes) (apiserver.Decision, string) {
	node, isNode := nodeIdentity(a.User)
	if !isNode {
		return apiserver.NoOpinion, ""
	}
	if a.IsResource && a.APIGroup == "" {
		switch a.Resource {
		case "secrets", "configmaps":
			return n.authorizeReferenced(node, a)
		case "pods":
			return n.authorizePod(node, a)
		}
	}
	if RulesAllow(a, nodeRules...) {
		return apiserver.Allow, ""
	}
	return apiserver.NoOpinion, ""
}

func nodeIdentity(u apiserver.UserInfo) (string, bool) {
	if !u.InGroup(apiserver.SystemNodesGroup) || !strings.HasPrefix(u.Name, apiserver.NodeUserPrefix) {
		return "", false
	}
	return strings.TrimPrefix(u.Name, apiserver.NodeUserPrefix), true
}

// authorizePod follows node_authorizer.go authorizePod: status writes,
// mirror pods and evictions are allowed here and narrowed to the node's own
// pods by the NodeRestriction admission plugin.
func (n Node) authorizePod(node string, a apiserver.Attributes) (apiserver.Decision, string) {
	switch {
	case a.Subresource == "" && (a.Verb == "create" || a.Verb == "delete"),
		a.Subresource == "status" && (a.Verb == "update" || a.Verb == "patch"),
		a.Subresource == "eviction" && a.Verb == "create":
		return apiserver.Allow, ""
	case a.Subresource == "" && a.Verb == "get":
		if pod, ok := n.Store.Get(sim.Key{Kind: "Pod", Namespace: a.Namespace, Name: a.Name}).(*corev1.Pod); ok && pod.Spec.NodeName == node {
			return apiserver.Allow, ""
		}
	}
	return apiserver.NoOpinion, ""
}

// authorizeReferenced lets a node read a secret or configmap that a pod
// bound to it uses as a volume (the authorizer's graph, reduced to what the
// model's volumes reference).
func (n Node) authorizeReferenced(node string, a apiserver.Attributes) (apiserver.Decision, string) {
	switch a.Verb {
	case "get", "list", "watch":
	default:
		return apiserver.NoOpinion, "can only read resources of this type"
	}
	if a.Subresource != "" {
		return apiserver.NoOpinion, "cannot read subresource"
	}
	if a.Namespace == "" {
		return apiserver.NoOpinion, "can only read namespaced object of this type"
	}
	for _, obj := range n.Store.List("Pod", a.Namespace) {
		pod := obj.(*corev1.Pod)
		if pod.Spec.NodeName == node && references(pod, a.Resource, a.Name) {
			return apiserver.Allow, ""
		}
	}
	return apiserver.NoOpinion, "no relationship found between node '" + node + "' and this object"
}

func references(pod *corev1.Pod, resource, name string) bool {
	for _, v := range pod.Spec.Volumes {
		switch {
		case resource == "configmaps" && v.ConfigMap != nil && v.ConfigMap.Name == name,
			resource == "secrets" && v.Secret != nil && v.Secret.SecretName == name:
			return true
		case v.Projected != nil:
			for _, src := range v.Projected.Sources {
				if (resource == "configmaps" && src.ConfigMap != nil && src.ConfigMap.Name == name) ||
					(resource == "secrets" && src.Secret != nil && src.Secret.Name == name) {
					return true
				}
			}
		}
	}
	return false
}

// nodeRules are bootstrap policy's NodeRules for the resources the model
// serves (plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go).
var nodeRules = []rbacv1.PolicyRule{
	rule(read, core, "services"),
	rule([]string{"create", "get", "list", "watch"}, core, "nodes"),
	rule([]string{"update", "patch"}, core, "nodes/status", "nodes"),
	{Verbs: []string{"create", "update", "patch"}, APIGroups: []string{"", "events.k8s.io"}, Resources: []string{"events"}},
	rule(read, core, "pods"),
	rule([]string{"create", "delete"}, core, "pods"),
	rule([]string{"update", "patch"}, core, "pods/status"),
	rule([]string{"create"}, core, "pods/eviction"),
	rule([]string{"get", "list", "watch"}, core, "secrets", "configmaps"),
	rule([]string{"get"}, core, "persistentvolumeclaims", "persistentvolumes", "endpoints"),
	rule([]string{"get", "create", "update", "patch", "delete"}, []string{"coordination.k8s.io"}, "leases"),
	rule([]string{"create"}, core, "serviceaccounts/token"),
}
