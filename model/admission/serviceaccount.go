package admission

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/sim"
)

// ServiceAccount admission (plugin/pkg/admission/serviceaccount): a pod that
// names no service account gets "default"; the account must exist; unless
// the pod or the account opts out, every container mounts a projected
// kube-api-access-XXXXX volume (token, the cluster CA and the namespace) at
// /var/run/secrets/kubernetes.io/serviceaccount.
type ServiceAccount struct{}

// TokenMountPath is where the API token volume is mounted.
const TokenMountPath = "/var/run/secrets/kubernetes.io/serviceaccount"

// RootCAConfigMap is the configmap the root-ca-cert-publisher controller
// keeps in every namespace.
const RootCAConfigMap = "kube-root-ca.crt"

// Name implements apiserver.AdmissionPlugin.
func (ServiceAccount) Name() string { return "ServiceAccount" }

// Handles implements apiserver.AdmissionPlugin.
func (ServiceAccount) Handles(r *apiserver.AdmissionRequest) bool { return pod(r) != nil }

// Admit implements apiserver.Mutator.
func (ServiceAccount) Admit(r *apiserver.AdmissionRequest) (string, error) {
	p := pod(r)
	if p.Spec.ServiceAccountName == "" {
		p.Spec.ServiceAccountName = "default"
		p.Spec.DeprecatedServiceAccount = "default" //nolint:staticcheck // kept in sync as the plugin does
	}
	sa, ok := r.Store.Get(sim.Key{Kind: "ServiceAccount", Namespace: r.Namespace, Name: p.Spec.ServiceAccountName}).(*corev1.ServiceAccount)
	if !ok {
		notFound := apierrors.NewNotFound(schema.GroupResource{Resource: "serviceaccount"}, p.Spec.ServiceAccountName)
		return "", fmt.Errorf("error looking up service account %s/%s: %w", r.Namespace, p.Spec.ServiceAccountName, notFound)
	}
	note := "service account " + sa.Name
	if !automount(sa, p) {
		return note + "; token not mounted (automountServiceAccountToken: false)", nil
	}
	if volume := mountToken(p); volume != "" {
		note += fmt.Sprintf("; projected volume %s mounted at %s", volume, TokenMountPath)
	}
	return note, nil
}

// automount: the pod's own setting wins over the service account's; both
// default to true.
func automount(sa *corev1.ServiceAccount, p *corev1.Pod) bool {
	if p.Spec.AutomountServiceAccountToken != nil {
		return *p.Spec.AutomountServiceAccountToken
	}
	if sa.AutomountServiceAccountToken != nil {
		return *sa.AutomountServiceAccountToken
	}
	return true
}

// mountToken adds the token volume and its mounts, returning the volume's
// name when it added one.
func mountToken(p *corev1.Pod) string {
	name := ""
	for _, v := range p.Spec.Volumes {
		if strings.HasPrefix(v.Name, "kube-api-access-") {
			name = v.Name
		}
	}
	existing := name != ""
	if !existing {
		name = "kube-api-access-" + apiserver.Suffix(p.Namespace+"/"+p.Name+p.GenerateName)
	}
	mount := corev1.VolumeMount{Name: name, ReadOnly: true, MountPath: TokenMountPath}
	needed := false
	for _, list := range [][]corev1.Container{p.Spec.InitContainers, p.Spec.Containers} {
		for i := range list {
			if !mountsAt(list[i].VolumeMounts, TokenMountPath) {
				list[i].VolumeMounts = append(list[i].VolumeMounts, mount)
				needed = true
			}
		}
	}
	if existing || !needed {
		return ""
	}
	mode, expiry := corev1.ProjectedVolumeSourceDefaultMode, int64(3607)
	p.Spec.Volumes = append(p.Spec.Volumes, corev1.Volume{Name: name, VolumeSource: corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{
		DefaultMode: &mode,
		Sources: []corev1.VolumeProjection{
			{ServiceAccountToken: &corev1.ServiceAccountTokenProjection{Path: "token", ExpirationSeconds: &expiry}},
			{ConfigMap: &corev1.ConfigMapProjection{LocalObjectReference: corev1.LocalObjectReference{Name: RootCAConfigMap}, Items: []corev1.KeyToPath{{Key: "ca.crt", Path: "ca.crt"}}}},
			{DownwardAPI: &corev1.DownwardAPIProjection{Items: []corev1.DownwardAPIVolumeFile{{Path: "namespace", FieldRef: &corev1.ObjectFieldSelector{APIVersion: "v1", FieldPath: "metadata.namespace"}}}}},
		},
	}}})
	return name
}

func mountsAt(mounts []corev1.VolumeMount, path string) bool {
	for _, m := range mounts {
		if m.MountPath == path {
			return true
		}
	}
	return false
}

var _ apiserver.Mutator = ServiceAccount{}
