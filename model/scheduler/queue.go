package scheduler

import (
	"container/heap"

	corev1 "k8s.io/api/core/v1"

	"github.com/podlife/podlife/model/sim"
)

// queuedPod is a pod waiting for a node.
type queuedPod struct {
	pod         *corev1.Pod
	key         sim.Key
	enqueued    sim.Time
	seq         uint64
	attempts    int
	lastAttempt sim.Time
	index       int
}

func priority(p *corev1.Pod) int32 {
	if p.Spec.Priority != nil {
		return *p.Spec.Priority
	}
	return 0
}

// activeQ orders pods by priority, highest first, then by the time they
// were queued (framework/plugins/queuesort/priority_sort.go).
type activeQ []*queuedPod

func (q activeQ) Len() int { return len(q) }
func (q activeQ) Less(i, j int) bool {
	pi, pj := priority(q[i].pod), priority(q[j].pod)
	if pi != pj {
		return pi > pj
	}
	if q[i].enqueued != q[j].enqueued {
		return q[i].enqueued < q[j].enqueued
	}
	return q[i].seq < q[j].seq
}
func (q activeQ) Swap(i, j int) {
	q[i], q[j] = q[j], q[i]
	q[i].index, q[j].index = i, j
}
func (q *activeQ) Push(x any) {
	p := x.(*queuedPod)
	p.index = len(*q)
	*q = append(*q, p)
}
func (q *activeQ) Pop() any {
	old := *q
	n := len(old)
	p := old[n-1]
	old[n-1] = nil
	*q = old[:n-1]
	p.index = -1
	return p
}

func (q *activeQ) push(p *queuedPod) { heap.Push(q, p) }
func (q *activeQ) pop() *queuedPod   { return heap.Pop(q).(*queuedPod) }

// backoff is how long a pod waits after its n-th failed attempt: 1s,
// doubling, at most 10s (podInitialBackoffSeconds, podMaxBackoffSeconds).
func backoff(attempts int) sim.Duration {
	d := sim.Second
	for i := 1; i < attempts && d < 10*sim.Second; i++ {
		d *= 2
	}
	return min(d, 10*sim.Second)
}

func fixHeap(q *activeQ, i int) { heap.Fix(q, i) }
