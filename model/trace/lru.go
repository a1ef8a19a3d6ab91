package trace

// lru orders the entries of one of the event correlator's caches by use, as
// k8s.io/utils/lru does: a lookup or a write moves an entry to the front,
// and a write past max forgets the entry used least recently. The entries
// are found through the correlator's index by object (correlate.go), so the
// list only keeps their order; forget tells the index an entry is gone.
type lru[V any] struct {
	max, len    int
	front, back *lruNode[V] // used most and least recently
	forget      func(*lruNode[V])
}

type lruNode[V any] struct {
	value        V
	newer, older *lruNode[V]
}

// add puts a new entry at the front, first forgetting the one used least
// recently when the cache is full.
func (c *lru[V]) add(value V) *lruNode[V] {
	if c.len == c.max {
		old := c.back
		c.unlink(old)
		c.forget(old)
	}
	n := &lruNode[V]{value: value}
	c.pushFront(n)
	return n
}

// touch makes n the entry used most recently.
func (c *lru[V]) touch(n *lruNode[V]) {
	if c.front != n {
		c.unlink(n)
		c.pushFront(n)
	}
}

func (c *lru[V]) pushFront(n *lruNode[V]) {
	n.older, n.newer = c.front, nil
	if c.front != nil {
		c.front.newer = n
	}
	c.front = n
	if c.back == nil {
		c.back = n
	}
	c.len++
}

func (c *lru[V]) unlink(n *lruNode[V]) {
	if n.newer != nil {
		n.newer.older = n.older
	} else {
		c.front = n.older
	}
	if n.older != nil {
		n.older.newer = n.newer
	} else {
		c.back = n.newer
	}
	n.newer, n.older = nil, nil
	c.len--
}
