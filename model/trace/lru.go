package trace

// lru is a least-recently-used cache of at most max entries, as the event
// correlator's caches are (k8s.io/utils/lru): a lookup or a write moves
// its entry to the front, and a write past max forgets the entry used
// least recently. Typed, unlocked and without boxing, as the model's one
// thread needs it.
type lru[K comparable, V any] struct {
	max     int
	entries map[K]*lruEntry[K, V]
	// front is the entry used most recently; back, least.
	front, back *lruEntry[K, V]
}

type lruEntry[K comparable, V any] struct {
	key          K
	value        V
	newer, older *lruEntry[K, V]
}

func newLRU[K comparable, V any](max int) *lru[K, V] {
	return &lru[K, V]{max: max, entries: map[K]*lruEntry[K, V]{}}
}

// use returns key's value, first adding the zero value (and forgetting the
// least recently used entry past max) when key is absent, and makes key the
// most recently used. found says whether it was there. Upstream's Get then
// Add on one key come to the same.
func (c *lru[K, V]) use(key K) (value *V, found bool) {
	if e, ok := c.entries[key]; ok {
		c.toFront(e)
		return &e.value, true
	}
	var e *lruEntry[K, V]
	if len(c.entries) == c.max {
		// Reuse the entry the cache forgets for the one it adds.
		e = c.back
		c.unlink(e)
		delete(c.entries, e.key)
		*e = lruEntry[K, V]{}
	} else {
		e = &lruEntry[K, V]{}
	}
	e.key = key
	c.entries[key] = e
	c.pushFront(e)
	return &e.value, false
}

func (c *lru[K, V]) toFront(e *lruEntry[K, V]) {
	if c.front == e {
		return
	}
	c.unlink(e)
	c.pushFront(e)
}

func (c *lru[K, V]) pushFront(e *lruEntry[K, V]) {
	e.older, e.newer = c.front, nil
	if c.front != nil {
		c.front.newer = e
	}
	c.front = e
	if c.back == nil {
		c.back = e
	}
}

func (c *lru[K, V]) unlink(e *lruEntry[K, V]) {
	if e.newer != nil {
		e.newer.older = e.older
	} else {
		c.front = e.older
	}
	if e.older != nil {
		e.older.newer = e.newer
	} else {
		c.back = e.newer
	}
	e.newer, e.older = nil, nil
}
