// Package csi is what the CSI volume plugin decides for the attach/detach
// controller and the kubelet alike (pkg/volume/csi): whether a volume needs
// attaching to a node before it is mounted, and the name a node's status
// knows it by.
package csi

import (
	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"

	"github.com/podlife/podlife/model/sim"
)

// AttachRequired reports whether pv is a CSI volume whose driver needs it
// attached before a node may mount it (csi_plugin.go skipAttach: only a
// CSIDriver object with attachRequired: false spares it).
func AttachRequired(store *sim.Store, pv *corev1.PersistentVolume) bool {
	if pv.Spec.CSI == nil {
		return false
	}
	d, ok := store.Get(sim.Key{Kind: "CSIDriver", Name: pv.Spec.CSI.Driver}).(*storagev1.CSIDriver)
	return !ok || d.Spec.AttachRequired == nil || *d.Spec.AttachRequired
}

// AttachedName is the name a CSI volume has in a node's
// status.volumesAttached, its unique volume name:
// kubernetes.io/csi/DRIVER^HANDLE.
func AttachedName(pv *corev1.PersistentVolume) corev1.UniqueVolumeName {
	return corev1.UniqueVolumeName("kubernetes.io/csi/" + pv.Spec.CSI.Driver + "^" + pv.Spec.CSI.VolumeHandle)
}

// Attached reports whether the node's status lists pv as attached.
func Attached(store *sim.Store, pv *corev1.PersistentVolume, node string) bool {
	n, ok := store.Get(sim.Key{Kind: "Node", Name: node}).(*corev1.Node)
	if !ok {
		return false
	}
	for _, a := range n.Status.VolumesAttached {
		if a.Name == AttachedName(pv) {
			return true
		}
	}
	return false
}

// BoundVolume is the PersistentVolume a claim is bound to, nil while it is
// not bound (or either is missing).
func BoundVolume(store *sim.Store, namespace, claimName string) *corev1.PersistentVolume {
	claim, ok := store.Get(sim.Key{Kind: "PersistentVolumeClaim", Namespace: namespace, Name: claimName}).(*corev1.PersistentVolumeClaim)
	if !ok || claim.Status.Phase != corev1.ClaimBound {
		return nil
	}
	pv, _ := store.Get(sim.Key{Kind: "PersistentVolume", Name: claim.Spec.VolumeName}).(*corev1.PersistentVolume)
	return pv
}
