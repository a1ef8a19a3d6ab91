package cluster

import (
	"strings"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/sim"
)

// names keeps a scenario's objects apart from everything else on the
// cluster: every namespace it uses and every cluster-scoped object it
// creates gets the run's suffix ("default" becomes "default-pl3fa9c1"), and
// whatever the cluster says is read back with the suffix removed, so that
// messages, object references and CEL state name what the scenario wrote.
type names struct {
	suffix string
	// created holds "Kind/name" of the cluster-scoped objects the scenario
	// made, which references to them follow.
	created map[string]bool
	// webhooks serve the scenario's URL webhooks on loopback.
	webhooks *webhookServers
}

// renamedKinds are the cluster-scoped kinds a scenario's objects get the
// suffix on (built-in ClusterRoles such as "edit" keep their names).
var renamedKinds = map[string]bool{"Namespace": true, "Node": true, "PriorityClass": true, "StorageClass": true,
	"PersistentVolume": true, "ClusterRole": true, "ClusterRoleBinding": true,
	"ValidatingAdmissionPolicy": true, "ValidatingAdmissionPolicyBinding": true,
	"ValidatingWebhookConfiguration": true, "MutatingWebhookConfiguration": true,
	"MutatingAdmissionPolicy": true, "MutatingAdmissionPolicyBinding": true, "IngressClass": true}

func (n *names) namespace(ns string) string { return ns + n.suffix }

// ref is a reference to a cluster-scoped object of kind: renamed when the
// scenario made that object.
func (n *names) ref(kind, name string) string {
	if n.created[kind+"/"+name] {
		return name + n.suffix
	}
	return name
}

// back removes the suffix from anything the cluster says.
func (n *names) back(s string) string {
	if n.webhooks != nil {
		s = n.webhooks.back(s)
	}
	return strings.ReplaceAll(s, n.suffix, "")
}

// user is the identity a scenario's user is impersonated as: a service
// account lives in the renamed namespace.
func (n *names) user(user string) string {
	if ns, name, ok := apiserver.ParseServiceAccountUsername(user); ok {
		return apiserver.ServiceAccountUsername(n.namespace(ns), name)
	}
	return user
}

// rename rewrites obj, in place, to live in the scenario's namespaces and
// to refer to its renamed objects. namespaced says whether its kind is.
func (n *names) rename(obj sim.Object, gvk schema.GroupVersionKind, namespaced bool) {
	if namespaced {
		ns := obj.GetNamespace()
		if ns == "" {
			ns = "default"
		}
		obj.SetNamespace(n.namespace(ns))
	} else if renamedKinds[gvk.Kind] {
		n.created[gvk.Kind+"/"+obj.GetName()] = true
		obj.SetName(obj.GetName() + n.suffix)
	}
	switch o := obj.(type) {
	case *corev1.Pod:
		n.podSpec(&o.Spec)
	case *appsv1.Deployment:
		n.podSpec(&o.Spec.Template.Spec)
	case *appsv1.ReplicaSet:
		n.podSpec(&o.Spec.Template.Spec)
	case *appsv1.StatefulSet:
		n.podSpec(&o.Spec.Template.Spec)
		for i := range o.Spec.VolumeClaimTemplates {
			if class := o.Spec.VolumeClaimTemplates[i].Spec.StorageClassName; class != nil {
				*class = n.ref("StorageClass", *class)
			}
		}
	case *appsv1.DaemonSet:
		n.podSpec(&o.Spec.Template.Spec)
	case *corev1.Node:
		if o.Labels[corev1.LabelHostname] != "" {
			o.Labels[corev1.LabelHostname] = o.Name
		}
	case *corev1.PersistentVolumeClaim:
		if o.Spec.StorageClassName != nil {
			class := n.ref("StorageClass", *o.Spec.StorageClassName)
			o.Spec.StorageClassName = &class
		}
		o.Spec.VolumeName = n.ref("PersistentVolume", o.Spec.VolumeName)
	case *corev1.PersistentVolume:
		o.Spec.StorageClassName = n.ref("StorageClass", o.Spec.StorageClassName)
		if o.Spec.ClaimRef != nil && o.Spec.ClaimRef.Namespace != "" {
			o.Spec.ClaimRef.Namespace = n.namespace(o.Spec.ClaimRef.Namespace)
		}
		if o.Spec.NodeAffinity != nil && o.Spec.NodeAffinity.Required != nil {
			n.nodeTerms(o.Spec.NodeAffinity.Required.NodeSelectorTerms)
		}
	case *rbacv1.RoleBinding:
		n.subjects(o.Subjects)
		if o.RoleRef.Kind == "ClusterRole" {
			o.RoleRef.Name = n.ref("ClusterRole", o.RoleRef.Name)
		}
	case *rbacv1.ClusterRoleBinding:
		n.subjects(o.Subjects)
		o.RoleRef.Name = n.ref("ClusterRole", o.RoleRef.Name)
	case *networkingv1.Ingress:
		if o.Spec.IngressClassName != nil {
			class := n.ref("IngressClass", *o.Spec.IngressClassName)
			o.Spec.IngressClassName = &class
		}
	case *admissionregistrationv1.ValidatingWebhookConfiguration:
		for i := range o.Webhooks {
			n.webhook(&o.Webhooks[i].ClientConfig, o.Webhooks[i].NamespaceSelector)
		}
	case *admissionregistrationv1.MutatingWebhookConfiguration:
		for i := range o.Webhooks {
			n.webhook(&o.Webhooks[i].ClientConfig, o.Webhooks[i].NamespaceSelector)
		}
	case *admissionregistrationv1.MutatingAdmissionPolicyBinding:
		o.Spec.PolicyName = n.ref("MutatingAdmissionPolicy", o.Spec.PolicyName)
		if r := o.Spec.ParamRef; r != nil && r.Namespace != "" {
			r.Namespace = n.namespace(r.Namespace)
		}
	case *admissionregistrationv1.ValidatingAdmissionPolicyBinding:
		o.Spec.PolicyName = n.ref("ValidatingAdmissionPolicy", o.Spec.PolicyName)
		if r := o.Spec.ParamRef; r != nil && r.Namespace != "" {
			r.Namespace = n.namespace(r.Namespace)
		}
	}
}

// webhook points a webhook at the Service in the scenario's namespace, or
// a URL at the loopback server, and its namespaceSelector's namespace names at the renamed namespaces.
func (n *names) webhook(cc *admissionregistrationv1.WebhookClientConfig, selector *metav1.LabelSelector) {
	if cc.Service != nil {
		cc.Service.Namespace = n.namespace(cc.Service.Namespace)
	}
	if n.webhooks != nil {
		n.webhooks.point(cc)
	}
	if selector == nil {
		return
	}
	if ns, ok := selector.MatchLabels[corev1.LabelMetadataName]; ok {
		selector.MatchLabels[corev1.LabelMetadataName] = n.namespace(ns)
	}
	for i := range selector.MatchExpressions {
		if e := &selector.MatchExpressions[i]; e.Key == corev1.LabelMetadataName {
			for j := range e.Values {
				e.Values[j] = n.namespace(e.Values[j])
			}
		}
	}
}

func (n *names) podSpec(spec *corev1.PodSpec) {
	if spec.NodeName != "" {
		spec.NodeName = n.ref("Node", spec.NodeName)
	}
	spec.PriorityClassName = n.ref("PriorityClass", spec.PriorityClassName)
	if host, ok := spec.NodeSelector[corev1.LabelHostname]; ok {
		spec.NodeSelector[corev1.LabelHostname] = n.ref("Node", host)
	}
	if a := spec.Affinity; a != nil && a.NodeAffinity != nil && a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution != nil {
		n.nodeTerms(a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms)
	}
}

// nodeTerms renames the node names a node selector term matches by
// hostname label or by metadata.name.
func (n *names) nodeTerms(terms []corev1.NodeSelectorTerm) {
	for _, t := range terms {
		for _, reqs := range [][]corev1.NodeSelectorRequirement{t.MatchExpressions, t.MatchFields} {
			for i := range reqs {
				if reqs[i].Key == corev1.LabelHostname || reqs[i].Key == "metadata.name" {
					for j, v := range reqs[i].Values {
						reqs[i].Values[j] = n.ref("Node", v)
					}
				}
			}
		}
	}
}

func (n *names) subjects(subjects []rbacv1.Subject) {
	for i, s := range subjects {
		switch {
		case s.Kind == rbacv1.ServiceAccountKind && s.Namespace != "":
			subjects[i].Namespace = n.namespace(s.Namespace)
		case s.Kind == rbacv1.UserKind:
			subjects[i].Name = n.user(s.Name)
		}
	}
}
