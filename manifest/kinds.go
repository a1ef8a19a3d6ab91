package manifest

import (
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/podlife/podlife/model/sim"
)

// kinds are the types this model can decode. kubectl learns the same list
// from the API server's discovery; a kind not listed here fails kubectl's
// resource mapping.
var kinds = map[schema.GroupVersionKind]func() sim.Object{
	corev1.SchemeGroupVersion.WithKind("Pod"):            func() sim.Object { return &corev1.Pod{} },
	corev1.SchemeGroupVersion.WithKind("Node"):           func() sim.Object { return &corev1.Node{} },
	corev1.SchemeGroupVersion.WithKind("Namespace"):      func() sim.Object { return &corev1.Namespace{} },
	corev1.SchemeGroupVersion.WithKind("ConfigMap"):      func() sim.Object { return &corev1.ConfigMap{} },
	corev1.SchemeGroupVersion.WithKind("Secret"):         func() sim.Object { return &corev1.Secret{} },
	corev1.SchemeGroupVersion.WithKind("ServiceAccount"): func() sim.Object { return &corev1.ServiceAccount{} },
	corev1.SchemeGroupVersion.WithKind("Service"):        func() sim.Object { return &corev1.Service{} },
	corev1.SchemeGroupVersion.WithKind("ResourceQuota"):  func() sim.Object { return &corev1.ResourceQuota{} },
	corev1.SchemeGroupVersion.WithKind("LimitRange"):     func() sim.Object { return &corev1.LimitRange{} },
	rbacv1.SchemeGroupVersion.WithKind("Role"):           func() sim.Object { return &rbacv1.Role{} },
	rbacv1.SchemeGroupVersion.WithKind("RoleBinding"):    func() sim.Object { return &rbacv1.RoleBinding{} },
	rbacv1.SchemeGroupVersion.WithKind("ClusterRole"):    func() sim.Object { return &rbacv1.ClusterRole{} },
	rbacv1.SchemeGroupVersion.WithKind("ClusterRoleBinding"): func() sim.Object {
		return &rbacv1.ClusterRoleBinding{}
	},
	discoveryv1.SchemeGroupVersion.WithKind("EndpointSlice"): func() sim.Object {
		return &discoveryv1.EndpointSlice{}
	},
	appsv1.SchemeGroupVersion.WithKind("Deployment"): func() sim.Object { return &appsv1.Deployment{} },
	appsv1.SchemeGroupVersion.WithKind("ReplicaSet"): func() sim.Object { return &appsv1.ReplicaSet{} },
	schedulingv1.SchemeGroupVersion.WithKind("PriorityClass"): func() sim.Object {
		return &schedulingv1.PriorityClass{}
	},
	corev1.SchemeGroupVersion.WithKind("PersistentVolume"): func() sim.Object { return &corev1.PersistentVolume{} },
	corev1.SchemeGroupVersion.WithKind("PersistentVolumeClaim"): func() sim.Object {
		return &corev1.PersistentVolumeClaim{}
	},
	storagev1.SchemeGroupVersion.WithKind("StorageClass"): func() sim.Object { return &storagev1.StorageClass{} },
	policyv1.SchemeGroupVersion.WithKind("PodDisruptionBudget"): func() sim.Object {
		return &policyv1.PodDisruptionBudget{}
	},
}

func newObject(gvk schema.GroupVersionKind) sim.Object {
	if f, ok := kinds[gvk]; ok {
		return f()
	}
	return nil
}
