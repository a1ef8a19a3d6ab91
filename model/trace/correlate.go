package trace

import (
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/tools/record"
	"k8s.io/utils/lru"
)

// The event correlator's defaults (client-go tools/record/events_cache.go,
// unexported there): each component keeps 4,096 events in mind; more than
// 10 events of one reason about one object with different messages within
// 10 minutes are combined into one; each object may have 25 events of a
// type recorded at once, then one per 5 minutes (the spam filter).
const (
	correlatorCacheSize = 4096
	spamBurst           = 25
	spamQPS             = 1. / 300.
	aggregateMaxEvents  = 10
	aggregateInterval   = 600 // seconds
)

// correlator is what a component's event recorder does with an event
// before it writes it (client-go tools/record EventCorrelator): similar
// events are combined, an identical one raises the count of the event
// already written, and the spam filter drops what comes too often. The
// aggregator and the spam filter are client-go's own; the count, which
// client-go keeps together with the patch it sends, is kept here.
type correlator struct {
	aggregator *record.EventAggregator
	spam       *record.EventSourceObjectSpamFilter
	counts     *lru.Cache
}

// virtualClock reads the recorder's virtual time as a clock.PassiveClock.
type virtualClock struct{ now func() int64 }

func (c virtualClock) Now() time.Time {
	return time.Unix(0, 0).Add(time.Duration(c.now()) * time.Millisecond)
}

func (c virtualClock) Since(t time.Time) time.Duration { return c.Now().Sub(t) }

func newCorrelator(now func() int64) *correlator {
	clock := virtualClock{now}
	return &correlator{
		aggregator: record.NewEventAggregator(correlatorCacheSize, record.EventAggregatorByReasonFunc,
			record.EventAggregatorByReasonMessageFunc, aggregateMaxEvents, aggregateInterval, clock),
		spam:   record.NewEventSourceObjectSpamFilter(correlatorCacheSize, spamBurst, spamQPS, clock, spamKey),
		counts: lru.New(correlatorCacheSize),
	}
}

// spamKey groups events for the spam filter by source, object and type, as
// client-go's default (events_cache.go getSpamKey, unexported) does.
func spamKey(e *corev1.Event) string {
	o := e.InvolvedObject
	return strings.Join([]string{e.Source.Component, e.Source.Host, o.Kind, o.Namespace, o.Name, string(o.UID), o.APIVersion, e.Type}, "")
}

// correlate sets the message, count and fate of a Kubernetes Event as its
// component's recorder would write it (EventCorrelate: aggregate, count,
// then filter; a dropped event still counts).
func (c *correlator) correlate(e *Event) {
	ev := &corev1.Event{Source: corev1.EventSource{Component: e.Component}, InvolvedObject: involvedObject(e.Object),
		Type: e.Type, Reason: e.Reason, Message: e.Message}
	written, key := c.aggregator.EventAggregate(ev)
	count := int32(1)
	if n, ok := c.counts.Get(key); ok {
		count = n.(int32) + 1
	}
	c.counts.Add(key, count)
	e.Message, e.Count = written.Message, count
	e.Dropped = c.spam.Filter(written)
}

// involvedObject reads a trace object ("pod/default/web{app}",
// "node/node01") as the reference an event names.
func involvedObject(object string) corev1.ObjectReference {
	var ref corev1.ObjectReference
	object, field, _ := strings.Cut(object, "{")
	ref.FieldPath = strings.TrimSuffix(field, "}")
	parts := strings.Split(object, "/")
	switch len(parts) {
	case 3:
		ref.Kind, ref.Namespace, ref.Name = parts[0], parts[1], parts[2]
	case 2:
		ref.Kind, ref.Name = parts[0], parts[1]
	default:
		ref.Name = object
	}
	return ref
}

// series is what a component that writes events.k8s.io/v1 Events does
// instead (client-go tools/events event_broadcaster.go recordToSink): an
// event isomorphic to one seen before (same type, reason and object,
// whatever its message) becomes a series whose count grows; a series not
// observed for 6 minutes (finishTime) is finished, and the next such event
// starts afresh. (The broadcaster looks for finished series every 6
// minutes; the model finishes one at the next event after its 6 minutes.)
type series struct {
	now  func() int64
	seen map[string]seriesRecord
}

type seriesRecord struct {
	count int32
	last  int64 // virtual ms
}

const seriesFinish = 6 * 60 * 1000 // ms

func (s *series) correlate(e *Event) {
	key := e.Type + "\x00" + e.Reason + "\x00" + e.Object
	now := s.now()
	r, ok := s.seen[key]
	if !ok || now-r.last > seriesFinish {
		r = seriesRecord{}
	}
	r.count++
	r.last = now
	s.seen[key] = r
	e.Count = r.count
}
