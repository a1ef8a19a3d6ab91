package sim

import "sort"

// State fingerprints for the explorer. Two runs that took different orders
// of same-instant tasks often end in the same state: a kubelet's sync and a
// controller's watch touch nothing in common, so whichever runs first, the
// cluster ends up the same. The explorer need only go on from such a state
// once.
//
// Hashing the model's memory would not do: much of it is closures on the
// queue. Instead the engine names every task by its cause (the task or the
// scenario step that scheduled it, and how many it had scheduled before)
// and records what each task touched: its component's memory (named where
// the task is scheduled, AfterIn, or else found from its label) and what it
// read and wrote in the store. Two tasks depend on each
// other when they touch one thing and at least one writes it. A run's
// fingerprint is then the set of (task, level) pairs, where a task's level
// is one more than the highest level of an earlier task it depends on: the
// Foata normal form of the run's trace in Mazurkiewicz's sense. Runs that
// differ only by swapping independent tasks have the same form, and so the
// same store, components and queue; runs that ordered two dependent tasks
// differently do not. An unknown label depends on everything, so a task
// the grouping misses costs pruning, never soundness.

// Fingerprint identifies the state a run has reached (128 bits, so that two
// different states share one only by a 2^-64 accident).
type Fingerprint [2]uint64

// A Pruner is a Chooser that is shown the state after each task (and where
// the scenario's own code left it, at a choice) and may end the run there,
// when it has explored from that state before.
type Pruner interface {
	Chooser
	Visit(state Fingerprint) (stop bool)
}

// resource is one thing a task can touch: a named piece of memory (a
// component's, the trace, the store's revision), one stored object, or the
// listing of one kind. A struct, so that recording a touch allocates
// nothing.
type resource struct {
	class resourceClass
	key   Key // Name alone for named resources, Kind alone for listings
}

type resourceClass uint8

const (
	named resourceClass = iota
	component
	object
	listing
)

// levels are what the fingerprint needs of one resource: the level of its
// last writer and the highest level that read it.
type levels struct{ write, read int }

// Groups names the component whose memory a task's code touches, from its
// label; "" means unknown, and such a task is ordered against every other.
type Groups func(label string) string

type tracker struct {
	groupOf Groups
	running bool
	// The running task: its name mixed with the choices it made, and how
	// many tasks it has scheduled.
	self     uint64
	children uint64
	reads    []int32 // numbers of the resources the task touched
	writes   []int32
	// The scenario's own code, between tasks (a step applying a manifest,
	// seeding the store): each stretch of it is one barrier every later
	// task depends on.
	episode   uint64
	inEpisode bool
	outside   uint64

	floor, top int // the current barrier's level, the highest level so far
	// Every resource touched so far is numbered once, so that a task's
	// reads and writes hash their keys (several strings) once rather
	// than at each of the four lookups below: about a tenth of an
	// explored run went to those map lookups.
	number  map[resource]int32
	levels  []levels // by number
	sum     Fingerprint
	unknown map[string]bool // labels Groups did not know
}

// Track turns fingerprinting on: from now on every task is named by its
// cause and its reads and writes are recorded. groups names each label's
// component.
func (e *Engine) Track(groups Groups) {
	e.track = &tracker{groupOf: groups, number: map[resource]int32{}, unknown: map[string]bool{}}
}

// Unnamed lists, sorted, the labels of tasks that ran with no component
// known: each was ordered against every other task, which is sound but
// explores orders that cannot differ.
func (e *Engine) Unnamed() []string {
	if e.track == nil {
		return nil
	}
	var out []string
	for label := range e.track.unknown {
		out = append(out, label)
	}
	sort.Strings(out)
	return out
}

// Touch records that the running code reads (or writes) the memory called
// name (the trace, say). Writes by the scenario's own code, outside any
// task, start a barrier.
func (e *Engine) Touch(name string, write bool) {
	e.touch(resource{class: named, key: Key{Name: name}}, write)
}

// TouchComponent records that the running code reads (or writes) the
// memory of another component than its own: traffic asking a kubelet
// whether its application answers.
func (e *Engine) TouchComponent(name string, write bool) {
	e.touch(resource{class: component, key: Key{Name: name}}, write)
}

func (e *Engine) touch(r resource, write bool) {
	t := e.track
	if t == nil {
		return
	}
	switch {
	case !t.running:
		if write {
			t.barrier()
		}
	case write:
		t.writes = append(t.writes, t.numberOf(r))
	default:
		t.reads = append(t.reads, t.numberOf(r))
	}
}

// numberOf numbers a resource the first time it is touched.
func (t *tracker) numberOf(r resource) int32 {
	n, ok := t.number[r]
	if !ok {
		n = int32(len(t.levels))
		t.number[r] = n
		t.levels = append(t.levels, levels{})
	}
	return n
}

// Choose settles a choice made inside a task (which of two equally good
// nodes, say) and folds it into the task's name, since what the task does
// next depends on it.
func (e *Engine) Choose(point string, options []string) int {
	k := e.chooser.Choose(point, options)
	if t := e.track; t != nil && t.running {
		t.self = mix(mix(t.self, hashString(point)), uint64(k))
	}
	return k
}

// State is the fingerprint of the run so far (zero when not tracking).
func (e *Engine) State() Fingerprint {
	if e.track == nil {
		return Fingerprint{}
	}
	s := e.track.sum
	return Fingerprint{s[0] + mix(uint64(e.now), 1), s[1] + mix(uint64(e.now), 2)}
}

// name is the name of a task being scheduled now: its parent's name and
// its place among the parent's children.
func (t *tracker) name(label string) uint64 {
	parent := t.self
	if !t.running {
		t.barrier()
		parent = t.outside
	}
	t.children++
	return mix(mix(parent, t.children), hashString(label))
}

func (t *tracker) barrier() {
	if t.inEpisode {
		return
	}
	t.inEpisode = true
	t.episode++
	t.top++
	t.floor = t.top
	t.outside = mix(hashString("scenario step"), t.episode)
	t.children = 0
	t.sum[0] += mix(t.outside, uint64(t.floor))
	t.sum[1] += mix(t.outside, uint64(t.floor)+1<<32)
}

func (t *tracker) begin(id uint64) {
	t.running, t.inEpisode = true, false
	t.self, t.children = id, 0
	t.reads, t.writes = t.reads[:0], t.writes[:0]
}

// end gives the finished task its level and adds it to the fingerprint.
func (t *tracker) end(label, owner string) {
	t.running = false
	level := t.floor
	group := owner
	if group == "" {
		group = t.groupOf(label)
	}
	if group == "" {
		t.unknown[label] = true
		level = t.top // ordered against everything before it ...
	} else {
		t.writes = append(t.writes, t.numberOf(resource{class: component, key: Key{Name: group}}))
	}
	for _, r := range t.reads {
		level = max(level, t.levels[r].write)
	}
	for _, r := range t.writes {
		level = max(level, t.levels[r].write, t.levels[r].read)
	}
	level++
	t.top = max(t.top, level)
	if group == "" {
		t.floor = level // ... and everything after it against it
	}
	for _, r := range t.reads {
		t.levels[r].read = max(t.levels[r].read, level)
	}
	for _, r := range t.writes {
		t.levels[r].write = level
	}
	t.sum[0] += mix(t.self, uint64(level))
	t.sum[1] += mix(t.self^0x9e3779b97f4a7c15, uint64(level)+1<<32)
}

// mix combines two words (splitmix64's finaliser over their sum).
func mix(a, b uint64) uint64 {
	z := a*0xbf58476d1ce4e5b9 + b + 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// hashString is FNV-1a, written out because hash/fnv would allocate on
// every task scheduled.
func hashString(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}
