package kubelet

import (
	"fmt"
	"slices"

	corev1 "k8s.io/api/core/v1"

	"github.com/podlife/podlife/model/csi"
	"github.com/podlife/podlife/model/sim"
	"github.com/podlife/podlife/model/trace"
)

// The volume manager's timings (pkg/kubelet/volumemanager/volume_manager.go,
// pkg/util/goroutinemap/exponentialbackoff): a sync waits up to 2m3s for
// its pod's volumes, checking every 300 ms; a failed mount is retried after
// 500 ms, doubling up to 2m2s.
const (
	mountWaitTimeout  = 2*60*sim.Second + 3*sim.Second
	mountPollInterval = 300 * sim.Millisecond
	mountRetryFirst   = 500 * sim.Millisecond
	mountRetryMax     = 2*60*sim.Second + 2*sim.Second
	// attachPollInterval is the volume manager's reconciler loop
	// (reconcilerLoopSleepPeriod).
	attachPollInterval = 100 * sim.Millisecond
)

// mountVolumes mounts the pod's volumes one after another, as the volume
// manager's reconciler finds them; one that fails is retried on its own
// back-off, and the sync waits for all of them before it creates the
// sandbox.
func (w *worker) mountVolumes(i int) {
	k := w.k
	if i == len(w.pod.Spec.Volumes) {
		w.waitForVolumes()
		return
	}
	v := w.pod.Spec.Volumes[i]
	w.after(k.timings.VolumeMount, "kubelet mount", func() {
		w.setUp(v)
		w.mountVolumes(i + 1)
	})
}

// setUp runs one volume's MountVolume.SetUp; a failure is retried after the
// volume's back-off, in the background (a pod that waits for a missing
// ConfigMap waits as long as it takes).
func (w *worker) setUp(v corev1.Volume) {
	k := w.k
	if w.unattached(v) {
		// The reconciler checks again on its loop until the attach/detach
		// controller has put the volume in the node's status
		// (VerifyControllerAttachedVolume: no event meanwhile).
		k.afterBackground(attachPollInterval, "kubelet waits for attach", func() {
			if !w.terminating {
				w.setUp(v)
			}
		})
		return
	}
	plugin, err := w.mount(v)
	if err != "" {
		k.rec.Emit(k.component, "mount-volume", w.ref(), trace.Warning, "FailedMount",
			fmt.Sprintf("MountVolume.SetUp failed for volume %q : %s", v.Name, err))
		if w.mountRetry == nil {
			w.mountRetry = map[string]sim.Duration{}
		}
		wait := mountRetryFirst
		if last, ok := w.mountRetry[v.Name]; ok {
			wait = min(2*last, mountRetryMax)
		}
		w.mountRetry[v.Name] = wait
		k.afterBackground(wait, "kubelet mount retry", func() {
			if !w.terminating {
				w.setUp(v)
			}
		})
		return
	}
	if w.mounted == nil {
		w.mounted = map[string]bool{}
	}
	w.mounted[v.Name] = true
	k.rec.Stepf(k.component, "mount-volume", w.ref(), "MountVolume.SetUp succeeded for volume %q (%s)", v.Name, plugin)
	if w.volumeWait != nil && len(w.unmounted()) == 0 {
		// The sync's next poll finds every volume mounted.
		polls := (k.engine.Now().Sub(w.volumeWait.since) + mountPollInterval - 1) / mountPollInterval
		at := w.volumeWait.since.Add(polls * mountPollInterval)
		w.volumeWait = nil
		w.after(at.Sub(k.engine.Now()), "kubelet volumes mounted", w.syncContainers)
	}
}

// unmounted lists the pod's volumes not mounted yet, sorted.
func (w *worker) unmounted() []string {
	var out []string
	for _, v := range w.pod.Spec.Volumes {
		if !w.mounted[v.Name] {
			out = append(out, v.Name)
		}
	}
	slices.Sort(out)
	return out
}

// unattached reports whether v is a claim whose CSI volume needs attaching
// to this node and is not attached yet.
func (w *worker) unattached(v corev1.Volume) bool {
	if v.PersistentVolumeClaim == nil {
		return false
	}
	pv := csi.BoundVolume(w.k.store, w.pod.Namespace, v.PersistentVolumeClaim.ClaimName)
	return pv != nil && csi.AttachRequired(w.k.store, pv) && !csi.Attached(w.k.store, pv, w.k.node.Name)
}

// unattachedVolumes lists the pod's volumes waiting for their attach, sorted.
func (w *worker) unattachedVolumes() []string {
	var out []string
	for _, v := range w.pod.Spec.Volumes {
		if !w.mounted[v.Name] && w.unattached(v) {
			out = append(out, v.Name)
		}
	}
	slices.Sort(out)
	return out
}

// volumeWait is a sync waiting for its pod's volumes.
type volumeWait struct{ since sim.Time }

// waitForVolumes is the sync's WaitForAttachAndMount: on with the sandbox
// when every volume is mounted, else a wait that ends with the last mount
// or, after 2m3s, in FailedMount; the pod worker then syncs again after
// its back-off, and waits again.
func (w *worker) waitForVolumes() {
	k := w.k
	if len(w.unmounted()) == 0 {
		w.syncContainers()
		return
	}
	wait := &volumeWait{since: k.engine.Now()}
	w.volumeWait = wait
	k.afterBackground(mountWaitTimeout, "kubelet volume wait timeout", func() {
		if w.volumeWait != wait || w.terminating {
			return
		}
		w.volumeWait = nil
		// Only CSI volumes that need attaching can be unattached; every
		// volume is in the desired state (none failed to process).
		k.rec.Emit(k.component, "mount-volume", w.ref(), trace.Warning, "FailedMount",
			fmt.Sprintf("Unable to attach or mount volumes: unmounted volumes=%v, unattached volumes=%v, failed to process volumes=[]: context deadline exceeded", w.unmounted(), w.unattachedVolumes()))
		k.afterBackground(podWorkerBackOff, "kubelet pod sync after back-off", func() {
			if !w.terminating && w.volumeWait == nil && !w.sandboxReady {
				w.waitForVolumes()
			}
		})
	})
}

// mount returns the volume plugin that serves v, or why it cannot.
func (w *worker) mount(v corev1.Volume) (plugin, err string) {
	src := v.VolumeSource
	optional := func(o *bool) bool { return o != nil && *o }
	switch {
	case src.EmptyDir != nil:
		return "kubernetes.io/empty-dir", ""
	case src.ConfigMap != nil:
		if w.k.store.Get(sim.Key{Kind: "ConfigMap", Namespace: w.pod.Namespace, Name: src.ConfigMap.Name}) == nil && !optional(src.ConfigMap.Optional) {
			return "", fmt.Sprintf("configmap %q not found", src.ConfigMap.Name)
		}
		return "kubernetes.io/configmap", ""
	case src.Secret != nil:
		if w.k.store.Get(sim.Key{Kind: "Secret", Namespace: w.pod.Namespace, Name: src.Secret.SecretName}) == nil && !optional(src.Secret.Optional) {
			return "", fmt.Sprintf("secret %q not found", src.Secret.SecretName)
		}
		return "kubernetes.io/secret", ""
	case src.HostPath != nil:
		return "kubernetes.io/host-path", ""
	case src.Projected != nil:
		return "kubernetes.io/projected", ""
	case src.DownwardAPI != nil:
		return "kubernetes.io/downward-api", ""
	case src.CSI != nil:
		return fmt.Sprintf("kubernetes.io/csi: NodePublishVolume by driver %q", src.CSI.Driver), ""
	case src.PersistentVolumeClaim != nil:
		return w.mountClaim(src.PersistentVolumeClaim.ClaimName)
	}
	return "", "this volume type is not modelled by podlife yet"
}

// mountClaim mounts the volume a claim is bound to, named as the kubelet
// names it (the PersistentVolume) and served by the volume's own plugin.
func (w *worker) mountClaim(name string) (plugin, err string) {
	claim, ok := w.k.store.Get(sim.Key{Kind: "PersistentVolumeClaim", Namespace: w.pod.Namespace, Name: name}).(*corev1.PersistentVolumeClaim)
	if !ok {
		return "", fmt.Sprintf("persistentvolumeclaim %q not found", name)
	}
	pv, ok := w.k.store.Get(sim.Key{Kind: "PersistentVolume", Name: claim.Spec.VolumeName}).(*corev1.PersistentVolume)
	if !ok || claim.Status.Phase != corev1.ClaimBound {
		return "", fmt.Sprintf("PVC %s/%s is not bound", claim.Namespace, name)
	}
	src := pv.Spec.PersistentVolumeSource
	switch {
	case src.Local != nil:
		plugin = "kubernetes.io/local-volume: " + src.Local.Path
	case src.HostPath != nil:
		plugin = "kubernetes.io/host-path: " + src.HostPath.Path
	case src.CSI != nil:
		plugin = fmt.Sprintf("kubernetes.io/csi: NodeStageVolume and NodePublishVolume by driver %q", src.CSI.Driver)
	case src.NFS != nil:
		plugin = "kubernetes.io/nfs: " + src.NFS.Server + ":" + src.NFS.Path
	default:
		return "", "this PersistentVolume type is not modelled by podlife yet"
	}
	return fmt.Sprintf("PersistentVolume %s, %s", pv.Name, plugin), ""
}
