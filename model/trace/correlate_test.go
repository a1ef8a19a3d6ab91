package trace

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/tools/record"
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

// The model's correlator gives what client-go's EventCorrelator gives
// (tools/record events_cache.go), event by event, on a random stream:
// repeats, similar events combined past ten, the spam filter's bursts and
// refills, records forgotten after ten minutes, and, with a small cache,
// entries forgotten as the LRU caches forget them. A reason whose messages
// are always new has its events combined; one with nine messages never
// does. (Upstream forgets an arbitrary message of a full record, the model
// the first seen; the stream never repeats a message a full record has, so
// the two agree whichever it is.)
func TestCorrelatorIsClientGos(t *testing.T) {
	objects := []string{"pod/default/web{spec.containers{app}}", "pod/default/web{spec.containers{sidecar}}",
		"pod/default/api", "node/node01", "deployment/default/web", "pod/kube-system/dns"}
	for _, size := range []int{correlatorCacheSize, 5, 2, 1} {
		now := int64(0)
		clock := func() int64 { return now }
		ours := newCorrelator(clock, size)
		theirs := record.NewEventCorrelatorWithOptions(record.CorrelatorOptions{LRUCacheSize: size, Clock: virtualClock{clock}})
		rng := rand.New(rand.NewPCG(7, uint64(size)))
		fresh := 0
		for i := range 20000 {
			switch rng.IntN(50) {
			case 0:
				now += 700_000 // past the aggregator's ten minutes
			case 1:
				now += 600_000 // ten minutes: not past them
			case 2:
				now += 600_001
			case 3, 4:
				now += 60_000
			default:
				now += rng.Int64N(3_000)
			}
			e := Event{Component: "kubelet/node01", Object: objects[rng.IntN(len(objects))], Type: Normal}
			switch rng.IntN(3) {
			case 0:
				e.Type, e.Reason, e.Message = Warning, "BackOff", fmt.Sprintf("Back-off %ds restarting failed container", 10<<rng.IntN(9))
			case 1:
				e.Reason, e.Message = "ScalingReplicaSet", fmt.Sprintf("Scaled up replica set web-%d", fresh)
				fresh++
			default:
				e.Reason, e.Message = "Started", "Started container app"
			}
			object, fieldPath := involvedObject(e.Object)
			ref := corev1.ObjectReference{FieldPath: fieldPath}
			if parts := strings.Split(object, "/"); len(parts) == 3 {
				ref.Kind, ref.Namespace, ref.Name = parts[0], parts[1], parts[2]
			} else {
				ref.Kind, ref.Name = parts[0], parts[1]
			}
			in := &corev1.Event{Source: corev1.EventSource{Component: e.Component}, Type: e.Type, Reason: e.Reason, Message: e.Message, Count: 1, InvolvedObject: ref}
			want, err := theirs.EventCorrelate(in)
			if err != nil {
				t.Fatal(err)
			}
			ours.correlate(&e)
			switch {
			case want.Skip != e.Dropped:
				t.Fatalf("cache %d, event %d (%s %s %s): dropped %v, client-go %v", size, i, e.Object, e.Reason, e.Message, e.Dropped, want.Skip)
			case !want.Skip && (want.Event.Message != e.Message || want.Event.Count != e.Count):
				t.Fatalf("cache %d, event %d (%s %s): %q x%d, client-go %q x%d", size, i, e.Object, e.Reason, e.Message, e.Count, want.Event.Message, want.Event.Count)
			}
		}
		// What the caches forgot is let go: no object is kept for nothing.
		for object, o := range ours.objects {
			if len(o.aggregates)+len(o.counts)+len(o.spam) == 0 && o != ours.current {
				t.Errorf("cache %d: %s is kept with no entry", size, object)
			}
		}
	}
}

// A record of ten similar events forgets one message to stay under ten:
// client-go an arbitrary one (sets.PopAny), the model the first it saw,
// so that a run is the same every time. That message is then new again.
func TestAFullAggregateForgetsTheMessageSeenFirst(t *testing.T) {
	c := newCorrelator(func() int64 { return 0 }, correlatorCacheSize)
	emit := func(msg string) string {
		e := Event{Component: "kube-controller", Object: "deployment/default/web", Type: Normal, Reason: "ScalingReplicaSet", Message: msg}
		c.correlate(&e)
		return e.Message
	}
	for i := range 10 {
		emit(fmt.Sprintf("Scaled to %d", i))
	}
	if got := emit("Scaled to 0"); got != combinedPrefix+"Scaled to 0" {
		t.Errorf("the first message again, after it was forgotten: %q, want it combined (new again)", got)
	}
	if got := emit("Scaled to 9"); got != "Scaled to 9" {
		t.Errorf("a message still remembered: %q, want it as it is", got)
	}
}

// The aggregator forgets similar events ten minutes after the last of
// them (events_cache.go: an interval greater than maxIntervalInSeconds),
// not at ten minutes.
func TestSimilarEventsAreRememberedForTenMinutes(t *testing.T) {
	for _, gap := range []int64{600_000, 600_001} {
		now := int64(0)
		c := newCorrelator(func() int64 { return now }, correlatorCacheSize)
		e := Event{}
		for i := range 10 {
			if i == 9 {
				now += gap
			}
			e = Event{Component: "kube-controller", Object: "deployment/default/web", Type: Normal, Reason: "ScalingReplicaSet", Message: fmt.Sprintf("Scaled to %d", i)}
			c.correlate(&e)
		}
		if combined := strings.HasPrefix(e.Message, combinedPrefix); combined != (gap == 600_000) {
			t.Errorf("tenth similar event %d ms after the ninth: %q", gap, e.Message)
		}
	}
}

// One kubelet's recorder through a crash loop: 100 pods, each with its
// Pulled, Created, Started and BackOff events, over and over.
func BenchmarkCorrelate(b *testing.B) {
	now := int64(0)
	c := newCorrelator(func() int64 { return now }, correlatorCacheSize)
	var events []Event
	for i := range 100 {
		ref := fmt.Sprintf("pod/default/web-%d{app}", i)
		desc := fmt.Sprintf("web-%d_default(00000000-0000-4000-8000-%012d)", i, i)
		events = append(events,
			Event{Component: "kubelet/node01", Object: ref, Type: Normal, Reason: "Pulled", Message: `Container image "registry.example/app:1" already present on machine and can be accessed by the pod`},
			Event{Component: "kubelet/node01", Object: ref, Type: Normal, Reason: "Created", Message: "Container created"},
			Event{Component: "kubelet/node01", Object: ref, Type: Normal, Reason: "Started", Message: "Container started"},
			Event{Component: "kubelet/node01", Object: ref, Type: Warning, Reason: "BackOff", Message: "Back-off restarting failed container app in pod " + desc})
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		e := events[i%len(events)]
		now += 100
		c.correlate(&e)
	}
}
