package ladder

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
)

// trialCacheVersion changes when the meaning of cached entries changes.
const trialCacheVersion = "1"

// TrialCache is a Trialer that keeps every scan and trial point of another
// Trialer on disk, keyed by the source's ID (its content and the metric and
// probe settings, see Trialer.ID), the windows and the trial. A re-run of
// the same analysis is instant, and an interrupted one resumes where it
// stopped: each point is written (atomically) as soon as its batch is
// measured.
//
// The cache is an optimisation: an entry that cannot be read is measured
// again, and one that cannot be written is logged and skipped.
type TrialCache struct {
	t   Trialer
	dir string
	log *slog.Logger
	// Hits and Misses count trials served from disk and measured.
	Hits, Misses int
	warned       bool
}

// NewTrialCache wraps t with a cache in dir (created when missing).
func NewTrialCache(t Trialer, dir string, log *slog.Logger) *TrialCache {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &TrialCache{t: t, dir: dir, log: log}
}

// ID implements Trialer.
func (c *TrialCache) ID() string { return c.t.ID() }

// Scan implements Trialer.
func (c *TrialCache) Scan(ctx context.Context) (Scan, error) {
	path := c.path("scan")
	var s Scan
	if c.read(path, &s) {
		return s, nil
	}
	s, err := c.t.Scan(ctx)
	if err != nil {
		return Scan{}, err
	}
	c.write(path, s)
	return s, nil
}

// Encode implements Trialer.
func (c *TrialCache) Encode(ctx context.Context, windows []Window, trials []Trial) ([]Point, error) {
	out := make([]Point, len(trials))
	var missing []Trial
	var at []int
	for i, tr := range trials {
		var p Point
		if c.read(c.path("trial", windows, tr), &p) {
			out[i] = p
			c.Hits++
			continue
		}
		missing = append(missing, tr)
		at = append(at, i)
	}
	if len(missing) == 0 {
		return out, nil
	}
	pts, err := c.t.Encode(ctx, windows, missing)
	if err != nil {
		return nil, err
	}
	if len(pts) != len(missing) {
		return nil, fmt.Errorf("trialer returned %d points for %d trials", len(pts), len(missing))
	}
	for j, p := range pts {
		out[at[j]] = p
		c.Misses++
		c.write(c.path("trial", windows, missing[j]), p)
	}
	return out, nil
}

// path names the entry for a key made of parts.
func (c *TrialCache) path(kind string, parts ...any) string {
	h := sha256.New()
	key, _ := json.Marshal(append([]any{trialCacheVersion, c.t.ID(), kind}, parts...))
	h.Write(key)
	sum := hex.EncodeToString(h.Sum(nil))
	return filepath.Join(c.dir, sum[:2], kind+"-"+sum[2:34]+".json")
}

func (c *TrialCache) read(path string, v any) bool {
	b, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	if err := json.Unmarshal(b, v); err != nil {
		c.log.Debug("trial cache: unreadable entry, measuring again", "path", path, "err", err)
		return false
	}
	return true
}

func (c *TrialCache) write(path string, v any) {
	b, err := json.Marshal(v)
	if err == nil {
		if err = os.MkdirAll(filepath.Dir(path), 0o755); err == nil {
			err = writeAtomic(path, b)
		}
	}
	if err != nil && !c.warned {
		// Once: an unwritable cache folder would otherwise warn per trial.
		c.warned = true
		c.log.Warn("trial cache: results not saved", "dir", c.dir, "err", err)
	}
}
