package validate

import (
	"context"
	"sort"
	"strings"
	"testing"
)

// memSource is a package in memory, for unit and fuzz tests.
type memSource map[string][]byte

func (m memSource) read(_ context.Context, name string, off, n, limit int64) ([]byte, int64, error) {
	data, ok := m[name]
	if !ok {
		return nil, 0, errNotFound
	}
	size := int64(len(data))
	if off >= size {
		return nil, size, nil
	}
	if n < 0 || off+n > size {
		n = size - off
	}
	if n > limit {
		return nil, size, errTooLarge
	}
	return data[off : off+n], size, nil
}

func (m memSource) display(name string) string { return name }
func (m memSource) remote() bool               { return false }
func (m memSource) bytesRead() int64           { return 0 }
func (m memSource) close() error               { return nil }

// runMem validates the manifests of an in-memory package.
func runMem(t testing.TB, files map[string]string, manifests ...string) *Report {
	t.Helper()
	src := memSource{}
	for k, v := range files {
		src[k] = []byte(v)
	}
	c := newChecker(context.Background(), src, Options{}.withDefaults(false))
	var hls, dash []string
	for _, m := range manifests {
		if strings.HasSuffix(m, ".mpd") {
			dash = append(dash, m)
		} else {
			hls = append(hls, m)
		}
	}
	r, err := c.run("mem", hls, dash)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// rulesOf lists the distinct rule IDs of a report, sorted.
func rulesOf(r *Report) []string {
	seen := map[string]bool{}
	var out []string
	for _, f := range r.Findings {
		if !seen[f.Rule] {
			seen[f.Rule] = true
			out = append(out, f.Rule)
		}
	}
	sort.Strings(out)
	return out
}
