package pipeline

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// MaxShards bounds Shard.Total: rendezvous hashing costs one hash per shard
// per title, and no engine runs more array jobs than this.
const MaxShards = 10000

// Shard is one worker's part of a batch: the Index-th of Total (1-based,
// as `--shard 3/8` reads). The zero value means the whole batch (1/1).
type Shard struct {
	Index int `json:"index"` // 1..Total
	Total int `json:"total"`
}

// ErrBadShard is wrapped by ParseShard and Shard.Check errors.
var ErrBadShard = errors.New("bad shard")

// ParseShard reads "K/N" (1 <= K <= N <= MaxShards).
func ParseShard(s string) (Shard, error) {
	k, n, ok := strings.Cut(strings.TrimSpace(s), "/")
	if !ok {
		return Shard{}, fmt.Errorf("%w %q: want K/N, e.g. 3/8 (the third of eight)", ErrBadShard, s)
	}
	ki, err1 := strconv.Atoi(strings.TrimSpace(k))
	ni, err2 := strconv.Atoi(strings.TrimSpace(n))
	if err1 != nil || err2 != nil {
		return Shard{}, fmt.Errorf("%w %q: want K/N with whole numbers, e.g. 3/8", ErrBadShard, s)
	}
	sh := Shard{Index: ki, Total: ni}
	return sh, sh.Check()
}

// Check rejects an index outside 1..Total and totals over MaxShards.
func (s Shard) Check() error {
	if s == (Shard{}) {
		return nil
	}
	switch {
	case s.Total < 1 || s.Total > MaxShards:
		return fmt.Errorf("%w %d/%d: the total must be between 1 and %d", ErrBadShard, s.Index, s.Total, MaxShards)
	case s.Index < 1 || s.Index > s.Total:
		return fmt.Errorf("%w %d/%d: the index must be between 1 and %d", ErrBadShard, s.Index, s.Total, s.Total)
	}
	return nil
}

// orWhole is s, or 1/1 for the zero value.
func (s Shard) orWhole() Shard {
	if s == (Shard{}) {
		return Shard{Index: 1, Total: 1}
	}
	return s
}

func (s Shard) String() string {
	s = s.orWhole()
	return fmt.Sprintf("%d/%d", s.Index, s.Total)
}

// Owns reports whether title id belongs to this shard.
func (s Shard) Owns(id string) bool {
	s = s.orWhole()
	return ShardOf(id, s.Total) == s.Index
}

// ShardOf is the shard (1..total) that owns title id, by rendezvous
// (highest random weight) hashing: every shard k scores the title with
// SHA-256(id, k) and the highest score wins. The owner depends on the
// title's ID and the total only, so every worker of a batch agrees without
// talking to the others, adding or removing titles moves no other title,
// and going from N to N+1 shards moves only the titles the new shard wins
// (about 1/(N+1) of them) instead of reshuffling almost all of them as a
// hash modulo N would.
func ShardOf(id string, total int) int {
	if total <= 1 {
		return 1
	}
	best, bestScore := 1, uint64(0)
	buf := make([]byte, 0, len(id)+9)
	for k := 1; k <= total; k++ {
		buf = append(buf[:0], id...)
		buf = append(buf, 0)
		buf = binary.BigEndian.AppendUint64(buf, uint64(k))
		sum := sha256.Sum256(buf)
		if score := binary.BigEndian.Uint64(sum[:8]); k == 1 || score > bestScore {
			best, bestScore = k, score
		}
	}
	return best
}
