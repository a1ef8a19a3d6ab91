package controllers

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// daemon_controller.go NodeShouldRunDaemonPod: a NoSchedule taint keeps a
// new pod off the node but lets one already there stay; a NoExecute taint
// does neither; the tolerations the controller adds let a daemon pod run
// on a cordoned or not-ready node.
func TestWhereADaemonPodShouldRunAndStay(t *testing.T) {
	ds := &appsv1.DaemonSet{Spec: appsv1.DaemonSetSpec{Template: corev1.PodTemplateSpec{
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "agent", Image: "agent:1"}}}}}}
	node := func(taints ...corev1.Taint) *corev1.Node {
		return &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "node01"}, Spec: corev1.NodeSpec{Taints: taints}}
	}
	for _, tc := range []struct {
		name      string
		node      *corev1.Node
		run, stay bool
	}{
		{"untainted", node(), true, true},
		{"NoSchedule", node(corev1.Taint{Key: "dedicated", Value: "db", Effect: corev1.TaintEffectNoSchedule}), false, true},
		{"NoExecute", node(corev1.Taint{Key: "dedicated", Value: "db", Effect: corev1.TaintEffectNoExecute}), false, false},
		{"cordoned", node(corev1.Taint{Key: corev1.TaintNodeUnschedulable, Effect: corev1.TaintEffectNoSchedule}), true, true},
		{"not ready", node(corev1.Taint{Key: corev1.TaintNodeNotReady, Effect: corev1.TaintEffectNoExecute}), true, true},
	} {
		if run, stay := newDaemonPod(ds).shouldRun(tc.node); run != tc.run || stay != tc.stay {
			t.Errorf("%s: run %v, stay %v; want %v, %v", tc.name, run, stay, tc.run, tc.stay)
		}
	}
}
