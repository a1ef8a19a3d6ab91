package model

import (
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/sets"
)

// modelled are the kinds some part of the model acts on: a controller, the
// scheduler, a kubelet, kube-proxy, CoreDNS or the ingress controller reacts to them, or the API
// server's authorizers and admission plugins read them. Every other kind
// kube-apiserver serves is validated and stored, and nothing more happens:
// the trace says so once, so a user does not take the silence for what
// their cluster would do.
var modelled = sets.New(
	schema.GroupKind{Kind: "Pod"}, schema.GroupKind{Kind: "Node"}, schema.GroupKind{Kind: "Namespace"},
	schema.GroupKind{Kind: "ConfigMap"}, schema.GroupKind{Kind: "Secret"}, schema.GroupKind{Kind: "ServiceAccount"},
	schema.GroupKind{Kind: "Service"}, schema.GroupKind{Kind: "ResourceQuota"}, schema.GroupKind{Kind: "LimitRange"},
	schema.GroupKind{Kind: "PersistentVolume"}, schema.GroupKind{Kind: "PersistentVolumeClaim"},
	schema.GroupKind{Kind: "ReplicationController"},
	schema.GroupKind{Group: "apps", Kind: "Deployment"}, schema.GroupKind{Group: "apps", Kind: "ReplicaSet"}, schema.GroupKind{Group: "batch", Kind: "Job"}, schema.GroupKind{Group: "batch", Kind: "CronJob"}, schema.GroupKind{Group: "apps", Kind: "DaemonSet"},
	schema.GroupKind{Group: "apps", Kind: "StatefulSet"}, schema.GroupKind{Group: "apps", Kind: "ControllerRevision"},
	schema.GroupKind{Group: "discovery.k8s.io", Kind: "EndpointSlice"},
	schema.GroupKind{Group: "networking.k8s.io", Kind: "Ingress"}, schema.GroupKind{Group: "networking.k8s.io", Kind: "IngressClass"},
	schema.GroupKind{Group: "policy", Kind: "PodDisruptionBudget"}, schema.GroupKind{Group: "autoscaling", Kind: "HorizontalPodAutoscaler"},
	schema.GroupKind{Group: "rbac.authorization.k8s.io", Kind: "Role"}, schema.GroupKind{Group: "rbac.authorization.k8s.io", Kind: "RoleBinding"},
	schema.GroupKind{Group: "rbac.authorization.k8s.io", Kind: "ClusterRole"}, schema.GroupKind{Group: "rbac.authorization.k8s.io", Kind: "ClusterRoleBinding"},
	schema.GroupKind{Group: "scheduling.k8s.io", Kind: "PriorityClass"},
	schema.GroupKind{Group: "storage.k8s.io", Kind: "StorageClass"},
	schema.GroupKind{Group: "apiextensions.k8s.io", Kind: "CustomResourceDefinition"},
	schema.GroupKind{Group: "admissionregistration.k8s.io", Kind: "ValidatingAdmissionPolicy"},
	schema.GroupKind{Group: "admissionregistration.k8s.io", Kind: "ValidatingAdmissionPolicyBinding"},
	schema.GroupKind{Group: "admissionregistration.k8s.io", Kind: "ValidatingWebhookConfiguration"},
	schema.GroupKind{Group: "admissionregistration.k8s.io", Kind: "MutatingWebhookConfiguration"},
	schema.GroupKind{Group: "admissionregistration.k8s.io", Kind: "MutatingAdmissionPolicy"},
	schema.GroupKind{Group: "admissionregistration.k8s.io", Kind: "MutatingAdmissionPolicyBinding"},
)

// noteUnmodelled says once per kind, in the trace, that objects of a
// served kind nothing in the model acts on are stored and left alone.
func (c *Cluster) noteUnmodelled(gvk schema.GroupVersionKind, ref string) {
	gk := gvk.GroupKind()
	res, served := c.API.Discover(gvk)
	if !served || modelled.Has(gk) || c.noted.Has(gk) {
		return
	}
	c.noted.Insert(gk)
	if res.Custom {
		c.Trace.Stepf("podlife", "unmodelled", ref, "warning: podlife stores %s but models nothing that acts on them; in a real cluster, the controller that serves their CRD may", res.GroupResource())
		return
	}
	c.Trace.Stepf("podlife", "unmodelled", ref, "warning: podlife stores %s but models nothing that acts on them; a real cluster's controllers would", res.GroupResource())
}
