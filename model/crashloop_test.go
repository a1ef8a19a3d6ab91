package model

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/podlife/podlife/model/kubelet"
	"github.com/podlife/podlife/model/sim"
	"github.com/podlife/podlife/model/trace"
)

// crashingPod is a pod of one container whose application ends after run.
func crashingPod(t testing.TB, c *Cluster, name string, run kubelet.Run) {
	t.Helper()
	img := c.Images.Image("app:1")
	img.Run = run
	c.Images.Describe("app:1", img)
	apply(t, c, "admin", fmt.Sprintf("apiVersion: v1\nkind: Pod\nmetadata: {name: %s}\nspec:\n  containers:\n  - {name: app, image: app:1}\n", name))
}

func named(events []trace.Event, reason string) []trace.Event {
	var out []trace.Event
	for _, e := range events {
		if e.Reason == reason {
			out = append(out, e)
		}
	}
	return out
}

// restartGaps lists, for each exit of the pod's container but the last,
// how long after it the kubelet began the restart (its image check, the
// Pulled event), and how many BackOff events came in between.
func restartGaps(c *Cluster) (gaps []sim.Duration, backOffs []int) {
	var exitAt sim.Time
	waiting, n := false, 0
	for _, e := range c.Events() {
		switch {
		case e.Action == "exit":
			exitAt, waiting, n = sim.Time(e.Time), true, 0
		case e.Reason == "BackOff" && waiting:
			n++
		case e.Reason == "Pulled" && waiting:
			gaps, backOffs = append(gaps, sim.Time(e.Time).Sub(exitAt)), append(backOffs, n)
			waiting = false
		}
	}
	return gaps, backOffs
}

// relisted rounds a gap up to the PLEG relist that notices the exit: the
// first restart waits only for it.
func relisted(gaps []sim.Duration) []sim.Duration {
	out := slices.Clone(gaps)
	for i, g := range out {
		if g%sim.Second != 0 {
			out[i] = (g/sim.Second + 1) * sim.Second
		}
	}
	return out
}

// The crash-loop back-off starts afresh when a container ran for more than
// 10 minutes since the back-off last grew (pkg/kubelet/kubelet.go gives the
// Backoff a HasExpiredFunc of 600 s): runs of 11 minutes restart at once
// every time; runs of 9 minutes wait 10 s, then 20 s.
func TestACrashLoopBackOffStartsAfreshAfterTenMinutesOfRunning(t *testing.T) {
	for _, tc := range []struct {
		run      sim.Duration
		gaps     []sim.Duration
		backOffs []int
	}{
		{11 * 60 * sim.Second, []sim.Duration{sim.Second, sim.Second, sim.Second}, []int{0, 0, 0}},
		{9 * 60 * sim.Second, []sim.Duration{sim.Second, 10 * sim.Second, 20 * sim.Second}, []int{0, 1, 1}},
	} {
		c := New(Options{})
		c.AddNode(node("node01", "2"), nil)
		crashingPod(t, c, "long", kubelet.Run{Exits: true, For: tc.run, ExitCode: 1})
		c.Advance(35 * 60 * sim.Second)
		gaps, backOffs := restartGaps(c)
		if got := relisted(gaps); !slices.Equal(got, tc.gaps) || !slices.Equal(backOffs, tc.backOffs) {
			t.Errorf("runs of %v: restarts %v after each exit with %v BackOff events, want %v with %v", tc.run, got, backOffs, tc.gaps, tc.backOffs)
		}
	}
}

// The back-off doubles from 10 s to 300 s (MaxContainerBackOff) and no
// further. While it waits, the pod worker syncs again when the back-off
// ends or after its one-minute resync interval, whichever is sooner, and
// each such sync repeats the BackOff event (pod_workers.go completeWork).
func TestACrashLoopBackOffDoublesToFiveMinutes(t *testing.T) {
	c := New(Options{})
	c.AddNode(node("node01", "2"), nil)
	crashingPod(t, c, "crash", kubelet.Run{Exits: true, For: sim.Second, ExitCode: 2})
	c.Advance(30 * 60 * sim.Second)
	gaps, backOffs := restartGaps(c)
	s := sim.Second
	want := []sim.Duration{s, 10 * s, 20 * s, 40 * s, 80 * s, 160 * s, 300 * s, 300 * s}
	wantBackOffs := []int{0, 1, 1, 1, 2, 3, 5, 5}
	if len(gaps) < len(want) {
		t.Fatalf("%d restarts in 30 minutes, want at least %d", len(gaps), len(want))
	}
	if got := relisted(gaps); !slices.Equal(got[:len(want)], want) || !slices.Equal(backOffs[:len(want)], wantBackOffs) {
		t.Errorf("restarts %v after each exit with %v BackOff events, want %v with %v", got, backOffs, want, wantBackOffs)
	}
	cs := c.Pod("default", "crash").Status.ContainerStatuses[0]
	if w := cs.State.Waiting; w == nil || !strings.HasPrefix(w.Message, "back-off 5m0s restarting failed container=app pod=crash_default(") {
		t.Errorf("state %+v, want waiting with the 5m0s back-off", cs.State)
	}
}

// pkg/kubelet/images/image_manager.go passes the runtime's error through;
// these are containerd v2's words for each refusal, with the reference
// normalized as containerd resolves it.
func TestPullErrorsAreWordedAsContainerdWordsThem(t *testing.T) {
	for _, tc := range []struct {
		image string
		why   kubelet.Refusal
		want  string
	}{
		{"nginx", kubelet.NotFound, `rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/nginx:latest": failed to resolve reference "docker.io/library/nginx:latest": docker.io/library/nginx:latest: not found`},
		{"acme/web:1.0", kubelet.Unauthorized, `rpc error: code = Unknown desc = failed to pull and unpack image "docker.io/acme/web:1.0": failed to resolve reference "docker.io/acme/web:1.0": pulling from host registry-1.docker.io failed with status code [manifests 1.0]: 401 Unauthorized`},
		{"quay.io/org/db:7", kubelet.Unreachable, `rpc error: code = Unknown desc = failed to pull and unpack image "quay.io/org/db:7": failed to resolve reference "quay.io/org/db:7": failed to do request: Head "https://quay.io/v2/org/db/manifests/7": dial tcp: lookup quay.io: i/o timeout`},
	} {
		c := New(Options{})
		c.AddNode(node("node01", "2"), nil)
		img := c.Images.Image(tc.image)
		img.Refusal = tc.why
		c.Images.Describe(tc.image, img)
		apply(t, c, "admin", fmt.Sprintf("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - {name: app, image: %q}\n", tc.image))
		if err := c.Settle(); err != nil {
			t.Fatal(err)
		}
		want := fmt.Sprintf("Failed: Failed to pull image %q: %s", tc.image, tc.want)
		if got := warnings(c.Events()); len(got) == 0 || got[0] != want {
			t.Errorf("%s, %s:\n got %q\nwant %q", tc.image, tc.why, got, want)
		}
	}
}

// BenchmarkCrashLoopHour: 1,000 pods of ten Deployments on 10 nodes whose
// application exits 5 s after each start, for one virtual hour: restarts,
// back-offs, relists, status writes and the controllers that follow them.
// Creating and starting the pods is not timed. The target is CPU
// time, so cpu-ns/op reports the process's CPU time over the hour, every
// core's (the garbage collector runs beside the model).
func BenchmarkCrashLoopHour(b *testing.B) {
	b.ReportAllocs()
	var cpu time.Duration
	measured := true
	for n := 0; n < b.N; n++ {
		b.StopTimer()
		c := New(Options{})
		for i := 0; i < 10; i++ {
			c.AddNode(node(fmt.Sprintf("node-%02d", i), "64"), nil)
		}
		img := c.Images.Image("app:1")
		img.Run = kubelet.Run{Exits: true, For: 5 * sim.Second, ExitCode: 1}
		c.Images.Describe("app:1", img)
		for d := 0; d < 10; d++ {
			apply(b, c, "admin", fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata: {name: crash-%[1]d}
spec:
  replicas: 100
  selector: {matchLabels: {app: crash-%[1]d}}
  template:
    metadata: {labels: {app: crash-%[1]d}}
    spec:
      containers:
      - {name: app, image: "app:1", resources: {requests: {cpu: 10m}}}
`, d))
		}
		if err := c.Settle(); err != nil { // created, started, and in their first back-off
			b.Fatal(err)
		}
		b.StartTimer()
		before, ok1 := processCPU()
		c.Advance(60 * 60 * sim.Second)
		after, ok2 := processCPU()
		b.StopTimer()
		cpu += after - before
		measured = measured && ok1 && ok2
		if got := len(named(c.Events(), "BackOff")); got < 1000*10 {
			b.Fatalf("%d BackOff events in the hour, want at least 10 per pod", got)
		}
	}
	if measured {
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}
