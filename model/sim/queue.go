package sim

// taskQueue is a binary min-heap of tasks by (time, sequence). It keeps
// each task's keys beside its pointer, so ordering reads no task, and it
// is typed rather than container/heap's interface: the queue holds every
// timer, request and watch delivery of a run, and is its busiest structure.
type taskQueue []queued

type queued struct {
	at  Time
	seq uint64
	t   *task
}

func (a queued) before(b queued) bool {
	return a.at < b.at || (a.at == b.at && a.seq < b.seq)
}

func (q *taskQueue) push(t *task) {
	h := append(*q, queued{t.at, t.seq, t})
	i := len(h) - 1
	for i > 0 {
		parent := (i - 1) / 2
		if !h[i].before(h[parent]) {
			break
		}
		h[i], h[parent] = h[parent], h[i]
		i = parent
	}
	*q = h
}

// pop removes and returns the earliest task; the queue must not be empty.
func (q *taskQueue) pop() *task {
	h := *q
	first := h[0].t
	n := len(h) - 1
	h[0] = h[n]
	h[n] = queued{}
	h = h[:n]
	for i := 0; ; {
		least := i
		if l := 2*i + 1; l < n && h[l].before(h[least]) {
			least = l
		}
		if r := 2*i + 2; r < n && h[r].before(h[least]) {
			least = r
		}
		if least == i {
			break
		}
		h[i], h[least] = h[least], h[i]
		i = least
	}
	*q = h
	return first
}
