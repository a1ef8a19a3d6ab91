package model

import (
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/podlife/podlife/model/kubectl"
	"github.com/podlife/podlife/model/sim"
)

const twoVolumesOneClaim = `apiVersion: v1
kind: PersistentVolume
metadata:
  name: spare
spec:
  capacity:
    storage: 1Gi
  accessModes: [ReadWriteOnce]
  nfs:
    server: nfs.example.com
    path: /spare
---
apiVersion: v1
kind: PersistentVolume
metadata:
  name: used
spec:
  capacity:
    storage: 10Gi
  accessModes: [ReadWriteOnce]
  nfs:
    server: nfs.example.com
    path: /used
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
spec:
  accessModes: [ReadWriteOnce]
  storageClassName: ""
  resources:
    requests:
      storage: 5Gi
`

// StorageObjectInUseProtection gives volumes and claims their finalizers;
// the pv-protection controller lets an unbound volume go at once and
// keeps a bound one (pkg/controller/volume/pvprotection); an unused bound
// claim is marked Unused and, deleted, goes.
func TestProtectionFinalizersHoldWhatIsInUse(t *testing.T) {
	c := New(Options{})
	c.AddNode(node("node01", "2"), nil)
	apply(t, c, "admin", twoVolumesOneClaim)
	if err := c.Settle(); err != nil {
		t.Fatal(err)
	}
	claim := c.Store.Get(sim.Key{Kind: "PersistentVolumeClaim", Namespace: "default", Name: "data"}).(*corev1.PersistentVolumeClaim)
	if got := claim.Finalizers; len(got) != 1 || got[0] != "kubernetes.io/pvc-protection" {
		t.Errorf("the claim's finalizers are %v", got)
	}
	if cond := unused(claim); cond == nil || cond.Status != corev1.ConditionTrue || cond.Reason != "NoPodsUsingPVC" {
		t.Errorf("a bound claim no pod uses has the Unused condition %+v", cond)
	}
	for _, name := range []string{"spare", "used"} {
		c.Delete("PersistentVolume", "", name, "admin", kubectl.DeleteOptions{GracePeriod: -1, NoWait: true})
	}
	if err := c.Settle(); err != nil {
		t.Fatal(err)
	}
	if c.Store.Get(sim.Key{Kind: "PersistentVolume", Name: "spare"}) != nil {
		t.Error("an Available volume is still there after its deletion")
	}
	used, ok := c.Store.Get(sim.Key{Kind: "PersistentVolume", Name: "used"}).(*corev1.PersistentVolume)
	if !ok || used.DeletionTimestamp == nil {
		t.Fatalf("a Bound volume is gone or not marked for deletion: %v", used)
	}
	c.Delete("PersistentVolumeClaim", "default", "data", "admin", kubectl.DeleteOptions{GracePeriod: -1, NoWait: true})
	if err := c.Settle(); err != nil {
		t.Fatal(err)
	}
	if c.Store.Get(sim.Key{Kind: "PersistentVolumeClaim", Namespace: "default", Name: "data"}) != nil {
		t.Error("a claim no pod uses is still there after its deletion")
	}
}

func unused(claim *corev1.PersistentVolumeClaim) *corev1.PersistentVolumeClaimCondition {
	for i := range claim.Status.Conditions {
		if claim.Status.Conditions[i].Type == corev1.PersistentVolumeClaimUnused {
			return &claim.Status.Conditions[i]
		}
	}
	return nil
}
