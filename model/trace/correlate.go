package trace

import (
	"slices"
	"strings"
	"time"

	"k8s.io/client-go/util/flowcontrol"
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
// before it writes it (client-go tools/record events_cache.go
// EventCorrelate): similar events are combined (EventAggregator), an
// identical one raises the count of the event already written
// (eventLogger), and the spam filter drops what comes too often
// (EventSourceObjectSpamFilter, whose token buckets are client-go's own).
//
// It is written here rather than called because client-go's costs a
// quarter of a long crash loop's time (its caches are keyed by strings
// joined for each event, boxed and locked), and because its aggregator
// forgets an arbitrary one of its messages (sets.PopAny, map order) where
// the model must be deterministic: this one forgets the message seen
// first. TestCorrelatorIsClientGos holds the two to the same results.
//
// Its three caches are client-go's three LRU caches, each of its own size
// and order. Their entries are found through one index by involved object,
// since every key client-go joins starts with the object: an event costs
// one map lookup, then a look along the object's few entries.
type correlator struct {
	now        func() int64
	objects    map[string]*objectMemory
	aggregates lru[aggregateRecord]
	counts     lru[countRecord]
	spam       lru[spamRecord]
	// current is the object of the event being correlated: the caches
	// may forget its entries to make room for its new ones.
	current *objectMemory
}

// objectMemory is what the caches hold about one involved object (its
// kind, namespace and name; the trace object without the field path).
// The keys client-go joins hold more fields, but those are the same for
// every event of one component (its source) or never set by the model
// (uid, apiVersion, the reporting controller and instance).
type objectMemory struct {
	object     string
	aggregates []*lruNode[aggregateRecord]
	counts     []*lruNode[countRecord]
	spam       []*lruNode[spamRecord]
}

// aggregateRecord is the aggregator's memory of similar events (same type
// and reason): their distinct messages, in the order first seen, and when
// the last came.
type aggregateRecord struct {
	of          *objectMemory
	typ, reason string
	messages    []string
	last        int64 // virtual ms
}

// countRecord counts an event's repeats. A combined event is counted with
// no field path and no message, which is what client-go's key for it (the
// aggregate key) reads as; its joined strings are equal then too.
type countRecord struct {
	of                              *objectMemory
	fieldPath, typ, reason, message string
	count                           int32
}

// spamRecord is the spam filter's token bucket for events of one type.
type spamRecord struct {
	of      *objectMemory
	typ     string
	limiter flowcontrol.PassiveRateLimiter
}

func newCorrelator(now func() int64, cacheSize int) *correlator {
	c := &correlator{now: now, objects: map[string]*objectMemory{}}
	c.aggregates = lru[aggregateRecord]{max: cacheSize, forget: func(n *lruNode[aggregateRecord]) {
		o := n.value.of
		o.aggregates = slices.DeleteFunc(o.aggregates, func(m *lruNode[aggregateRecord]) bool { return m == n })
		c.letGo(o)
	}}
	c.counts = lru[countRecord]{max: cacheSize, forget: func(n *lruNode[countRecord]) {
		o := n.value.of
		o.counts = slices.DeleteFunc(o.counts, func(m *lruNode[countRecord]) bool { return m == n })
		c.letGo(o)
	}}
	c.spam = lru[spamRecord]{max: cacheSize, forget: func(n *lruNode[spamRecord]) {
		o := n.value.of
		o.spam = slices.DeleteFunc(o.spam, func(m *lruNode[spamRecord]) bool { return m == n })
		c.letGo(o)
	}}
	return c
}

// letGo drops an object the caches no longer hold anything of.
func (c *correlator) letGo(o *objectMemory) {
	if o != c.current && len(o.aggregates)+len(o.counts)+len(o.spam) == 0 {
		delete(c.objects, o.object)
	}
}

// virtualClock reads the recorder's virtual time as a clock.PassiveClock.
type virtualClock struct{ now func() int64 }

func (c virtualClock) Now() time.Time {
	return time.Unix(0, 0).Add(time.Duration(c.now()) * time.Millisecond)
}

func (c virtualClock) Since(t time.Time) time.Duration { return c.Now().Sub(t) }

// combinedPrefix is EventAggregatorByReasonMessageFunc's.
const combinedPrefix = "(combined from similar events): "

// correlate sets the message, count and fate of a Kubernetes Event as its
// component's recorder would write it (EventCorrelate: aggregate, count,
// then filter; a dropped event still counts).
func (c *correlator) correlate(e *Event) {
	now := c.now()
	object, fieldPath := involvedObject(e.Object)
	o := c.objects[object]
	if o == nil {
		o = &objectMemory{object: object}
		c.objects[object] = o
	}
	c.current = o

	similar := c.aggregate(o, e.Type, e.Reason)
	record := &similar.value
	if now-record.last > aggregateInterval*1000 {
		record.messages = record.messages[:0]
	}
	if !slices.Contains(record.messages, e.Message) {
		record.messages = append(record.messages, e.Message)
	}
	record.last = now
	message := e.Message
	if len(record.messages) >= aggregateMaxEvents {
		record.messages = slices.Delete(record.messages, 0, 1)
		fieldPath, message = "", ""
		e.Message = combinedPrefix + e.Message
	}

	count := c.count(o, fieldPath, e.Type, e.Reason, message)
	count.value.count++
	e.Count = count.value.count

	spam := c.spamFilter(o, e.Type)
	if spam.value.limiter == nil {
		spam.value.limiter = flowcontrol.NewTokenBucketPassiveRateLimiterWithClock(spamQPS, spamBurst, virtualClock{c.now})
	}
	e.Dropped = !spam.value.limiter.TryAccept()
}

// aggregate finds the aggregator's record of o's events of a type and
// reason, or starts one (last unset: older than any interval).
func (c *correlator) aggregate(o *objectMemory, typ, reason string) *lruNode[aggregateRecord] {
	for _, n := range o.aggregates {
		if n.value.typ == typ && n.value.reason == reason {
			c.aggregates.touch(n)
			return n
		}
	}
	n := c.aggregates.add(aggregateRecord{of: o, typ: typ, reason: reason, last: -1 << 62})
	o.aggregates = append(o.aggregates, n)
	return n
}

func (c *correlator) count(o *objectMemory, fieldPath, typ, reason, message string) *lruNode[countRecord] {
	for _, n := range o.counts {
		if v := &n.value; v.message == message && v.reason == reason && v.typ == typ && v.fieldPath == fieldPath {
			c.counts.touch(n)
			return n
		}
	}
	n := c.counts.add(countRecord{of: o, fieldPath: fieldPath, typ: typ, reason: reason, message: message})
	o.counts = append(o.counts, n)
	return n
}

func (c *correlator) spamFilter(o *objectMemory, typ string) *lruNode[spamRecord] {
	for _, n := range o.spam {
		if n.value.typ == typ {
			c.spam.touch(n)
			return n
		}
	}
	n := c.spam.add(spamRecord{of: o, typ: typ})
	o.spam = append(o.spam, n)
	return n
}

// involvedObject splits a trace object ("pod/default/web{app}",
// "node/node01") into the object an event involves and its field path.
func involvedObject(object string) (ref, fieldPath string) {
	ref, field, _ := strings.Cut(object, "{")
	return ref, strings.TrimSuffix(field, "}")
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
