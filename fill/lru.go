package fill

// lru is a byte-bounded least-recently-used cache of small integer keys
// (items, and titles' bases after them): the baseline of an edge that
// pre-positions nothing and caches what it is asked for (pull-through).
// Keys index a flat slot table and nodes live in flat slices, all reused
// from edge to edge: no map, no allocation per request.
type lru struct {
	slot       []int32 // key -> node, -1 when absent
	nodes      []lruNode
	head, tail int32 // most and least recently used; -1 when empty
	free       []int32
	used, cap  int64
}

// lruNode is one cached key, 24 bytes: one cache line holds what an access
// touches.
type lruNode struct {
	size       int64
	key        int32
	prev, next int32
}

// newLRU returns a cache for keys 0..keys-1.
func newLRU(keys int) *lru {
	c := &lru{slot: make([]int32, keys), head: -1, tail: -1}
	for i := range c.slot {
		c.slot[i] = -1
	}
	return c
}

// reset empties the cache and sets its capacity.
func (c *lru) reset(capacity int64) {
	for n := c.head; n >= 0; n = c.nodes[n].next {
		c.slot[c.nodes[n].key] = -1
	}
	c.nodes, c.free = c.nodes[:0], c.free[:0]
	c.head, c.tail, c.used, c.cap = -1, -1, 0, capacity
}

// access looks key up; on a miss it admits it (evicting from the tail)
// unless it is larger than the whole cache. It returns whether it was a
// hit and the bytes admitted.
func (c *lru) access(key int32, size int64) (hit bool, admitted int64) {
	if n := c.slot[key]; n >= 0 {
		if n != c.head {
			c.unlink(n)
			c.pushFront(n)
		}
		return true, 0
	}
	if size > c.cap {
		return false, 0
	}
	for c.used+size > c.cap && c.tail >= 0 {
		t := c.tail
		c.unlink(t)
		c.slot[c.nodes[t].key] = -1
		c.used -= c.nodes[t].size
		c.free = append(c.free, t)
	}
	var n int32
	if k := len(c.free); k > 0 {
		n = c.free[k-1]
		c.free = c.free[:k-1]
	} else {
		n = int32(len(c.nodes))
		c.nodes = append(c.nodes, lruNode{})
	}
	c.nodes[n] = lruNode{size: size, key: key, prev: -1, next: -1}
	c.slot[key] = n
	c.used += size
	c.pushFront(n)
	return false, size
}

// pushBack adds key as the least recently used (it must be absent and
// fit): warming a cache in recency order.
func (c *lru) pushBack(key int32, size int64) {
	n := int32(len(c.nodes))
	c.nodes = append(c.nodes, lruNode{size: size, key: key, prev: c.tail, next: -1})
	if c.tail >= 0 {
		c.nodes[c.tail].next = n
	} else {
		c.head = n
	}
	c.tail = n
	c.slot[key] = n
	c.used += size
}

func (c *lru) unlink(n int32) {
	p, x := c.nodes[n].prev, c.nodes[n].next
	if p >= 0 {
		c.nodes[p].next = x
	} else {
		c.head = x
	}
	if x >= 0 {
		c.nodes[x].prev = p
	} else {
		c.tail = p
	}
}

func (c *lru) pushFront(n int32) {
	c.nodes[n].prev, c.nodes[n].next = -1, c.head
	if c.head >= 0 {
		c.nodes[c.head].prev = n
	}
	c.head = n
	if c.tail < 0 {
		c.tail = n
	}
}
