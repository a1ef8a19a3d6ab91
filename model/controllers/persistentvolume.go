package controllers

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	volumehelpers "k8s.io/component-helpers/storage/volume"

	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/sim"
	"github.com/podlife/podlife/model/trace"
)

// PersistentVolumeComponent names the PV controller in the trace, as its
// events name it.
const PersistentVolumeComponent = "persistentvolume-controller"

// PersistentVolume is kube-controller-manager's PV binder
// (pkg/controller/volume/persistentvolume/pv_controller.go): it makes new
// volumes Available, binds each claim to the smallest available volume
// that satisfies it (both sides written, in the controller's order), leaves
// claims whose class waits for a first consumer to the scheduler, and says
// why a claim stays Pending. Volumes that appear later serve Pending
// claims at the next resync. Dynamic provisioning is left to an external
// provisioner, which the model does not run.
type PersistentVolume struct {
	Store  *sim.Store
	Engine *sim.Engine
	Rec    *trace.Recorder
	API    *apiserver.Client
	Resync sim.Duration

	busy map[sim.Key]bool // claims with a bind in flight
	// dirty are busy claims that changed meanwhile: the claim workqueue
	// holds them and syncs them again once the bind is over.
	dirty     map[sim.Key]bool
	reported  map[sim.Key]string // the last Pending event each claim got
	resyncDue bool
}

// OnVolume handles a watch event for a PersistentVolume.
func (c *PersistentVolume) OnVolume(ev sim.WatchEvent) {
	if ev.Type != sim.Deleted {
		c.syncVolume(ev.Object.(*corev1.PersistentVolume))
	}
}

// OnClaim handles a watch event for a PersistentVolumeClaim.
func (c *PersistentVolume) OnClaim(ev sim.WatchEvent) {
	claim := ev.Object.(*corev1.PersistentVolumeClaim)
	if ev.Type == sim.Deleted {
		delete(c.reported, sim.KeyOf(claim))
		return
	}
	c.syncClaim(claim)
}

func (c *PersistentVolume) syncVolume(pv *corev1.PersistentVolume) {
	if pv.Spec.ClaimRef == nil {
		if pv.Status.Phase == corev1.VolumePending || pv.Status.Phase == "" {
			c.setVolumePhase(pv, corev1.VolumeAvailable, nil)
			c.resyncLater()
		}
		return
	}
	claim, _ := c.Store.Get(sim.Key{Kind: "PersistentVolumeClaim", Namespace: pv.Spec.ClaimRef.Namespace, Name: pv.Spec.ClaimRef.Name}).(*corev1.PersistentVolumeClaim)
	switch {
	case claim == nil || !volumehelpers.IsVolumeBoundToClaim(pv, claim):
		if pv.Status.Phase == corev1.VolumePending || pv.Status.Phase == "" {
			c.setVolumePhase(pv, corev1.VolumeAvailable, nil) // pre-bound to a claim yet to come
		}
	case claim.Spec.VolumeName == "":
		c.syncClaim(claim) // bound by the scheduler (or a user): finish on the claim's side
	}
}

func (c *PersistentVolume) syncClaim(claim *corev1.PersistentVolumeClaim) {
	key := sim.KeyOf(claim)
	if c.busy[key] {
		if c.dirty == nil {
			c.dirty = map[sim.Key]bool{}
		}
		c.dirty[key] = true
		return
	}
	if name := claim.Spec.VolumeName; name != "" {
		if _, done := claim.Annotations[volumehelpers.AnnBindCompleted]; done && claim.Status.Phase == corev1.ClaimBound {
			return
		}
		if pv, ok := c.Store.Get(sim.Key{Kind: "PersistentVolume", Name: name}).(*corev1.PersistentVolume); ok {
			c.bind(pv, claim) // pre-bound by its author
		}
		return
	}
	delayed := c.waitsForConsumer(claim)
	if pv := c.match(claim, delayed); pv != nil {
		c.bind(pv, claim)
		return
	}
	className := volumehelpers.GetPersistentVolumeClaimClass(claim)
	_, selected := claim.Annotations[volumehelpers.AnnSelectedNode]
	switch {
	case delayed && !selected:
		c.report(claim, trace.Normal, "WaitForFirstConsumer", "waiting for first consumer to be created before binding")
	case className == "":
		c.report(claim, trace.Normal, "FailedBinding", "no persistent volumes available for this claim and no storage class is set")
	default:
		class, ok := c.Store.Get(sim.Key{Kind: "StorageClass", Name: className}).(*storagev1.StorageClass)
		if !ok {
			c.report(claim, trace.Warning, "ProvisioningFailed", fmt.Sprintf("storageclass.storage.k8s.io %q not found", className))
			return
		}
		provisioner, external := externalProvisioner(class.Provisioner)
		if !external {
			c.report(claim, trace.Warning, "ProvisioningFailed", "no volume plugin matched name: "+class.Provisioner)
			return
		}
		msg := fmt.Sprintf("Waiting for a volume to be created either by the external provisioner '%s' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.", provisioner)
		if claim.Annotations[volumehelpers.AnnStorageProvisioner] == provisioner {
			c.report(claim, trace.Normal, "ExternalProvisioning", msg)
			return
		}
		// setClaimProvisioner: the annotations tell the external
		// provisioner the claim is its to serve (provisionClaimOperationExternal).
		next := claim.DeepCopy()
		metav1.SetMetaDataAnnotation(&next.ObjectMeta, volumehelpers.AnnBetaStorageProvisioner, provisioner)
		metav1.SetMetaDataAnnotation(&next.ObjectMeta, volumehelpers.AnnStorageProvisioner, provisioner)
		res, _ := apiserver.ResourceFor("PersistentVolumeClaim")
		c.API.Do(&apiserver.Request{Verb: "update", Resource: res, Namespace: claim.Namespace, Name: claim.Name, Object: next}, func(resp apiserver.Response) {
			if resp.OK() {
				c.report(claim, trace.Normal, "ExternalProvisioning", msg)
			}
		})
	}
}

// migratedProvisioners are the in-tree provisioners whose volumes CSI
// drivers now create (csi-translation-lib's in-tree to CSI names).
var migratedProvisioners = map[string]string{
	"kubernetes.io/gce-pd":          "pd.csi.storage.gke.io",
	"kubernetes.io/aws-ebs":         "ebs.csi.aws.com",
	"kubernetes.io/azure-disk":      "disk.csi.azure.com",
	"kubernetes.io/azure-file":      "file.csi.azure.com",
	"kubernetes.io/cinder":          "cinder.csi.openstack.org",
	"kubernetes.io/vsphere-volume":  "csi.vsphere.vmware.com",
	"kubernetes.io/portworx-volume": "pxd.portworx.com",
}

// externalProvisioner is findProvisionablePlugin without in-tree plugins
// (none provisions any more): a migrated in-tree name is served by its CSI
// driver, any other "kubernetes.io/" name by nobody (the controller's
// "no volume plugin matched name"), and every other name by the external
// provisioner of that name.
func externalProvisioner(name string) (string, bool) {
	if csi, ok := migratedProvisioners[name]; ok {
		return csi, true
	}
	return name, !strings.HasPrefix(name, "kubernetes.io/")
}

// report records why a claim stays Pending, once for each new reason (a
// real cluster repeats it at every resync and counts the repeats).
func (c *PersistentVolume) report(claim *corev1.PersistentVolumeClaim, typ, reason, msg string) {
	if c.reported == nil {
		c.reported = map[sim.Key]string{}
	}
	key := sim.KeyOf(claim)
	if c.reported[key] == reason+msg {
		return
	}
	c.reported[key] = reason + msg
	c.Rec.Emit(PersistentVolumeComponent, "sync", apiserver.ObjectRef("PersistentVolumeClaim", claim.Namespace, claim.Name), typ, reason, msg)
}

func (c *PersistentVolume) waitsForConsumer(claim *corev1.PersistentVolumeClaim) bool {
	class, ok := c.Store.Get(sim.Key{Kind: "StorageClass", Name: volumehelpers.GetPersistentVolumeClaimClass(claim)}).(*storagev1.StorageClass)
	return ok && class.VolumeBindingMode != nil && *class.VolumeBindingMode == storagev1.VolumeBindingWaitForFirstConsumer
}

// match is the controller's volume index lookup (index.go
// findByClaim): among volumes offering every access mode the claim asks
// for, those with the fewest modes are searched first, each group for its
// smallest fitting volume.
func (c *PersistentVolume) match(claim *corev1.PersistentVolumeClaim, delayed bool) *corev1.PersistentVolume {
	return MatchVolume(c.Store, claim, delayed)
}

// MatchVolume finds the volume the PV controller would bind claim to.
func MatchVolume(store *sim.Store, claim *corev1.PersistentVolumeClaim, delayed bool) *corev1.PersistentVolume {
	groups := map[string][]*corev1.PersistentVolume{}
	for _, obj := range store.List("PersistentVolume", "") {
		pv := obj.(*corev1.PersistentVolume)
		if volumehelpers.CheckAccessModes(claim, pv) {
			modes := make([]string, len(pv.Spec.AccessModes))
			for i, m := range pv.Spec.AccessModes {
				modes[i] = string(m)
			}
			slices.Sort(modes)
			k := strings.Join(modes, ",")
			groups[k] = append(groups[k], pv)
		}
	}
	keys := make([]string, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		return cmp.Or(cmp.Compare(strings.Count(a, ","), strings.Count(b, ",")), cmp.Compare(a, b))
	})
	for _, k := range keys {
		if pv, err := volumehelpers.FindMatchingVolume(claim, groups[k], nil, nil, delayed, true); err == nil && pv != nil {
			return pv
		}
	}
	return nil
}

// bind writes a binding in pv_controller.go's order: the volume's claimRef,
// the volume's phase, the claim's volumeName and annotations, the claim's
// phase. The claim is not synced again until the last write answered.
func (c *PersistentVolume) bind(pv *corev1.PersistentVolume, claim *corev1.PersistentVolumeClaim) {
	if c.busy == nil {
		c.busy = map[sim.Key]bool{}
	}
	key := sim.KeyOf(claim)
	c.busy[key] = true
	delete(c.reported, key)
	c.Rec.Stepf(PersistentVolumeComponent, "bind", apiserver.ObjectRef("PersistentVolumeClaim", claim.Namespace, claim.Name), "binding to PersistentVolume %s", pv.Name)
	done := func() {
		delete(c.busy, key)
		if c.dirty[key] {
			delete(c.dirty, key)
			if latest, ok := c.Store.Get(key).(*corev1.PersistentVolumeClaim); ok {
				c.syncClaim(latest)
			}
		}
	}
	c.bindVolume(pv, claim, func(pv *corev1.PersistentVolume) {
		c.setVolumePhase(pv, corev1.VolumeBound, func() {
			c.bindClaim(pv, claim, func(claim *corev1.PersistentVolumeClaim) {
				c.setClaimBound(pv, claim, done)
			}, done)
		})
	}, done)
}

func (c *PersistentVolume) bindVolume(pv *corev1.PersistentVolume, claim *corev1.PersistentVolumeClaim, next func(*corev1.PersistentVolume), failed func()) {
	bound, dirty, err := volumehelpers.GetBindVolumeToClaim(pv, claim)
	if err != nil {
		failed()
		return
	}
	if !dirty {
		next(pv)
		return
	}
	res, _ := apiserver.ResourceFor("PersistentVolume")
	c.API.Do(&apiserver.Request{Verb: "update", Resource: res, Name: pv.Name, Object: bound}, func(resp apiserver.Response) {
		if !resp.OK() {
			failed()
			return
		}
		next(resp.Object.(*corev1.PersistentVolume))
	})
}

func (c *PersistentVolume) setVolumePhase(pv *corev1.PersistentVolume, phase corev1.PersistentVolumePhase, next func()) {
	if pv.Status.Phase == phase {
		if next != nil {
			next()
		}
		return
	}
	update := pv.DeepCopy()
	update.Status.Phase = phase
	res, _ := apiserver.ResourceFor("PersistentVolume")
	c.API.Do(&apiserver.Request{Verb: "update", Resource: res, Name: pv.Name, Subresource: "status", Object: update}, func(apiserver.Response) {
		if next != nil {
			next()
		}
	})
}

func (c *PersistentVolume) bindClaim(pv *corev1.PersistentVolume, claim *corev1.PersistentVolumeClaim, next func(*corev1.PersistentVolumeClaim), failed func()) {
	update := claim.DeepCopy()
	pointAt(update, pv)
	res, _ := apiserver.ResourceFor("PersistentVolumeClaim")
	c.API.Do(&apiserver.Request{Verb: "update", Resource: res, Namespace: claim.Namespace, Name: claim.Name, Object: update}, func(resp apiserver.Response) {
		if !resp.OK() {
			failed()
			return
		}
		next(resp.Object.(*corev1.PersistentVolumeClaim))
	})
}

func (c *PersistentVolume) setClaimBound(pv *corev1.PersistentVolume, claim *corev1.PersistentVolumeClaim, done func()) {
	update := claim.DeepCopy()
	update.Status = boundStatus(pv)
	res, _ := apiserver.ResourceFor("PersistentVolumeClaim")
	c.API.Do(&apiserver.Request{Verb: "update", Resource: res, Namespace: claim.Namespace, Name: claim.Name, Subresource: "status", Object: update}, func(apiserver.Response) { done() })
}

// resyncLater matches the Pending claims again at the controller's next
// periodic resync, after a volume became available; with nothing new the
// resync is not run, so a settled cluster stays settled.
func (c *PersistentVolume) resyncLater() {
	if c.resyncDue || c.Resync <= 0 {
		return
	}
	c.resyncDue = true
	now := c.Engine.Now()
	next := (sim.Duration(now)/c.Resync + 1) * c.Resync
	c.Engine.After(next-sim.Duration(now), "pv controller resync", func() {
		c.resyncDue = false
		for _, obj := range c.Store.List("PersistentVolumeClaim", "") {
			// A new claim has no phase until the controller reports it
			// Pending (syncUnboundClaim), which the model leaves unwritten.
			if claim := obj.(*corev1.PersistentVolumeClaim); claim.Status.Phase == corev1.ClaimPending || claim.Status.Phase == "" {
				c.syncClaim(claim)
			}
		}
	})
}

// SeedClaim binds a claim seeded into the store to the volume the
// controller would pick, as if it had already run; it reports the volume.
func SeedClaim(store *sim.Store, claim *corev1.PersistentVolumeClaim) *corev1.PersistentVolume {
	class, _ := store.Get(sim.Key{Kind: "StorageClass", Name: volumehelpers.GetPersistentVolumeClaimClass(claim)}).(*storagev1.StorageClass)
	delayed := class != nil && class.VolumeBindingMode != nil && *class.VolumeBindingMode == storagev1.VolumeBindingWaitForFirstConsumer
	pv := MatchVolume(store, claim, delayed)
	if pv == nil {
		return nil
	}
	bound, _, err := volumehelpers.GetBindVolumeToClaim(pv, claim)
	if err != nil {
		return nil
	}
	bound.Status.Phase = corev1.VolumeBound
	store.Update(bound)
	pointAt(claim, pv)
	claim.Status = boundStatus(pv)
	return bound
}

// pointAt is bindClaimToVolume's change to the claim: its volume (unless
// its author named one) and the annotations that say who bound it and
// that binding is done.
func pointAt(claim *corev1.PersistentVolumeClaim, pv *corev1.PersistentVolume) {
	if claim.Annotations == nil {
		claim.Annotations = map[string]string{}
	}
	if claim.Spec.VolumeName == "" {
		claim.Spec.VolumeName = pv.Name
		claim.Annotations[volumehelpers.AnnBoundByController] = "yes"
	}
	claim.Annotations[volumehelpers.AnnBindCompleted] = "yes"
}

// boundStatus is a bound claim's status: the volume's access modes and
// capacity.
func boundStatus(pv *corev1.PersistentVolume) corev1.PersistentVolumeClaimStatus {
	return corev1.PersistentVolumeClaimStatus{Phase: corev1.ClaimBound, AccessModes: pv.Spec.AccessModes, Capacity: pv.Spec.Capacity.DeepCopy()}
}
