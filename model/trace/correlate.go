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
type correlator struct {
	now        func() int64
	aggregates *lru[aggregateKey, aggregateRecord]
	counts     *lru[eventKey, int32]
	spam       *lru[spamKey, flowcontrol.PassiveRateLimiter]
}

// The caches' keys hold the fields client-go joins into its keys
// (EventAggregatorByReasonFunc, getEventKey, getSpamKey) less those the
// same for every event of one component (its source) or never set by the
// model (uid, apiVersion, the reporting controller and instance).
type (
	objectRef struct{ kind, namespace, name string }

	aggregateKey struct {
		object      objectRef
		typ, reason string
	}

	// eventKey counts an event's repeats. A combined event is counted
	// under its aggregateKey, which is the eventKey with no field path
	// and no message: upstream's joined strings are equal then too.
	eventKey struct {
		aggregateKey
		fieldPath, message string
	}

	spamKey struct {
		object objectRef
		typ    string
	}
)

// aggregateRecord is the aggregator's memory of similar events: their
// distinct messages, in the order first seen, and when the last came.
type aggregateRecord struct {
	messages []string
	last     int64 // virtual ms
}

func newCorrelator(now func() int64, cacheSize int) *correlator {
	return &correlator{
		now:        now,
		aggregates: newLRU[aggregateKey, aggregateRecord](cacheSize),
		counts:     newLRU[eventKey, int32](cacheSize),
		spam:       newLRU[spamKey, flowcontrol.PassiveRateLimiter](cacheSize),
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
	similar := aggregateKey{object: object, typ: e.Type, reason: e.Reason}
	record, found := c.aggregates.use(similar)
	if !found || now-record.last > aggregateInterval*1000 {
		record.messages = record.messages[:0]
	}
	if !slices.Contains(record.messages, e.Message) {
		record.messages = append(record.messages, e.Message)
	}
	record.last = now
	key := eventKey{aggregateKey: similar, fieldPath: fieldPath, message: e.Message}
	if len(record.messages) >= aggregateMaxEvents {
		record.messages = slices.Delete(record.messages, 0, 1)
		key = eventKey{aggregateKey: similar}
		e.Message = combinedPrefix + e.Message
	}
	count, _ := c.counts.use(key)
	*count++
	e.Count = *count
	limiter, _ := c.spam.use(spamKey{object: object, typ: e.Type})
	if *limiter == nil {
		*limiter = flowcontrol.NewTokenBucketPassiveRateLimiterWithClock(spamQPS, spamBurst, virtualClock{c.now})
	}
	e.Dropped = !(*limiter).TryAccept()
}

// involvedObject reads a trace object ("pod/default/web{app}",
// "node/node01") as the reference an event names and its field path.
func involvedObject(object string) (ref objectRef, fieldPath string) {
	object, field, _ := strings.Cut(object, "{")
	fieldPath = strings.TrimSuffix(field, "}")
	first, rest, two := strings.Cut(object, "/")
	if !two {
		return objectRef{name: object}, fieldPath
	}
	second, third, three := strings.Cut(rest, "/")
	switch {
	case !three:
		return objectRef{kind: first, name: second}, fieldPath
	case !strings.Contains(third, "/"):
		return objectRef{kind: first, namespace: second, name: third}, fieldPath
	}
	return objectRef{name: object}, fieldPath
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
