package admission

import (
	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	volumehelpers "k8s.io/component-helpers/storage/volume"

	"github.com/podlife/podlife/model/apiserver"
)

// DefaultStorageClass gives a new claim that names no class (a nil
// storageClassName; "" asks for none) the cluster's default class: the
// newest of those annotated as default, by name on a tie
// (plugin/pkg/admission/storage/storageclass/setdefault,
// component-helpers' GetDefaultClass).
type DefaultStorageClass struct{}

// IsDefaultClassAnnotation marks a StorageClass as the default (its beta
// form still counts).
const IsDefaultClassAnnotation = "storageclass.kubernetes.io/is-default-class"

// Name implements apiserver.AdmissionPlugin.
func (DefaultStorageClass) Name() string { return "DefaultStorageClass" }

// Handles implements apiserver.AdmissionPlugin.
func (DefaultStorageClass) Handles(r *apiserver.AdmissionRequest) bool {
	c, ok := r.Object.(*corev1.PersistentVolumeClaim)
	return ok && r.Operation == "CREATE" && !volumehelpers.PersistentVolumeClaimHasClass(c)
}

// Admit implements apiserver.Mutator.
func (DefaultStorageClass) Admit(r *apiserver.AdmissionRequest) (string, error) {
	var chosen *storagev1.StorageClass
	for _, obj := range r.Store.List("StorageClass", "") {
		sc := obj.(*storagev1.StorageClass)
		if sc.Annotations[IsDefaultClassAnnotation] != "true" && sc.Annotations["storageclass.beta.kubernetes.io/is-default-class"] != "true" {
			continue
		}
		if chosen == nil || sc.CreationTimestamp.After(chosen.CreationTimestamp.Time) ||
			(sc.CreationTimestamp.Equal(&chosen.CreationTimestamp) && sc.Name < chosen.Name) {
			chosen = sc
		}
	}
	if chosen == nil {
		return "no default StorageClass", nil
	}
	name := chosen.Name
	r.Object.(*corev1.PersistentVolumeClaim).Spec.StorageClassName = &name
	return "storageClassName " + name + " (the default)", nil
}

var _ apiserver.Mutator = DefaultStorageClass{}
