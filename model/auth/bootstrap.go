package auth

import (
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/podlife/podlife/model/apiserver"
)

// Verb sets of bootstrap policy (bootstrappolicy/policy.go).
var (
	read      = []string{"get", "list", "watch"}
	write     = []string{"create", "update", "patch", "delete", "deletecollection"}
	readWrite = append(append([]string(nil), read...), write...)
	core      = []string{""}
	apps      = []string{"apps"}
)

func rule(verbs, groups []string, resources ...string) rbacv1.PolicyRule {
	return rbacv1.PolicyRule{Verbs: verbs, APIGroups: groups, Resources: resources}
}

const aggregateLabel = "rbac.authorization.k8s.io/aggregate-to-"

// BootstrapClusterRoles are the default ClusterRoles kube-apiserver creates
// at start (bootstrappolicy/policy.go ClusterRoles), reduced to the
// resources the model serves: cluster-admin, the discovery roles every user
// holds, the aggregated admin, edit and view with the system:aggregate-to-*
// roles that feed them, system:kube-scheduler and the controllers' roles.
func BootstrapClusterRoles() []*rbacv1.ClusterRole {
	aggregated := func(name, into, from string) *rbacv1.ClusterRole {
		r := &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: name},
			AggregationRule: &rbacv1.AggregationRule{ClusterRoleSelectors: []metav1.LabelSelector{{MatchLabels: map[string]string{aggregateLabel + from: "true"}}}}}
		if into != "" {
			r.Labels = map[string]string{aggregateLabel + into: "true"}
		}
		return r
	}
	feeding := func(name, into string, rules ...rbacv1.PolicyRule) *rbacv1.ClusterRole {
		return &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{aggregateLabel + into: "true"}}, Rules: rules}
	}
	roles := []*rbacv1.ClusterRole{
		{ObjectMeta: metav1.ObjectMeta{Name: "cluster-admin"}, Rules: []rbacv1.PolicyRule{
			rule([]string{"*"}, []string{"*"}, "*"),
			{Verbs: []string{"*"}, NonResourceURLs: []string{"*"}},
		}},
		{ObjectMeta: metav1.ObjectMeta{Name: "system:discovery"}, Rules: []rbacv1.PolicyRule{
			{Verbs: []string{"get"}, NonResourceURLs: []string{"/livez", "/readyz", "/healthz", "/version", "/version/",
				"/openapi", "/openapi/*", "/api", "/api/*", "/apis", "/apis/*"}},
		}},
		{ObjectMeta: metav1.ObjectMeta{Name: "system:basic-user"}, Rules: []rbacv1.PolicyRule{
			rule([]string{"create"}, []string{"authorization.k8s.io"}, "selfsubjectaccessreviews", "selfsubjectrulesreviews"),
			rule([]string{"create"}, []string{"authentication.k8s.io"}, "selfsubjectreviews"),
		}},
		{ObjectMeta: metav1.ObjectMeta{Name: "system:public-info-viewer"}, Rules: []rbacv1.PolicyRule{
			{Verbs: []string{"get"}, NonResourceURLs: []string{"/livez", "/readyz", "/healthz", "/version", "/version/"}},
		}},
		aggregated("admin", "", "admin"),
		aggregated("edit", "admin", "edit"),
		aggregated("view", "edit", "view"),
		feeding("system:aggregate-to-admin", "admin",
			rule([]string{"create"}, []string{"authorization.k8s.io"}, "localsubjectaccessreviews"),
			rule(readWrite, []string{"rbac.authorization.k8s.io"}, "roles", "rolebindings")),
		feeding("system:aggregate-to-edit", "edit",
			rule(read, core, "pods/attach", "pods/proxy", "pods/exec", "pods/portforward", "secrets", "services/proxy"),
			rule([]string{"impersonate"}, core, "serviceaccounts"),
			rule(write, core, "pods", "pods/attach", "pods/proxy", "pods/exec", "pods/portforward"),
			rule([]string{"create"}, core, "pods/eviction"),
			rule(write, core, "replicationcontrollers", "replicationcontrollers/scale", "serviceaccounts",
				"services", "services/proxy", "persistentvolumeclaims", "configmaps", "secrets"),
			rule([]string{"create"}, core, "serviceaccounts/token"),
			rule(write, []string{"", "events.k8s.io"}, "events"),
			rule(write, apps, "statefulsets", "statefulsets/scale", "daemonsets", "deployments", "deployments/scale",
				"deployments/rollback", "replicasets", "replicasets/scale"),
			rule(readWrite, []string{"coordination.k8s.io"}, "leases")),
		feeding("system:aggregate-to-view", "view",
			rule(read, core, "pods", "replicationcontrollers", "replicationcontrollers/scale", "serviceaccounts",
				"services", "services/status", "endpoints", "persistentvolumeclaims", "persistentvolumeclaims/status", "configmaps"),
			rule(read, core, "limitranges", "resourcequotas", "bindings", "pods/status", "resourcequotas/status",
				"namespaces/status", "replicationcontrollers/status", "pods/log"),
			rule(read, core, "namespaces"),
			rule(read, []string{"", "events.k8s.io"}, "events"),
			rule(read, []string{"discovery.k8s.io"}, "endpointslices"),
			rule(read, apps, "controllerrevisions", "statefulsets", "statefulsets/status", "statefulsets/scale",
				"daemonsets", "daemonsets/status", "deployments", "deployments/status", "deployments/scale",
				"replicasets", "replicasets/status", "replicasets/scale")),
		{ObjectMeta: metav1.ObjectMeta{Name: "system:kube-scheduler"}, Rules: []rbacv1.PolicyRule{
			rule([]string{"create", "patch", "update"}, []string{"", "events.k8s.io"}, "events"),
			rule(read, core, "nodes"),
			rule([]string{"get", "list", "watch", "delete"}, core, "pods"),
			rule([]string{"create"}, core, "pods/binding", "bindings"),
			rule([]string{"patch", "update"}, core, "pods/status"),
			rule(read, core, "services", "replicationcontrollers"),
			rule(read, apps, "replicasets", "statefulsets"),
			rule(read, core, "persistentvolumeclaims", "persistentvolumes", "namespaces"),
			rule(read, []string{"storage.k8s.io"}, "storageclasses", "csinodes", "csidrivers", "csistoragecapacities"),
			rule(read, []string{"policy"}, "poddisruptionbudgets"),
		}},
		{ObjectMeta: metav1.ObjectMeta{Name: "system:volume-scheduler"}, Rules: []rbacv1.PolicyRule{
			rule([]string{"get", "list", "patch", "update", "watch"}, core, "persistentvolumes", "persistentvolumeclaims"),
			rule(read, []string{"storage.k8s.io"}, "storageclasses"),
		}},
		// kube-controller-manager runs each controller under its own service
		// account (--use-service-account-credentials, as kubeadm sets it)
		// with a system:controller:* role (bootstrappolicy/controller_policy.go).
		{ObjectMeta: metav1.ObjectMeta{Name: "system:controller:resourcequota-controller"}, Rules: []rbacv1.PolicyRule{
			rule([]string{"list", "watch"}, []string{"*"}, "*"),
			rule([]string{"update"}, core, "resourcequotas/status"),
			rule([]string{"create", "patch", "update"}, []string{"", "events.k8s.io"}, "events"),
		}},
		{ObjectMeta: metav1.ObjectMeta{Name: "system:controller:deployment-controller"}, Rules: []rbacv1.PolicyRule{
			rule([]string{"get", "list", "watch", "update"}, apps, "deployments"),
			rule([]string{"update"}, apps, "deployments/finalizers", "deployments/status"),
			rule([]string{"create", "delete", "get", "list", "patch", "update", "watch"}, apps, "replicasets"),
			rule([]string{"get", "list", "update", "watch"}, core, "pods"),
			rule([]string{"create", "patch", "update"}, []string{"", "events.k8s.io"}, "events"),
		}},
		{ObjectMeta: metav1.ObjectMeta{Name: "system:controller:replicaset-controller"}, Rules: []rbacv1.PolicyRule{
			rule([]string{"get", "list", "update", "watch"}, apps, "replicasets"),
			rule([]string{"update"}, apps, "replicasets/status", "replicasets/finalizers"),
			rule([]string{"create", "delete", "list", "patch", "watch"}, core, "pods"),
			rule([]string{"create", "patch", "update"}, []string{"", "events.k8s.io"}, "events"),
		}},
		{ObjectMeta: metav1.ObjectMeta{Name: "system:controller:replication-controller"}, Rules: []rbacv1.PolicyRule{
			rule([]string{"get", "list", "update", "watch"}, core, "replicationcontrollers"),
			rule([]string{"update"}, core, "replicationcontrollers/status", "replicationcontrollers/finalizers"),
			rule([]string{"create", "delete", "list", "patch", "watch"}, core, "pods"),
			rule([]string{"create", "patch", "update"}, []string{"", "events.k8s.io"}, "events"),
		}},
		{ObjectMeta: metav1.ObjectMeta{Name: "system:controller:job-controller"}, Rules: []rbacv1.PolicyRule{
			rule([]string{"get", "list", "watch", "update", "patch"}, []string{"batch"}, "jobs"),
			rule([]string{"update"}, []string{"batch"}, "jobs/status", "jobs/finalizers"),
			rule([]string{"list", "watch", "create", "delete", "patch"}, core, "pods"),
			rule([]string{"create", "patch", "update"}, []string{"", "events.k8s.io"}, "events"),
		}},
		{ObjectMeta: metav1.ObjectMeta{Name: "system:controller:daemon-set-controller"}, Rules: []rbacv1.PolicyRule{
			rule([]string{"get", "list", "watch"}, []string{"extensions", "apps"}, "daemonsets"),
			rule([]string{"update"}, []string{"extensions", "apps"}, "daemonsets/status", "daemonsets/finalizers"),
			rule([]string{"list", "watch"}, core, "nodes"),
			rule([]string{"list", "watch", "create", "delete", "patch"}, core, "pods"),
			rule([]string{"create"}, core, "pods/binding"),
			rule([]string{"get", "list", "watch", "create", "delete", "update", "patch"}, apps, "controllerrevisions"),
			rule([]string{"create", "patch", "update"}, []string{"", "events.k8s.io"}, "events"),
		}},
		{ObjectMeta: metav1.ObjectMeta{Name: "system:controller:statefulset-controller"}, Rules: []rbacv1.PolicyRule{
			rule([]string{"list", "watch"}, core, "pods"),
			rule([]string{"get", "list", "watch"}, apps, "statefulsets"),
			rule([]string{"update"}, apps, "statefulsets/status"),
			rule([]string{"update"}, apps, "statefulsets/finalizers"),
			rule([]string{"get", "create", "delete", "update", "patch"}, core, "pods"),
			rule([]string{"get", "create", "delete", "update", "patch", "list", "watch"}, apps, "controllerrevisions"),
			rule([]string{"get", "create", "list", "watch"}, core, "persistentvolumeclaims"),
			rule([]string{"update", "delete"}, core, "persistentvolumeclaims"),
			rule([]string{"update"}, core, "pods/finalizers"),
			rule([]string{"create", "patch", "update"}, []string{"", "events.k8s.io"}, "events"),
		}},
		{ObjectMeta: metav1.ObjectMeta{Name: "system:controller:cronjob-controller"}, Rules: []rbacv1.PolicyRule{
			rule([]string{"get", "list", "watch", "update"}, []string{"batch"}, "cronjobs"),
			rule([]string{"get", "list", "watch", "create", "update", "delete", "patch"}, []string{"batch"}, "jobs"),
			rule([]string{"update"}, []string{"batch"}, "cronjobs/status", "cronjobs/finalizers"),
			rule([]string{"list", "watch", "delete"}, core, "pods"),
			rule([]string{"create", "patch", "update"}, []string{"", "events.k8s.io"}, "events"),
		}},
		{ObjectMeta: metav1.ObjectMeta{Name: "system:controller:validatingadmissionpolicy-status-controller"}, Rules: []rbacv1.PolicyRule{
			rule([]string{"get", "list", "watch"}, []string{"admissionregistration.k8s.io"}, "validatingadmissionpolicies"),
			rule([]string{"get", "patch", "update"}, []string{"admissionregistration.k8s.io"}, "validatingadmissionpolicies/status"),
			rule([]string{"create", "patch", "update"}, []string{"", "events.k8s.io"}, "events"),
		}},
		{ObjectMeta: metav1.ObjectMeta{Name: "system:controller:ttl-after-finished-controller"}, Rules: []rbacv1.PolicyRule{
			rule([]string{"get", "list", "watch", "delete"}, []string{"batch"}, "jobs"),
			rule([]string{"create", "patch", "update"}, []string{"", "events.k8s.io"}, "events"),
		}},
		{ObjectMeta: metav1.ObjectMeta{Name: "system:controller:persistent-volume-binder"}, Rules: []rbacv1.PolicyRule{
			rule([]string{"create", "delete", "get", "list", "update", "watch"}, core, "persistentvolumes"),
			rule([]string{"update"}, core, "persistentvolumes/status"),
			rule([]string{"get", "list", "update", "watch"}, core, "persistentvolumeclaims"),
			rule([]string{"update"}, core, "persistentvolumeclaims/status"),
			rule([]string{"create", "delete", "get", "list", "watch"}, core, "pods"),
			rule(read, []string{"storage.k8s.io"}, "storageclasses"),
			rule([]string{"create", "patch", "update"}, []string{"", "events.k8s.io"}, "events"),
		}},
		{ObjectMeta: metav1.ObjectMeta{Name: "system:controller:disruption-controller"}, Rules: []rbacv1.PolicyRule{
			rule([]string{"get", "list", "watch"}, apps, "deployments", "replicasets", "statefulsets"),
			rule([]string{"get", "list", "watch"}, core, "replicationcontrollers"),
			rule([]string{"get", "list", "watch"}, []string{"policy"}, "poddisruptionbudgets"),
			rule([]string{"update"}, []string{"policy"}, "poddisruptionbudgets/status"),
			rule([]string{"get"}, []string{"*"}, "*/scale"),
			rule([]string{"create", "patch", "update"}, []string{"", "events.k8s.io"}, "events"),
		}},
		// plugin/pkg/auth/authorizer/rbac/bootstrappolicy/controller_policy.go
		{ObjectMeta: metav1.ObjectMeta{Name: "system:controller:horizontal-pod-autoscaler"}, Rules: []rbacv1.PolicyRule{
			rule(read, []string{"autoscaling"}, "horizontalpodautoscalers"),
			rule([]string{"update"}, []string{"autoscaling"}, "horizontalpodautoscalers/status"),
			rule([]string{"get", "update"}, []string{"*"}, "*/scale"),
			rule([]string{"list", "watch"}, core, "pods"),
			rule([]string{"list", "watch"}, []string{"metrics.k8s.io"}, "pods"),
			rule(read, []string{"custom.metrics.k8s.io"}, "*"),
			rule(read, []string{"external.metrics.k8s.io"}, "*"),
			rule([]string{"create", "patch", "update"}, []string{"", "events.k8s.io"}, "events"),
		}},
		{ObjectMeta: metav1.ObjectMeta{Name: "system:controller:node-controller"}, Rules: []rbacv1.PolicyRule{
			rule([]string{"get", "list", "watch", "update", "delete", "patch"}, core, "nodes"),
			rule([]string{"patch", "update"}, core, "nodes/status"),
			rule([]string{"patch", "update"}, core, "pods/status"),
			rule([]string{"list", "watch", "get", "delete"}, core, "pods"),
			rule([]string{"get", "list", "watch"}, []string{"coordination.k8s.io"}, "leases"),
			rule([]string{"create", "patch", "update"}, []string{"", "events.k8s.io"}, "events"),
		}},
		{ObjectMeta: metav1.ObjectMeta{Name: "system:controller:attachdetach-controller"}, Rules: []rbacv1.PolicyRule{
			rule([]string{"list", "watch"}, core, "persistentvolumes", "persistentvolumeclaims"),
			rule([]string{"get", "list", "watch"}, core, "nodes"),
			rule([]string{"patch", "update"}, core, "nodes/status"),
			rule([]string{"list", "watch"}, core, "pods"),
			rule([]string{"create", "patch", "update"}, []string{"", "events.k8s.io"}, "events"),
			rule([]string{"get", "create", "delete", "list", "watch"}, []string{"storage.k8s.io"}, "volumeattachments"),
			rule([]string{"get", "list", "watch"}, []string{"storage.k8s.io"}, "csidrivers"),
			rule([]string{"get", "list", "watch"}, []string{"storage.k8s.io"}, "csinodes"),
		}},
		{ObjectMeta: metav1.ObjectMeta{Name: "system:controller:pod-garbage-collector"}, Rules: []rbacv1.PolicyRule{
			rule([]string{"list", "watch", "delete"}, core, "pods"),
			rule([]string{"get", "list", "watch"}, core, "nodes"),
			rule([]string{"patch"}, core, "pods/status"),
		}},
		{ObjectMeta: metav1.ObjectMeta{Name: "system:controller:generic-garbage-collector"}, Rules: []rbacv1.PolicyRule{
			rule([]string{"delete", "get", "list", "patch", "update", "watch"}, []string{"*"}, "*"),
		}},
		{ObjectMeta: metav1.ObjectMeta{Name: "system:controller:service-account-controller"}, Rules: []rbacv1.PolicyRule{
			rule([]string{"create"}, core, "serviceaccounts"),
			rule([]string{"create", "patch", "update"}, []string{"", "events.k8s.io"}, "events"),
		}},
		{ObjectMeta: metav1.ObjectMeta{Name: "system:controller:root-ca-cert-publisher"}, Rules: []rbacv1.PolicyRule{
			rule([]string{"create", "update"}, core, "configmaps"),
			rule([]string{"create", "patch", "update"}, []string{"", "events.k8s.io"}, "events"),
		}},
		{ObjectMeta: metav1.ObjectMeta{Name: "system:controller:pvc-protection-controller"}, Rules: []rbacv1.PolicyRule{
			rule([]string{"get", "list", "watch", "update"}, core, "persistentvolumeclaims"),
			rule([]string{"update"}, core, "persistentvolumeclaims/status"),
			rule([]string{"list", "watch", "get"}, core, "pods"),
			rule([]string{"create", "patch", "update"}, []string{"", "events.k8s.io"}, "events"),
		}},
		{ObjectMeta: metav1.ObjectMeta{Name: "system:controller:pv-protection-controller"}, Rules: []rbacv1.PolicyRule{
			rule([]string{"get", "list", "watch", "update"}, core, "persistentvolumes"),
			rule([]string{"create", "patch", "update"}, []string{"", "events.k8s.io"}, "events"),
		}},
		{ObjectMeta: metav1.ObjectMeta{Name: "system:controller:endpoint-controller"}, Rules: []rbacv1.PolicyRule{
			rule(read, core, "services", "pods"),
			rule([]string{"get", "list", "watch", "create", "update", "delete"}, core, "endpoints"),
			rule([]string{"create"}, core, "endpoints/restricted"),
			rule([]string{"create", "patch", "update"}, []string{"", "events.k8s.io"}, "events"),
		}},
		{ObjectMeta: metav1.ObjectMeta{Name: "system:controller:endpointslice-controller"}, Rules: []rbacv1.PolicyRule{
			rule(read, core, "services", "pods", "nodes"),
			rule([]string{"update"}, core, "services/finalizers"),
			rule([]string{"create", "delete", "get", "list", "update"}, []string{"discovery.k8s.io"}, "endpointslices"),
			rule([]string{"create", "patch", "update"}, []string{"", "events.k8s.io"}, "events"),
		}},
	}
	for _, r := range roles {
		if r.Labels == nil {
			r.Labels = map[string]string{}
		}
		r.Labels["kubernetes.io/bootstrapping"] = "rbac-defaults"
	}
	return roles
}

// ControllerServiceAccounts are the kube-system service accounts the
// model's controllers authenticate as.
var ControllerServiceAccounts = []string{"attachdetach-controller", "cronjob-controller", "daemon-set-controller", "deployment-controller", "disruption-controller", "endpoint-controller", "endpointslice-controller", "generic-garbage-collector",
	"horizontal-pod-autoscaler", "job-controller", "node-controller", "persistent-volume-binder", "pod-garbage-collector", "pv-protection-controller", "pvc-protection-controller", "replicaset-controller", "replication-controller", "resourcequota-controller", "root-ca-cert-publisher", "service-account-controller", "statefulset-controller", "ttl-after-finished-controller", "validatingadmissionpolicy-status-controller"}

// BootstrapClusterRoleBindings bind the default roles as kube-apiserver does
// (bootstrappolicy/policy.go ClusterRoleBindings).
func BootstrapClusterRoleBindings() []*rbacv1.ClusterRoleBinding {
	bind := func(role string, subjects ...rbacv1.Subject) *rbacv1.ClusterRoleBinding {
		for i := range subjects {
			if subjects[i].Kind != rbacv1.ServiceAccountKind {
				subjects[i].APIGroup = rbacv1.GroupName
			}
		}
		return &rbacv1.ClusterRoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: role, Labels: map[string]string{"kubernetes.io/bootstrapping": "rbac-defaults"}},
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role},
			Subjects:   subjects,
		}
	}
	authenticated := rbacv1.Subject{Kind: rbacv1.GroupKind, Name: apiserver.AllAuthenticated}
	return []*rbacv1.ClusterRoleBinding{
		bind("cluster-admin", rbacv1.Subject{Kind: rbacv1.GroupKind, Name: apiserver.SystemMasters}),
		bind("system:discovery", authenticated),
		bind("system:basic-user", authenticated),
		bind("system:public-info-viewer", authenticated, rbacv1.Subject{Kind: rbacv1.GroupKind, Name: apiserver.AllUnauthenticated}),
		bind("system:kube-scheduler", rbacv1.Subject{Kind: rbacv1.UserKind, Name: apiserver.SystemKubeScheduler}),
		bind("system:volume-scheduler", rbacv1.Subject{Kind: rbacv1.UserKind, Name: apiserver.SystemKubeScheduler}),
		bind("system:controller:deployment-controller", rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Name: "deployment-controller", Namespace: "kube-system"}),
		bind("system:controller:replicaset-controller", rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Name: "replicaset-controller", Namespace: "kube-system"}),
		bind("system:controller:replication-controller", rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Name: "replication-controller", Namespace: "kube-system"}),
		bind("system:controller:generic-garbage-collector", rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Name: "generic-garbage-collector", Namespace: "kube-system"}),
		bind("system:controller:pvc-protection-controller", rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Name: "pvc-protection-controller", Namespace: "kube-system"}),
		bind("system:controller:pv-protection-controller", rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Name: "pv-protection-controller", Namespace: "kube-system"}),
		bind("system:controller:endpoint-controller", rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Name: "endpoint-controller", Namespace: "kube-system"}),
		bind("system:controller:endpointslice-controller", rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Name: "endpointslice-controller", Namespace: "kube-system"}),
		bind("system:controller:horizontal-pod-autoscaler", rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Name: "horizontal-pod-autoscaler", Namespace: "kube-system"}),
		bind("system:controller:node-controller", rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Name: "node-controller", Namespace: "kube-system"}),
		bind("system:controller:attachdetach-controller", rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Name: "attachdetach-controller", Namespace: "kube-system"}),
		bind("system:controller:pod-garbage-collector", rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Name: "pod-garbage-collector", Namespace: "kube-system"}),
		bind("system:controller:persistent-volume-binder", rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Name: "persistent-volume-binder", Namespace: "kube-system"}),
		bind("system:controller:job-controller", rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Name: "job-controller", Namespace: "kube-system"}),
		bind("system:controller:cronjob-controller", rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Name: "cronjob-controller", Namespace: "kube-system"}),
		bind("system:controller:daemon-set-controller", rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Name: "daemon-set-controller", Namespace: "kube-system"}),
		bind("system:controller:statefulset-controller", rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Name: "statefulset-controller", Namespace: "kube-system"}),
		bind("system:controller:ttl-after-finished-controller", rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Name: "ttl-after-finished-controller", Namespace: "kube-system"}),
		bind("system:controller:validatingadmissionpolicy-status-controller", rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Name: "validatingadmissionpolicy-status-controller", Namespace: "kube-system"}),
		bind("system:controller:disruption-controller", rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Name: "disruption-controller", Namespace: "kube-system"}),
		bind("system:controller:resourcequota-controller", rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Name: "resourcequota-controller", Namespace: "kube-system"}),
		bind("system:controller:root-ca-cert-publisher", rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Name: "root-ca-cert-publisher", Namespace: "kube-system"}),
		bind("system:controller:service-account-controller", rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Name: "service-account-controller", Namespace: "kube-system"}),
	}
}

// ProvisionerRBAC is what a CSI driver's deployment installs for its
// external-provisioner (kubernetes-csi/external-provisioner
// deploy/kubernetes/rbac.yaml, the rules the model's provisioner uses): a
// service account in kube-system, the ClusterRole and its binding.
func ProvisionerRBAC(account, role string) []runtime.Object {
	storage := []string{"storage.k8s.io"}
	return []runtime.Object{
		&corev1.ServiceAccount{TypeMeta: metav1.TypeMeta{Kind: "ServiceAccount", APIVersion: "v1"}, ObjectMeta: metav1.ObjectMeta{Name: account, Namespace: "kube-system"}},
		&rbacv1.ClusterRole{TypeMeta: metav1.TypeMeta{Kind: "ClusterRole", APIVersion: rbacv1.SchemeGroupVersion.String()}, ObjectMeta: metav1.ObjectMeta{Name: role},
			Rules: []rbacv1.PolicyRule{
				rule([]string{"get", "list", "watch", "create", "patch", "delete"}, core, "persistentvolumes"),
				rule([]string{"get", "list", "watch", "update"}, core, "persistentvolumeclaims"),
				rule([]string{"get", "list", "watch"}, storage, "storageclasses"),
				rule([]string{"list", "watch", "create", "update", "patch"}, core, "events"),
				rule([]string{"get", "list", "watch"}, storage, "csinodes"),
				rule([]string{"get", "list", "watch"}, core, "nodes"),
				rule([]string{"get", "list", "watch"}, storage, "volumeattachments"),
			}},
		&rbacv1.ClusterRoleBinding{TypeMeta: metav1.TypeMeta{Kind: "ClusterRoleBinding", APIVersion: rbacv1.SchemeGroupVersion.String()}, ObjectMeta: metav1.ObjectMeta{Name: "csi-provisioner-role"},
			RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role},
			Subjects: []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: account, Namespace: "kube-system"}}},
	}
}
