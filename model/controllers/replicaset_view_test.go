package controllers

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/podlife/podlife/model/sim"
)

// TestReplicaViewCountsAsAFreshLookWould drives a ReplicaSet's pods through
// random changes (created, made ready or not, failed, succeeded, deleted
// gracefully, removed) and checks, after each, that the counts a sync keeps
// from the last one are the ones a fresh count gives.
func TestReplicaViewCountsAsAFreshLookWould(t *testing.T) {
	store := sim.NewStore(sim.New(nil))
	rs := &appsv1.ReplicaSet{TypeMeta: metav1.TypeMeta{Kind: "ReplicaSet"}, ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "default", UID: "rs-uid"}}
	store.Create(rs)
	key := sim.KeyOf(rs)
	kept := &ReplicaSet{Store: store}
	rng := rand.New(rand.NewPCG(3, 4))
	var names []string
	created := 0
	anyPod := func() *corev1.Pod {
		return store.Get(sim.Key{Kind: "Pod", Namespace: "default", Name: names[rng.IntN(len(names))]}).(*corev1.Pod).DeepCopy()
	}
	for step := range 400 {
		switch op := rng.IntN(6); {
		case op == 0 || len(names) == 0:
			created++
			p := &corev1.Pod{TypeMeta: metav1.TypeMeta{Kind: "Pod"}, ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("web-%03d", created), Namespace: "default",
				OwnerReferences: []metav1.OwnerReference{*metav1.NewControllerRef(rs, appsv1.SchemeGroupVersion.WithKind("ReplicaSet"))}}}
			store.Create(p)
			names = append(names, p.Name)
		case op <= 2:
			p := anyPod()
			ready := []corev1.ConditionStatus{corev1.ConditionTrue, corev1.ConditionFalse}[rng.IntN(2)]
			p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: ready}}
			store.Update(p)
		case op == 3:
			p := anyPod()
			p.Status.Phase = []corev1.PodPhase{corev1.PodFailed, corev1.PodSucceeded, corev1.PodRunning}[rng.IntN(3)]
			store.Update(p)
		case op == 4:
			p := anyPod()
			p.DeletionTimestamp = ptr.To(metav1.Unix(9, 0))
			store.Update(p)
		case op == 5:
			i := rng.IntN(len(names))
			store.Delete(sim.Key{Kind: "Pod", Namespace: "default", Name: names[i]})
			names = slices.Delete(names, i, i+1)
		}
		if rng.IntN(3) > 0 {
			continue // several writes between two syncs
		}
		got := kept.look(key, rs)
		want := (&ReplicaSet{Store: store}).look(key, rs)
		if got.active != want.active || got.ready != want.ready {
			t.Fatalf("step %d: %d active, %d ready; a fresh count says %d, %d", step, got.active, got.ready, want.active, want.ready)
		}
	}
}
