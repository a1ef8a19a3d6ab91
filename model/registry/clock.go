package registry

import (
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/kubernetes/pkg/registry/core/persistentvolume"
)

// unstamped is what a strategy that reads the clock gets instead of the
// wall clock; stampTimes swaps it for the request's virtual time. The
// model never reads the wall clock, and several clusters run at once, so
// the one package-level clock the strategies offer cannot be the model's.
var unstamped = metav1.NewTime(time.Unix(0, 0).UTC())

func init() {
	// PrepareForCreate and PrepareForUpdate of PersistentVolumes stamp
	// status.lastPhaseTransitionTime (pkg/registry/core/persistentvolume).
	persistentvolume.NowFunc = func() metav1.Time { return unstamped }
}

// stampTimes gives the fields a strategy stamped with the clock the
// request's time.
func stampTimes(obj runtime.Object, now metav1.Time) {
	if pv, ok := obj.(*corev1.PersistentVolume); ok {
		if t := pv.Status.LastPhaseTransitionTime; t != nil && t.Equal(&unstamped) {
			pv.Status.LastPhaseTransitionTime = &now
		}
	}
}
