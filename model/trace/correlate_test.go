package trace

import (
	"fmt"
	"strings"
	"testing"
)

// client-go's event correlation as a component's recorder applies it
// (tools/record events_cache.go EventCorrelate): repeats are counted,
// more than ten similar events about one object within ten minutes are
// combined, and after 25 events of a type about one object, one more
// passes every 5 minutes.
func TestEventsAreCorrelatedAsAComponentsRecorderDoes(t *testing.T) {
	now := int64(0)
	r := NewRecorder(func() int64 { return now })
	for i := 0; i < 3; i++ {
		r.Emit("kubelet/node01", "sync", "pod/default/web{app}", Warning, "BackOff", "Back-off restarting failed container app")
		now += 1000
	}
	if got := r.Events()[2]; got.Count != 3 || got.Message != "Back-off restarting failed container app" || got.Dropped {
		t.Fatalf("third repeat: count %d, message %q, dropped %v; want count 3, the same message", got.Count, got.Message, got.Dropped)
	}
	for i := 0; i < 10; i++ {
		r.Emit("kube-controller", "sync", "deployment/default/web", Normal, "ScalingReplicaSet", fmt.Sprintf("Scaled to %d", i))
	}
	got := r.Events()[len(r.Events())-1]
	if got.Message != "(combined from similar events): Scaled to 9" || got.Count != 1 {
		t.Errorf("tenth similar event: %q (count %d), want it combined", got.Message, got.Count)
	}
	for i := 0; i < 30; i++ {
		r.Emit("kubelet/node02", "start-container", "pod/default/api{api}", Normal, "Started", fmt.Sprintf("Container started %d", i%3))
	}
	dropped := 0
	for _, e := range r.Events() {
		if e.Dropped {
			dropped++
		}
	}
	if dropped != 5 {
		t.Errorf("%d of 30 events about one object dropped at once, want 5 (a burst of 25)", dropped)
	}
	now += 300_000
	r.Emit("kubelet/node02", "start-container", "pod/default/api{api}", Normal, "Started", "Container started 0")
	if e := r.Events()[len(r.Events())-1]; e.Dropped || e.Count != 11 {
		t.Errorf("5 minutes later: dropped %v, count %d; want recorded, the 11th of its kind (dropped ones count)", e.Dropped, e.Count)
	}
}

// kube-scheduler writes events.k8s.io Events: an isomorphic event (same
// type, reason and object, any message) continues a series, which ends 6
// minutes after it was last observed (tools/events event_broadcaster.go).
func TestTheSchedulersRepeatedEventsFormASeries(t *testing.T) {
	now := int64(0)
	r := NewRecorder(func() int64 { return now })
	r.UseEventSeries("kube-scheduler")
	emit := func(msg string) Event {
		r.Emit("kube-scheduler", "fail", "pod/default/web", Warning, "FailedScheduling", msg)
		return r.Events()[len(r.Events())-1]
	}
	emit("0/2 nodes are available: 2 Insufficient cpu.")
	now += 60_000
	if e := emit("0/3 nodes are available: 3 Insufficient cpu."); e.Count != 2 || !strings.HasPrefix(e.Message, "0/3") {
		t.Errorf("a minute later: count %d, %q; want the series' second, its own message", e.Count, e.Message)
	}
	now += 7 * 60_000
	if e := emit("0/3 nodes are available: 3 Insufficient cpu."); e.Count != 1 {
		t.Errorf("7 minutes later: count %d, want a new series (1)", e.Count)
	}
}
