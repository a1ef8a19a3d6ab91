// Package snapshot reads a live cluster through client-go and writes its
// state as a cluster file, the settled state `podlife apply --cluster`
// starts from: the objects that decide what happens to a new pod (nodes
// and what runs on them, workloads, Services, quotas, RBAC, budgets,
// policies, storage), each with only the fields the model reads, so that a
// large cluster's snapshot stays small. Secrets keep their keys, never
// their values. Nothing is written to the cluster.
package snapshot

import (
	"context"
	"fmt"
	"slices"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
)

// kind is one resource a snapshot reads.
type kind struct {
	gvr        schema.GroupVersionResource
	kind       string
	namespaced bool
	// trim keeps what the model reads of an object of the kind, beyond
	// the metadata every kind keeps; nil keeps spec (and data) whole and
	// drops status, which the kind's controller recomputes.
	trim func(obj map[string]any)
}

// kinds are read, and written, in the order the cluster file must hold
// them: what others refer to first (namespaces, nodes, classes, claims'
// volumes), pods after their owners and nodes, budgets after the pods
// they count and quotas last, counting everything before them.
var kinds = []kind{
	{gvr: core("namespaces"), kind: "Namespace"},
	{gvr: core("nodes"), kind: "Node", trim: trimNode},
	{gvr: group("scheduling.k8s.io", "v1", "priorityclasses"), kind: "PriorityClass"},
	{gvr: group("storage.k8s.io", "v1", "storageclasses"), kind: "StorageClass"},
	{gvr: group("storage.k8s.io", "v1", "csidrivers"), kind: "CSIDriver"},
	{gvr: group("networking.k8s.io", "v1", "ingressclasses"), kind: "IngressClass"},
	{gvr: group("rbac.authorization.k8s.io", "v1", "clusterroles"), kind: "ClusterRole"},
	{gvr: group("rbac.authorization.k8s.io", "v1", "clusterrolebindings"), kind: "ClusterRoleBinding"},
	{gvr: group("admissionregistration.k8s.io", "v1", "validatingadmissionpolicies"), kind: "ValidatingAdmissionPolicy"},
	{gvr: group("admissionregistration.k8s.io", "v1", "validatingadmissionpolicybindings"), kind: "ValidatingAdmissionPolicyBinding"},
	{gvr: group("admissionregistration.k8s.io", "v1", "mutatingadmissionpolicies"), kind: "MutatingAdmissionPolicy"},
	{gvr: group("admissionregistration.k8s.io", "v1", "mutatingadmissionpolicybindings"), kind: "MutatingAdmissionPolicyBinding"},
	{gvr: group("admissionregistration.k8s.io", "v1", "validatingwebhookconfigurations"), kind: "ValidatingWebhookConfiguration"},
	{gvr: group("admissionregistration.k8s.io", "v1", "mutatingwebhookconfigurations"), kind: "MutatingWebhookConfiguration"},
	{gvr: core("persistentvolumes"), kind: "PersistentVolume", trim: keepStatus("phase")},
	{gvr: core("serviceaccounts"), kind: "ServiceAccount", namespaced: true},
	{gvr: group("rbac.authorization.k8s.io", "v1", "roles"), kind: "Role", namespaced: true},
	{gvr: group("rbac.authorization.k8s.io", "v1", "rolebindings"), kind: "RoleBinding", namespaced: true},
	{gvr: core("configmaps"), kind: "ConfigMap", namespaced: true},
	{gvr: core("secrets"), kind: "Secret", namespaced: true, trim: trimSecret},
	{gvr: core("limitranges"), kind: "LimitRange", namespaced: true},
	{gvr: core("persistentvolumeclaims"), kind: "PersistentVolumeClaim", namespaced: true, trim: keepStatus("phase", "capacity", "accessModes")},
	{gvr: core("services"), kind: "Service", namespaced: true},
	{gvr: group("networking.k8s.io", "v1", "ingresses"), kind: "Ingress", namespaced: true},
	{gvr: group("apps", "v1", "deployments"), kind: "Deployment", namespaced: true},
	{gvr: group("apps", "v1", "replicasets"), kind: "ReplicaSet", namespaced: true},
	{gvr: group("apps", "v1", "controllerrevisions"), kind: "ControllerRevision", namespaced: true},
	// A StatefulSet's and a Job's status carry what their controllers
	// cannot recompute from the pods: the revisions a set is rolling
	// between, the pods a Job has already counted.
	{gvr: group("apps", "v1", "statefulsets"), kind: "StatefulSet", namespaced: true, trim: keepStatus("currentRevision", "updateRevision", "collisionCount")},
	{gvr: group("apps", "v1", "daemonsets"), kind: "DaemonSet", namespaced: true},
	{gvr: group("batch", "v1", "jobs"), kind: "Job", namespaced: true, trim: keepStatus("startTime", "completionTime", "active", "succeeded", "failed", "terminating", "ready", "completedIndexes", "failedIndexes", "conditions", "uncountedTerminatedPods")},
	{gvr: group("batch", "v1", "cronjobs"), kind: "CronJob", namespaced: true, trim: keepStatus("lastScheduleTime", "lastSuccessfulTime", "active")},
	{gvr: core("replicationcontrollers"), kind: "ReplicationController", namespaced: true},
	{gvr: group("autoscaling", "v2", "horizontalpodautoscalers"), kind: "HorizontalPodAutoscaler", namespaced: true},
	{gvr: core("pods"), kind: "Pod", namespaced: true, trim: trimPod},
	{gvr: group("discovery.k8s.io", "v1", "endpointslices"), kind: "EndpointSlice", namespaced: true},
	{gvr: group("policy", "v1", "poddisruptionbudgets"), kind: "PodDisruptionBudget", namespaced: true},
	{gvr: core("resourcequotas"), kind: "ResourceQuota", namespaced: true},
}

func core(resource string) schema.GroupVersionResource {
	return schema.GroupVersionResource{Version: "v1", Resource: resource}
}

func group(g, v, resource string) schema.GroupVersionResource {
	return schema.GroupVersionResource{Group: g, Version: v, Resource: resource}
}

// Options say what a snapshot holds.
type Options struct {
	// Namespaces limits the namespaced objects (and the Namespaces) to
	// these; empty is every namespace. Cluster-scoped objects (nodes,
	// classes, cluster RBAC, policies, volumes) are always read.
	Namespaces []string
	// PageSize is how many objects one List request asks for (500, as
	// kubectl, when zero).
	PageSize int64
}

// Take reads the cluster's objects, kind by kind in the cluster file's
// order and each kind in namespace and name order, trimmed to what the
// model reads. A kind the server does not serve is left out; any other
// failure (no permission to list, say) is an error naming the resource.
func Take(ctx context.Context, client dynamic.Interface, opts Options) ([]*unstructured.Unstructured, error) {
	namespaces := slices.Clone(opts.Namespaces)
	slices.Sort(namespaces)
	namespaces = slices.Compact(namespaces)
	if opts.PageSize == 0 {
		opts.PageSize = 500
	}
	var out []*unstructured.Unstructured
	for _, k := range kinds {
		scopes := []string{metav1.NamespaceAll}
		if k.namespaced && len(namespaces) > 0 {
			scopes = namespaces
		}
		var objs []*unstructured.Unstructured
		for _, ns := range scopes {
			items, err := list(ctx, client.Resource(k.gvr).Namespace(ns), opts.PageSize)
			if apierrors.IsNotFound(err) {
				continue // not served by this cluster's version
			}
			if err != nil {
				return nil, fmt.Errorf("snapshot: list %s: %v", describe(k.gvr, ns), err)
			}
			objs = append(objs, items...)
		}
		for _, obj := range objs {
			if k.kind == "Namespace" && len(namespaces) > 0 && !slices.Contains(namespaces, obj.GetName()) {
				continue
			}
			if madeByEveryCluster(k.kind, obj) {
				continue
			}
			out = append(out, trim(k, obj))
		}
	}
	return out, nil
}

// list reads every page of a List.
func list(ctx context.Context, r dynamic.ResourceInterface, pageSize int64) ([]*unstructured.Unstructured, error) {
	var out []*unstructured.Unstructured
	opts := metav1.ListOptions{Limit: pageSize}
	for {
		page, err := r.List(ctx, opts)
		if err != nil {
			return nil, err
		}
		for i := range page.Items {
			out = append(out, &page.Items[i])
		}
		if opts.Continue = page.GetContinue(); opts.Continue == "" {
			break
		}
	}
	slices.SortFunc(out, func(a, b *unstructured.Unstructured) int {
		if c := strings.Compare(a.GetNamespace(), b.GetNamespace()); c != 0 {
			return c
		}
		return strings.Compare(a.GetName(), b.GetName())
	})
	return out, nil
}

func describe(gvr schema.GroupVersionResource, namespace string) string {
	s := gvr.GroupResource().String()
	if namespace != "" {
		s += " in namespace " + namespace
	}
	return s
}

// madeByEveryCluster reports the objects the model holds already, as
// every v1.37.2 cluster does: the bootstrap RBAC roles and bindings the
// API server reconciles, each namespace's default ServiceAccount and root
// CA ConfigMap (made by their controllers), the API server's own
// certificates' config map. Leaving them out keeps a snapshot small; the
// model's are v1.37.2's.
func madeByEveryCluster(kind string, obj *unstructured.Unstructured) bool {
	switch kind {
	case "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding":
		return obj.GetLabels()["kubernetes.io/bootstrapping"] == "rbac-defaults"
	case "ServiceAccount":
		return obj.GetName() == "default"
	case "ConfigMap":
		return obj.GetName() == "kube-root-ca.crt" || obj.GetNamespace() == "kube-system" && obj.GetName() == "extension-apiserver-authentication"
	}
	return false
}

// keptMetadata is what the model reads of every object's metadata:
// identity, ownership, selection, and whether it is being deleted. The
// rest (managedFields above all) is bookkeeping of the API server's.
var keptMetadata = []string{"name", "generateName", "namespace", "uid", "creationTimestamp", "deletionTimestamp",
	"deletionGracePeriodSeconds", "labels", "annotations", "ownerReferences", "finalizers"}

func trim(k kind, obj *unstructured.Unstructured) *unstructured.Unstructured {
	in := obj.Object
	out := map[string]any{"apiVersion": in["apiVersion"], "kind": in["kind"]}
	if out["apiVersion"] == nil || out["kind"] == nil { // a List's items may lack them
		gv := k.gvr.GroupVersion()
		out["apiVersion"], out["kind"] = gv.String(), k.kind
	}
	if meta, ok := in["metadata"].(map[string]any); ok {
		out["metadata"] = keep(meta, keptMetadata...)
	}
	for field, v := range in {
		if field != "apiVersion" && field != "kind" && field != "metadata" && field != "status" {
			out[field] = v
		}
	}
	if k.trim != nil {
		if status, ok := in["status"]; ok {
			out["status"] = status
		}
		k.trim(out)
	}
	return &unstructured.Unstructured{Object: out}
}

// keep returns m with only the named keys (nil when none is present).
func keep(m map[string]any, keys ...string) map[string]any {
	out := map[string]any{}
	for _, k := range keys {
		if v, ok := m[k]; ok && v != nil {
			out[k] = v
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// keepStatus trims status to the named fields.
func keepStatus(fields ...string) func(map[string]any) {
	return func(obj map[string]any) {
		status, _ := obj["status"].(map[string]any)
		if kept := keep(status, fields...); kept != nil {
			obj["status"] = kept
		} else {
			delete(obj, "status")
		}
	}
}

// trimNode keeps what scheduling and the node's kubelet read: what it
// offers, whether it is ready, its addresses and the images it holds
// (ImageLocality scores them).
func trimNode(obj map[string]any) {
	keepStatus("capacity", "allocatable", "conditions", "addresses", "images")(obj)
	status, _ := obj["status"].(map[string]any)
	trimEach(status, "conditions", "type", "status", "reason", "message")
}

// trimPod keeps what says where and how a pod runs: its phase, addresses,
// conditions and each container's readiness and restarts (a Running pod
// with an IP is adopted by its node's kubelet as running).
func trimPod(obj map[string]any) {
	keepStatus("phase", "reason", "message", "nominatedNodeName", "hostIP", "hostIPs", "podIP", "podIPs",
		"conditions", "initContainerStatuses", "containerStatuses", "qosClass")(obj)
	status, _ := obj["status"].(map[string]any)
	trimEach(status, "conditions", "type", "status", "reason", "message")
	trimEach(status, "initContainerStatuses", "name", "ready", "started", "restartCount", "state")
	trimEach(status, "containerStatuses", "name", "ready", "started", "restartCount", "state")
}

// trimSecret keeps a Secret's type and its keys, for the kubelet's mount
// and the API server's validation of typed Secrets; every value is left
// empty.
func trimSecret(obj map[string]any) {
	data := map[string]any{}
	for _, field := range []string{"data", "stringData"} {
		if m, ok := obj[field].(map[string]any); ok {
			for key := range m {
				data[key] = ""
			}
		}
	}
	delete(obj, "stringData")
	if len(data) > 0 {
		obj["data"] = data
	}
}

// trimEach keeps only the named fields of each item of the list status[field].
func trimEach(status map[string]any, field string, keys ...string) {
	items, ok := status[field].([]any)
	if !ok {
		return
	}
	for i, item := range items {
		if m, ok := item.(map[string]any); ok {
			items[i] = keep(m, keys...)
		}
	}
}
