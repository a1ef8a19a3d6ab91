package sim

import "math/rand/v2"

// Chooser settles every choice in the model: which of several tasks due at
// the same instant runs first, and which of several equally good options
// (nodes with the same score, say) wins. Options are given in a deterministic
// order; Choose returns an index into them.
type Chooser interface {
	Choose(point string, options []string) int
}

// FIFO always takes the first option: tasks run in the order they were
// scheduled and ties go to the first candidate.
type FIFO struct{}

// Choose implements Chooser.
func (FIFO) Choose(string, []string) int { return 0 }

// Seeded picks uniformly with a PRNG seeded once, so a seed names one
// reproducible run among the orders FIFO never takes.
type Seeded struct {
	seed uint64
	rng  *rand.Rand
}

// NewSeeded returns a Chooser whose draws depend only on seed.
func NewSeeded(seed uint64) *Seeded {
	return &Seeded{seed: seed, rng: rand.New(rand.NewPCG(seed, 0x706f646c696665))}
}

// Seed is the seed the chooser was made with.
func (s *Seeded) Seed() uint64 { return s.seed }

// Choose implements Chooser.
func (s *Seeded) Choose(_ string, options []string) int {
	if len(options) < 2 {
		return 0
	}
	return s.rng.IntN(len(options))
}
