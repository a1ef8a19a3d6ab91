package scheduler

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	volumehelpers "k8s.io/component-helpers/storage/volume"

	"github.com/podlife/podlife/model/sim"
)

// storageSnapshot is a snapshot that also holds claims, volumes and
// classes.
type storageSnapshot struct {
	snapshot
	objects []sim.Object
}

func (s storageSnapshot) List(kind, namespace string) []sim.Object {
	var out []sim.Object
	for _, o := range s.objects {
		if o.GetObjectKind().GroupVersionKind().Kind == kind && (namespace == "" || o.GetNamespace() == namespace) {
			out = append(out, o)
		}
	}
	return out
}

func testClaim(name string, mutate ...func(*corev1.PersistentVolumeClaim)) *corev1.PersistentVolumeClaim {
	c := &corev1.PersistentVolumeClaim{TypeMeta: metav1.TypeMeta{Kind: "PersistentVolumeClaim"}, ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default"},
		Spec: corev1.PersistentVolumeClaimSpec{AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			Resources: corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}}}}
	for _, m := range mutate {
		m(c)
	}
	return c
}

func bound(volume string) func(*corev1.PersistentVolumeClaim) {
	return func(c *corev1.PersistentVolumeClaim) {
		c.Spec.VolumeName = volume
		c.Annotations = map[string]string{volumehelpers.AnnBindCompleted: "yes"}
		c.Status.Phase = corev1.ClaimBound
	}
}

func inClass(class string) func(*corev1.PersistentVolumeClaim) {
	return func(c *corev1.PersistentVolumeClaim) { c.Spec.StorageClassName = &class }
}

func localVolume(name, node string, mutate ...func(*corev1.PersistentVolume)) *corev1.PersistentVolume {
	pv := &corev1.PersistentVolume{TypeMeta: metav1.TypeMeta{Kind: "PersistentVolume"}, ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: corev1.PersistentVolumeSpec{Capacity: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("10Gi")},
			AccessModes:            []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			PersistentVolumeSource: corev1.PersistentVolumeSource{Local: &corev1.LocalVolumeSource{Path: "/mnt/disk"}},
			NodeAffinity: &corev1.VolumeNodeAffinity{Required: &corev1.NodeSelector{NodeSelectorTerms: []corev1.NodeSelectorTerm{{
				MatchExpressions: []corev1.NodeSelectorRequirement{{Key: corev1.LabelHostname, Operator: corev1.NodeSelectorOpIn, Values: []string{node}}}}}}}},
		Status: corev1.PersistentVolumeStatus{Phase: corev1.VolumeAvailable}}
	for _, m := range mutate {
		m(pv)
	}
	return pv
}

func waitingClass(name, provisioner string) *storagev1.StorageClass {
	mode := storagev1.VolumeBindingWaitForFirstConsumer
	return &storagev1.StorageClass{TypeMeta: metav1.TypeMeta{Kind: "StorageClass"}, ObjectMeta: metav1.ObjectMeta{Name: name},
		Provisioner: provisioner, VolumeBindingMode: &mode}
}

func usingClaims(claims ...string) func(*corev1.Pod) {
	return func(p *corev1.Pod) {
		for _, c := range claims {
			p.Spec.Volumes = append(p.Spec.Volumes, corev1.Volume{Name: c, VolumeSource: corev1.VolumeSource{
				PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: c}}})
		}
	}
}

// VolumeBinding's and VolumeRestrictions' reasons, as
// framework/plugins/volumebinding/binder.go and volumerestrictions write
// them in v1.37.2, from PreFilter or from Filter on node n1.
func TestVolumeReasons(t *testing.T) {
	host := func(name string) map[string]string { return map[string]string{corev1.LabelHostname: name} }
	gcePD := func(readOnly bool) func(*corev1.Pod) {
		return func(p *corev1.Pod) {
			p.Spec.Volumes = append(p.Spec.Volumes, corev1.Volume{Name: "disk", VolumeSource: corev1.VolumeSource{
				GCEPersistentDisk: &corev1.GCEPersistentDiskVolumeSource{PDName: "pd-1", ReadOnly: readOnly}}})
		}
	}
	rwop := testClaim("queue", bound("nfs"), func(c *corev1.PersistentVolumeClaim) {
		c.Spec.AccessModes = []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOncePod}
	})
	for _, tc := range []struct {
		name      string
		plugin    string
		pod       *corev1.Pod
		objects   []sim.Object
		elsewhere []*corev1.Pod // on node n2
		here      []*corev1.Pod // on node n1
		code      Code          // 0: the pod fits
		reasons   []string
	}{
		{"missing claim", "VolumeRestrictions", testPod("p", nil, usingClaims("data")), nil, nil, nil,
			UnschedulableAndUnresolvable, []string{`persistentvolumeclaim "data" not found`}},
		{"unbound immediate claim", "VolumeBinding", testPod("p", nil, usingClaims("data")), []sim.Object{testClaim("data")}, nil, nil,
			UnschedulableAndUnresolvable, []string{"pod has unbound immediate PersistentVolumeClaims"}},
		{"claim being deleted", "VolumeBinding", testPod("p", nil, usingClaims("data")), []sim.Object{testClaim("data", func(c *corev1.PersistentVolumeClaim) {
			c.DeletionTimestamp = &metav1.Time{}
		})}, nil, nil, UnschedulableAndUnresolvable, []string{`persistentvolumeclaim "data" is being deleted`}},
		{"bound volume on another node", "VolumeBinding", testPod("p", nil, usingClaims("data")),
			[]sim.Object{testClaim("data", bound("disk-n2")), localVolume("disk-n2", "n2")}, nil, nil,
			UnschedulableAndUnresolvable, []string{"node(s) didn't match PersistentVolume's node affinity"}},
		{"bound volume gone", "VolumeBinding", testPod("p", nil, usingClaims("data")), []sim.Object{testClaim("data", bound("disk-n1"))}, nil, nil,
			UnschedulableAndUnresolvable, []string{"node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)"}},
		{"no volume to bind here", "VolumeBinding", testPod("p", nil, usingClaims("data")),
			[]sim.Object{testClaim("data", inClass("local")), waitingClass("local", volumehelpers.NotSupportedProvisioner), localVolume("disk-n2", "n2", func(pv *corev1.PersistentVolume) {
				pv.Spec.StorageClassName = "local"
			})}, nil, nil, UnschedulableAndUnresolvable, []string{"node(s) didn't find available persistent volumes to bind"}},
		{"a volume to bind here", "VolumeBinding", testPod("p", nil, usingClaims("data")),
			[]sim.Object{testClaim("data", inClass("local")), waitingClass("local", volumehelpers.NotSupportedProvisioner), localVolume("disk-n1", "n1", func(pv *corev1.PersistentVolume) {
				pv.Spec.StorageClassName = "local"
			})}, nil, nil, 0, nil},
		{"a provisioner can make one", "VolumeBinding", testPod("p", nil, usingClaims("data")),
			[]sim.Object{testClaim("data", inClass("ssd")), waitingClass("ssd", "ebs.csi.aws.com")}, nil, nil, 0, nil},
		{"both conflicts at once", "VolumeBinding", testPod("p", nil, usingClaims("data", "scratch")),
			[]sim.Object{testClaim("data", bound("disk-n2")), localVolume("disk-n2", "n2"), testClaim("scratch", inClass("local")),
				waitingClass("local", volumehelpers.NotSupportedProvisioner)}, nil, nil,
			UnschedulableAndUnresolvable, []string{"node(s) didn't match PersistentVolume's node affinity", "node(s) didn't find available persistent volumes to bind"}},
		{"same GCE disk read-write", "VolumeRestrictions", testPod("p", nil, gcePD(false)), nil, nil, []*corev1.Pod{testPod("q", nil, gcePD(true))},
			Unschedulable, []string{"node(s) had no available disk"}},
		{"same GCE disk read-only twice", "VolumeRestrictions", testPod("p", nil, gcePD(true)), nil, nil, []*corev1.Pod{testPod("q", nil, gcePD(true))}, 0, nil},
		{"ReadWriteOncePod claim in use on another node", "VolumeRestrictions", testPod("p", nil, usingClaims("queue")), []sim.Object{rwop},
			[]*corev1.Pod{testPod("q", nil, usingClaims("queue"))}, nil,
			Unschedulable, []string{"node(s) unavailable due to PersistentVolumeClaim with ReadWriteOncePod access mode already in-use by another pod"}},
		{"ReadWriteOncePod claim free", "VolumeRestrictions", testPod("p", nil, usingClaims("queue")), []sim.Object{rwop}, nil, nil, 0, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n1, n2 := testNode("n1", host("n1")), testNode("n2", host("n2"))
			for _, q := range tc.here {
				n1.AddPod(NewPodInfo(q))
			}
			for _, q := range tc.elsewhere {
				n2.AddPod(NewPodInfo(q))
			}
			snap := storageSnapshot{snapshot{n1, n2}, tc.objects}
			var plugin interface {
				PreFilterPlugin
				FilterPlugin
			} = VolumeBinding{Snapshot: snap}
			if tc.plugin == "VolumeRestrictions" {
				plugin = VolumeRestrictions{Snapshot: snap}
			}
			state, info := newCycleState(), NewPodInfo(tc.pod)
			st := plugin.PreFilter(state, info)
			if st == nil {
				st = plugin.Filter(state, info, n1)
			}
			if tc.code == 0 {
				if st != nil {
					t.Fatalf("status = %+v, want the pod to fit", st)
				}
				return
			}
			if st == nil || st.Code != tc.code || len(st.Reasons) != len(tc.reasons) {
				t.Fatalf("status = %+v, want %v %q", st, tc.code, tc.reasons)
			}
			for i := range tc.reasons {
				if st.Reasons[i] != tc.reasons[i] {
					t.Fatalf("reasons = %q, want %q", st.Reasons, tc.reasons)
				}
			}
		})
	}
}
