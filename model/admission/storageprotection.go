package admission

import (
	"slices"

	corev1 "k8s.io/api/core/v1"

	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/sim"
)

// The finalizers that keep a claim while a pod uses it and a volume while
// it is bound (pkg/volume/util PVCProtectionFinalizer, PVProtectionFinalizer).
const (
	PVCProtectionFinalizer = "kubernetes.io/pvc-protection"
	PVProtectionFinalizer  = "kubernetes.io/pv-protection"
)

// StorageObjectInUseProtection gives every new PersistentVolumeClaim and
// PersistentVolume its protection finalizer, which the pvc-protection and
// pv-protection controllers remove once nothing uses the object
// (plugin/pkg/admission/storage/storageobjectinuseprotection).
type StorageObjectInUseProtection struct{}

// Name implements apiserver.AdmissionPlugin.
func (StorageObjectInUseProtection) Name() string { return "StorageObjectInUseProtection" }

// Handles implements apiserver.AdmissionPlugin.
func (StorageObjectInUseProtection) Handles(r *apiserver.AdmissionRequest) bool {
	if r.Operation != "CREATE" || r.Subresource != "" {
		return false
	}
	switch r.Object.(type) {
	case *corev1.PersistentVolumeClaim, *corev1.PersistentVolume:
		return true
	}
	return false
}

// Admit implements apiserver.Mutator.
func (StorageObjectInUseProtection) Admit(r *apiserver.AdmissionRequest) (string, error) {
	finalizer := PVProtectionFinalizer
	if _, claim := r.Object.(*corev1.PersistentVolumeClaim); claim {
		finalizer = PVCProtectionFinalizer
	}
	if AddFinalizer(r.Object, finalizer) {
		return "finalizer " + finalizer + " added", nil
	}
	return "finalizer " + finalizer + " already there", nil
}

// AddFinalizer adds a finalizer an object lacks, and says whether it did.
func AddFinalizer(obj sim.Object, finalizer string) bool {
	if slices.Contains(obj.GetFinalizers(), finalizer) {
		return false
	}
	obj.SetFinalizers(append(obj.GetFinalizers(), finalizer))
	return true
}

var _ apiserver.Mutator = StorageObjectInUseProtection{}
