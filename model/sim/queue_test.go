package sim

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"
)

// Tasks leave the queue by time, and those due at one instant in the
// order they were scheduled, however pushes and pops interleave.
func TestTheQueueGivesTasksByTimeThenSequence(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var q taskQueue
	var pending []*task
	var seq uint64
	for round := 0; round < 20000; round++ {
		if len(q) == 0 || r.IntN(3) > 0 {
			seq++
			tk := &task{at: Time(r.IntN(50)), seq: seq}
			q.push(tk)
			pending = append(pending, tk)
			continue
		}
		want := slices.MinFunc(pending, func(a, b *task) int {
			return cmp.Or(cmp.Compare(a.at, b.at), cmp.Compare(a.seq, b.seq))
		})
		if got := q.pop(); got != want {
			t.Fatalf("round %d: popped (%d, %d), want (%d, %d)", round, got.at, got.seq, want.at, want.seq)
		}
		pending = slices.DeleteFunc(pending, func(x *task) bool { return x == want })
	}
	if len(q) != len(pending) {
		t.Fatalf("%d queued, want %d", len(q), len(pending))
	}
}
