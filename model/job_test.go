package model

import (
	"fmt"
	"slices"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/podlife/podlife/model/kubectl"
	"github.com/podlife/podlife/model/kubelet"
	"github.com/podlife/podlife/model/sim"
)

func jobYAML(name string, extra string) string {
	return fmt.Sprintf(`apiVersion: batch/v1
kind: Job
metadata: {name: %s}
spec:
%s  template:
    spec:
      restartPolicy: Never
      containers:
      - {name: work, image: "batch:1"}
`, name, extra)
}

// pkg/controller/job/job_controller.go manageJob: pods are created in
// slow-start batches of 1, 2, 4 ..., each once the one before has
// answered.
func TestJobCreatesItsPodsInSlowStartBatches(t *testing.T) {
	c := New(Options{})
	c.AddNode(node("node01", "8"), nil)
	apply(t, c, "admin", jobYAML("wide", "  parallelism: 5\n  completions: 5\n"))
	c.Advance(500 * sim.Millisecond)
	var times []sim.Time
	for _, e := range named(c.Events(), "SuccessfulCreate") {
		times = append(times, sim.Time(e.Time))
	}
	if len(times) != 5 {
		t.Fatalf("%d pods created, want 5", len(times))
	}
	batches := [][]sim.Time{{times[0]}, {times[1], times[2]}, {times[3], times[4]}}
	for i, b := range batches {
		if !slices.Equal(b, slices.Repeat([]sim.Time{b[0]}, len(b))) {
			t.Errorf("batch %d answered at %v, want one instant", i, b)
		}
		if i > 0 && b[0] <= batches[i-1][0] {
			t.Errorf("batch %d at %v, not after batch %d at %v", i, b[0], i-1, batches[i-1][0])
		}
	}
}

// A deleted Job's pods go with it: the garbage collector deletes them and
// the Job controller takes its tracking finalizer off each, so none is
// left behind.
func TestADeletedJobLeavesNoPodBehind(t *testing.T) {
	c := New(Options{})
	c.AddNode(node("node01", "8"), nil)
	img := c.Images.Image("batch:1")
	img.Run.Declared = true // runs until stopped
	c.Images.Describe("batch:1", img)
	apply(t, c, "admin", jobYAML("forever", "  parallelism: 2\n"))
	c.Advance(5 * sim.Second)
	if n := len(c.Store.List("Pod", "default")); n != 2 {
		t.Fatalf("%d pods running, want 2", n)
	}
	c.Delete("Job", "default", "forever", "admin", kubectl.DeleteOptions{GracePeriod: -1})
	c.Advance(60 * sim.Second)
	if pods := c.Store.List("Pod", "default"); len(pods) != 0 {
		for _, p := range pods {
			t.Errorf("pod %s left behind: finalizers %v, phase %s", p.GetName(), p.GetFinalizers(), p.(*corev1.Pod).Status.Phase)
		}
	}
}

// A podFailurePolicy FailIndex rule fails the index at its first failure,
// whatever backoffLimitPerIndex allows; more failed indexes than
// maxFailedIndexes fail the Job (job_controller.go, indexed_job_utils.go
// isIndexFailed).
func TestAFailIndexRuleFailsTheIndexAtOnce(t *testing.T) {
	c := New(Options{})
	c.AddNode(node("node01", "8"), nil)
	img := c.Images.Image("batch:1")
	img.Run = kubelet.Run{Declared: true, Exits: true, For: 2 * sim.Second, ExitCode: 42}
	c.Images.Describe("batch:1", img)
	apply(t, c, "admin", jobYAML("indexed", `  completions: 3
  parallelism: 1
  completionMode: Indexed
  backoffLimitPerIndex: 3
  maxFailedIndexes: 1
  podFailurePolicy:
    rules:
    - action: FailIndex
      onExitCodes: {operator: In, values: [42]}
`))
	c.Advance(300 * sim.Second)
	job := c.Store.Get(sim.Key{Kind: "Job", Namespace: "default", Name: "indexed"}).(*batchv1.Job)
	if got := job.Status.FailedIndexes; got == nil || *got != "0,1" {
		t.Errorf("failedIndexes = %v, want 0,1", got)
	}
	var reasons []string
	for _, cond := range job.Status.Conditions {
		reasons = append(reasons, string(cond.Type)+"/"+cond.Reason)
	}
	if want := []string{"FailureTarget/MaxFailedIndexesExceeded", "Failed/MaxFailedIndexesExceeded"}; !slices.Equal(reasons, want) {
		t.Errorf("conditions %v, want %v", reasons, want)
	}
	if n := len(c.Store.List("Pod", "default")); n != 2 {
		t.Errorf("%d pods created, want one for each of the two indexes that failed (no retry)", n)
	}
}
