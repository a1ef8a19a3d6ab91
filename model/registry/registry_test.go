package registry

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"
)

var podGVK = schema.GroupVersionKind{Version: "v1", Kind: "Pod"}

func decodePod(t testing.TB, src string) *corev1.Pod {
	var pod corev1.Pod
	if err := yaml.UnmarshalStrict([]byte(src), &pod); err != nil {
		t.Fatal(err)
	}
	pod.Namespace, pod.UID, pod.CreationTimestamp = "default", "u1", metav1.Unix(0, 0)
	Default(&pod)
	return &pod
}

const goodPod = `apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  containers:
  - name: app
    image: nginx:1.27
    ports: [{containerPort: 80, name: http}]
    readinessProbe: {httpGet: {path: /, port: 80}}
`

// Create runs the pod registry's PrepareForCreate: the stored pod is
// Pending with its QoS class, and its probe has the defaults.
func TestCreatePreparesAndDefaultsAPod(t *testing.T) {
	out, warnings, err := Create(Request{GVK: podGVK, Resource: "pods", Namespace: "default"}, decodePod(t, goodPod))
	if err != nil {
		t.Fatal(err)
	}
	pod := out.(*corev1.Pod)
	if pod.Status.Phase != corev1.PodPending || pod.Status.QOSClass != corev1.PodQOSBestEffort || pod.Generation != 1 {
		t.Errorf("status %+v, generation %d", pod.Status, pod.Generation)
	}
	if p := pod.Spec.Containers[0].ReadinessProbe; p.PeriodSeconds != 10 || p.TimeoutSeconds != 1 || p.FailureThreshold != 3 {
		t.Errorf("probe not defaulted: %+v", p)
	}
	if len(warnings) != 0 || pod.Kind != "Pod" {
		t.Errorf("warnings %q, kind %q", warnings, pod.Kind)
	}
}

// A warning the strategy raises reaches the caller once.
func TestCreateReturnsTheStrategysWarnings(t *testing.T) {
	_, warnings, err := Create(Request{GVK: podGVK, Resource: "pods", Namespace: "default"}, decodePod(t, strings.Replace(goodPod, "name: web", "name: web.v1", 1)))
	if err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 1 || !strings.HasPrefix(warnings[0], "metadata.name: this is used in the Pod's hostname") {
		t.Errorf("warnings = %q", warnings)
	}
}

// BenchmarkCreatePod is the cost of the registry for one pod: conversion to
// the internal type and back, PrepareForCreate, validation, warnings.
func BenchmarkCreatePod(b *testing.B) {
	pod := decodePod(b, goodPod)
	req := Request{GVK: podGVK, Resource: "pods", Namespace: "default"}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := Create(req, pod); err != nil {
			b.Fatal(err)
		}
	}
}
