package controllers

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	volumehelpers "k8s.io/component-helpers/storage/volume"

	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/sim"
	"github.com/podlife/podlife/model/trace"
)

// ExternalProvisioner is the csi-provisioner sidecar of the CSI drivers a
// scenario says are installed (kubernetes-csi/external-provisioner, on
// sig-storage-lib-external-provisioner's ProvisionController): it
// provisions a volume for each Pending claim the PV controller has handed
// to its driver (the volume.kubernetes.io/storage-provisioner annotation)
// once a WaitForFirstConsumer claim has a selected node, creating the
// PersistentVolume pvc-<claim UID> pre-bound to the claim, which the PV
// controller then binds. Events "Provisioning" and "ProvisioningSucceeded"
// on the claim, from the driver. The volume's topology is the selected
// node's zone, as a zonal block-storage driver reports it; the model has
// no CSINode topology keys.
type ExternalProvisioner struct {
	Store   *sim.Store
	API     *apiserver.Client
	Engine  *sim.Engine
	Rec     *trace.Recorder
	Latency sim.Duration // CreateVolume, from the claim to the volume
	// Drivers are the CSI drivers whose provisioner runs.
	Drivers map[string]bool

	busy map[sim.Key]bool
}

// ProvisionerAccount is the service account the provisioners run as, and
// ProvisionerRole the ClusterRole kubernetes-csi/external-provisioner's
// deploy/kubernetes/rbac.yaml grants it.
const (
	ProvisionerAccount = "csi-provisioner"
	ProvisionerRole    = "external-provisioner-runner"
)

// OnClaim looks at a claim that was added or changed.
func (c *ExternalProvisioner) OnClaim(ev sim.WatchEvent) {
	if ev.Type == sim.Deleted {
		return
	}
	claim := ev.Object.(*corev1.PersistentVolumeClaim)
	driver := claim.Annotations[volumehelpers.AnnStorageProvisioner]
	key := sim.KeyOf(claim)
	if !c.Drivers[driver] || c.busy[key] || claim.Spec.VolumeName != "" || claim.DeletionTimestamp != nil {
		return
	}
	class, ok := c.Store.Get(sim.Key{Kind: "StorageClass", Name: volumehelpers.GetPersistentVolumeClaimClass(claim)}).(*storagev1.StorageClass)
	if !ok {
		return
	}
	node := claim.Annotations[volumehelpers.AnnSelectedNode]
	if class.VolumeBindingMode != nil && *class.VolumeBindingMode == storagev1.VolumeBindingWaitForFirstConsumer && node == "" {
		return // shouldProvision: the scheduler has not chosen a node yet
	}
	name := "pvc-" + string(claim.UID)
	if c.Store.Get(sim.Key{Kind: "PersistentVolume", Name: name}) != nil {
		return
	}
	if c.busy == nil {
		c.busy = map[sim.Key]bool{}
	}
	c.busy[key] = true
	ref := apiserver.ObjectRef("PersistentVolumeClaim", claim.Namespace, claim.Name)
	c.Rec.Emit(driver, "provision", ref, trace.Normal, "Provisioning", fmt.Sprintf("External provisioner is provisioning volume for claim %q", claim.Namespace+"/"+claim.Name))
	pv := c.volume(name, driver, claim, class, node)
	c.Engine.After(c.Latency, "csi CreateVolume", func() {
		res, _ := apiserver.ResourceFor("PersistentVolume")
		c.API.Do(&apiserver.Request{Verb: "create", Resource: res, Object: pv}, func(resp apiserver.Response) {
			delete(c.busy, key)
			if !resp.OK() {
				c.Rec.Emit(driver, "provision", ref, trace.Warning, "ProvisioningFailed", fmt.Sprintf("failed to provision volume with StorageClass %q: %s", class.Name, resp.Message))
				return
			}
			c.Rec.Emit(driver, "provision", ref, trace.Normal, "ProvisioningSucceeded", "Successfully provisioned volume "+name)
		})
	})
}

// volume is the PersistentVolume the provisioner creates for the claim.
func (c *ExternalProvisioner) volume(name, driver string, claim *corev1.PersistentVolumeClaim, class *storagev1.StorageClass, node string) *corev1.PersistentVolume {
	reclaim := corev1.PersistentVolumeReclaimDelete
	if class.ReclaimPolicy != nil {
		reclaim = *class.ReclaimPolicy
	}
	size := claim.Spec.Resources.Requests[corev1.ResourceStorage]
	fsType := class.Parameters["csi.storage.k8s.io/fstype"]
	if fsType == "" {
		fsType = "ext4" // the provisioner's --default-fstype in the drivers' deployments
	}
	pv := &corev1.PersistentVolume{
		TypeMeta: metav1.TypeMeta{Kind: "PersistentVolume", APIVersion: "v1"},
		ObjectMeta: metav1.ObjectMeta{Name: name,
			Annotations: map[string]string{"pv.kubernetes.io/provisioned-by": driver}},
		Spec: corev1.PersistentVolumeSpec{
			Capacity:                      corev1.ResourceList{corev1.ResourceStorage: resource.MustParse(size.String())},
			AccessModes:                   claim.Spec.AccessModes,
			PersistentVolumeReclaimPolicy: reclaim,
			StorageClassName:              class.Name,
			MountOptions:                  class.MountOptions,
			VolumeMode:                    claim.Spec.VolumeMode,
			ClaimRef: &corev1.ObjectReference{Kind: "PersistentVolumeClaim", APIVersion: "v1", Namespace: claim.Namespace, Name: claim.Name,
				UID: claim.UID, ResourceVersion: claim.ResourceVersion},
			PersistentVolumeSource: corev1.PersistentVolumeSource{CSI: &corev1.CSIPersistentVolumeSource{
				Driver: driver, VolumeHandle: string(claim.UID), FSType: fsType}},
		},
	}
	if n, ok := c.Store.Get(sim.Key{Kind: "Node", Name: node}).(*corev1.Node); ok {
		if zone := n.Labels[corev1.LabelTopologyZone]; zone != "" {
			pv.Spec.NodeAffinity = &corev1.VolumeNodeAffinity{Required: &corev1.NodeSelector{NodeSelectorTerms: []corev1.NodeSelectorTerm{{
				MatchExpressions: []corev1.NodeSelectorRequirement{{Key: corev1.LabelTopologyZone, Operator: corev1.NodeSelectorOpIn, Values: []string{zone}}}}}}}
		}
	}
	return pv
}
