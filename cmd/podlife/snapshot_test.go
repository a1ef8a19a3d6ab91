package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/utils/ptr"
)

// With PODLIFE_KUBECONFIG set (make conformance sets it to its control
// plane): a snapshot of the real cluster, fed to podlife apply with a new
// pod, decides that pod as the real scheduler does, in its words, and
// keeps the pods that run where they run (adopted by their ReplicaSet and
// their StatefulSet, not made anew).
func TestASnapshotAnswersAsTheClusterDoes(t *testing.T) {
	kubeconfig := os.Getenv("PODLIFE_KUBECONFIG")
	if kubeconfig == "" {
		t.Skip("set PODLIFE_KUBECONFIG to a cluster's kubeconfig to run this (make conformance does)")
	}
	config, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	kube := kubernetes.NewForConfigOrDie(config)
	ctx := context.Background()
	suffix := make([]byte, 3)
	rand.Read(suffix)
	ns := "snapshot-" + hex.EncodeToString(suffix)

	// Two kwok nodes, 4 and 2 CPUs, and a Deployment of three 1-CPU pods.
	for i, cpu := range []string{"4", "2"} {
		node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: ns + "-" + string(rune('a'+i)),
			Annotations: map[string]string{"kwok.x-k8s.io/node": "fake"}, Labels: map[string]string{"podlife.dev/test": ns}}}
		node.Status.Capacity = corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(cpu), corev1.ResourceMemory: resource.MustParse("8Gi"), corev1.ResourcePods: resource.MustParse("110")}
		node.Status.Allocatable = node.Status.Capacity
		if _, err := kube.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { kube.CoreV1().Nodes().Delete(ctx, node.Name, metav1.DeleteOptions{}) })
	}
	if _, err := kube.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		kube.CoreV1().Namespaces().Delete(ctx, ns, metav1.DeleteOptions{GracePeriodSeconds: ptr.To[int64](0)})
	})
	container := func(name, cpu string) corev1.Container {
		return corev1.Container{Name: name, Image: "nginx:1.27", Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(cpu)}}}
	}
	web := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: ns}, Spec: appsv1.DeploymentSpec{
		Replicas: ptr.To[int32](3), Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}},
		Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "web"}},
			Spec: corev1.PodSpec{NodeSelector: map[string]string{"podlife.dev/test": ns}, Containers: []corev1.Container{container("nginx", "1")}}}}}
	if _, err := kube.AppsV1().Deployments(ns).Create(ctx, web, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	// And a StatefulSet of two small pods, db-0 and db-1.
	db := &appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Name: "db", Namespace: ns}, Spec: appsv1.StatefulSetSpec{
		Replicas: ptr.To[int32](2), ServiceName: "db", Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "db"}},
		Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "db"}},
			Spec: corev1.PodSpec{NodeSelector: map[string]string{"podlife.dev/test": ns}, Containers: []corev1.Container{container("pg", "100m")}}}}}
	if _, err := kube.AppsV1().StatefulSets(ns).Create(ctx, db, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	running := map[string]string{} // pod → node
	err = wait.PollUntilContextTimeout(ctx, 500*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
		pods, err := kube.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			return false, err
		}
		clear(running)
		for _, p := range pods.Items {
			if p.Status.Phase == corev1.PodRunning && p.Status.PodIP != "" {
				running[p.Name] = p.Spec.NodeName
			}
		}
		return len(running) == 5, nil
	})
	if err != nil {
		t.Fatalf("the Deployment's and the StatefulSet's pods do not run: %v (running: %v)", err, running)
	}

	dir := t.TempDir()
	clusterFile := filepath.Join(dir, "cluster.yaml")
	if out, stderr, code := runCLI(t, "snapshot", "--kubeconfig", kubeconfig, "-o", clusterFile); code != 0 {
		t.Fatalf("snapshot: exit %d\n%s%s", code, out, stderr)
	}

	// A pod of 3 CPUs, which neither node has left.
	big := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "big", Namespace: ns},
		Spec: corev1.PodSpec{NodeSelector: map[string]string{"podlife.dev/test": ns}, Containers: []corev1.Container{container("app", "3")}}}
	manifest := writeFile(t, "big.yaml", `apiVersion: v1
kind: Pod
metadata: {name: big, namespace: `+ns+`}
spec:
  nodeSelector: {podlife.dev/test: `+ns+`}
  containers: [{name: app, image: "nginx:1.27", resources: {requests: {cpu: "3"}}}]
`)
	out, stderr, code := runCLI(t, "apply", "--cluster", clusterFile, "-f", manifest, "-o", "json")
	if code != 0 {
		t.Fatalf("apply onto the snapshot: exit %d\n%s", code, stderr)
	}
	var report struct {
		Events []struct{ Object, Action, Reason, Message string }
	}
	if err := json.Unmarshal([]byte(out), &report); err != nil {
		t.Fatal(err)
	}
	var modelSays string
	for _, e := range report.Events {
		switch {
		case e.Object == "pod/"+ns+"/big" && e.Reason == "FailedScheduling":
			modelSays = e.Message
		case (strings.HasPrefix(e.Object, "pod/"+ns+"/web-") || strings.HasPrefix(e.Object, "pod/"+ns+"/db-")) && (e.Reason == "Scheduled" || e.Reason == "Killing"):
			t.Errorf("the model does not keep the snapshot's pod %s: %s %s", e.Object, e.Reason, e.Message)
		}
	}

	if _, err := kube.CoreV1().Pods(ns).Create(ctx, big, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	// The scheduler writes the same message to the pod's PodScheduled
	// condition as to its FailedScheduling event (schedule_one.go
	// handleSchedulingFailure); the condition does not wait on the
	// scheduler's event broadcaster, which a busy plane can hold back.
	var clusterSays string
	err = wait.PollUntilContextTimeout(ctx, 500*time.Millisecond, 2*time.Minute, true, func(ctx context.Context) (bool, error) {
		pod, err := kube.CoreV1().Pods(ns).Get(ctx, "big", metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		for _, c := range pod.Status.Conditions {
			if c.Type == corev1.PodScheduled && c.Status == corev1.ConditionFalse && c.Reason == corev1.PodReasonUnschedulable {
				clusterSays = c.Message
				return true, nil
			}
		}
		return false, nil
	})
	if err != nil {
		t.Fatalf("the cluster does not refuse pod big: %v", err)
	}
	if modelSays != clusterSays {
		t.Errorf("on the snapshot pod big is %q,\non the cluster %q", modelSays, clusterSays)
	}
}

// A kubeconfig that is missing stops a snapshot, naming it (exit 2), and
// leaves the file -o names as it was.
func TestASnapshotWithoutACluster(t *testing.T) {
	previous := writeFile(t, "cluster.yaml", "# last week's snapshot\n")
	missing := filepath.Join(t.TempDir(), "missing.kubeconfig")
	_, stderr, code := runCLI(t, "snapshot", "--kubeconfig", missing, "-o", previous)
	if code != 2 || !strings.Contains(stderr, missing) {
		t.Errorf("missing kubeconfig: exit %d, stderr %q", code, stderr)
	}
	silent := writeFile(t, "silent.kubeconfig", `apiVersion: v1
kind: Config
clusters:
- name: c
  cluster: {server: "https://127.0.0.1:1"}
users:
- name: u
  user: {token: t}
contexts:
- name: c
  context: {cluster: c, user: u}
current-context: c
`)
	_, stderr, code = runCLI(t, "snapshot", "--kubeconfig", silent, "-o", previous)
	if code != 2 || !strings.Contains(stderr, "snapshot: list namespaces: ") || !strings.Contains(stderr, "127.0.0.1:1") {
		t.Errorf("unreachable cluster: exit %d, stderr %q", code, stderr)
	}
	if data, _ := os.ReadFile(previous); string(data) != "# last week's snapshot\n" {
		t.Errorf("the failed snapshot changed %s: %q", previous, data)
	}
	if leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(previous), ".cluster.yaml.*")); len(leftovers) > 0 {
		t.Errorf("a failed snapshot leaves %v", leftovers)
	}
}
