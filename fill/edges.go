package fill

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/vpack-dev/vpack/push"
)

// EdgesVersion is the version of the edges file schema.
const EdgesVersion = 1

// EdgesFile is edges.json: the edge caches a plan is for.
//
//	{
//	  "version": 1,
//	  "edges": [
//	    {"id": "fra-1", "region": "eu", "url": "https://fra-1.example/vod",
//	     "capacity": "40TB", "fill_rate": "10Gbit/s", "fill_window": "02:00-06:00"},
//	    {"id": "nyc-1", "region": "us", "capacity": 20000000000000, "weight": 2}
//	  ]
//	}
type EdgesFile struct {
	Version int    `json:"version"`
	Edges   []Edge `json:"edges"`
}

// Edge is one edge cache: where it is, what it may hold, and how fast it
// can be filled.
type Edge struct {
	ID string `json:"id"`
	// Region is where the edge's viewers are: it serves the requests of
	// its region, shared with the region's other edges by Weight.
	Region string `json:"region"`
	// URL is the edge's base store URL for vpack fill apply (a title goes
	// to URL/<title path>); optional here, apply can take an edge map.
	URL string `json:"url,omitempty"`
	// Capacity is the bytes the edge may hold for pre-positioned titles:
	// a number of bytes or a string like "40TB" or "512GiB".
	Capacity Size `json:"capacity"`
	// FillRate is the bandwidth available to fill it, in bytes per second:
	// a number or a string like "10Gbit/s" or "500MB/s"; zero is no limit.
	FillRate Rate `json:"fill_rate,omitempty"`
	// FillWindow is the daily window fills run in, "HH:MM-HH:MM" (local
	// time of the machine running apply); "" is all day. With FillRate it
	// bounds the bytes one night's fill can add (FillBudgetBytes).
	FillWindow string `json:"fill_window,omitempty"`
	// Weight is the edge's share of its region's requests relative to the
	// region's other edges; zero means 1.
	Weight float64 `json:"weight,omitempty"`
}

// Size is a byte count in JSON: a number, or a string push.ParseSize
// reads ("40TB", "512GiB").
type Size int64

// UnmarshalJSON reads a number or a size string.
func (s *Size) UnmarshalJSON(b []byte) error {
	v, err := unmarshalScaled(b, push.ParseSize)
	*s = Size(v)
	return err
}

// Rate is bytes per second in JSON: a number, or a string push.ParseRate
// reads ("10Gbit/s", "500MB/s").
type Rate int64

// UnmarshalJSON reads a number or a rate string.
func (r *Rate) UnmarshalJSON(b []byte) error {
	v, err := unmarshalScaled(b, push.ParseRate)
	*r = Rate(v)
	return err
}

func unmarshalScaled(b []byte, parse func(string) (int64, error)) (int64, error) {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		return 0, nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return 0, err
		}
		// A negative value parses, so that the check says which field
		// and edge it is.
		if rest, neg := strings.CutPrefix(strings.TrimSpace(s), "-"); neg {
			v, err := parse(rest)
			return -v, err
		}
		return parse(s)
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return 0, fmt.Errorf("%s: want a number or a string like \"40TB\"", b)
	}
	if math.Abs(f) >= math.MaxInt64 {
		return 0, fmt.Errorf("%s: too large", b)
	}
	return int64(f), nil
}

// ReadEdges reads and checks the edges file at name.
func ReadEdges(name string) ([]Edge, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, &FileError{File: name, Err: err}
	}
	return ParseEdges(name, data)
}

// ParseEdges parses and checks an edges file; name is for messages.
func ParseEdges(name string, data []byte) ([]Edge, error) {
	var f EdgesFile
	if err := decodeJSON(data, &f); err != nil {
		return nil, &FileError{File: name, Err: err}
	}
	if f.Version != 0 && f.Version != EdgesVersion {
		return nil, &FileError{File: name, Err: fmt.Errorf("edges version %d, want %d", f.Version, EdgesVersion)}
	}
	if err := ValidateEdges(f.Edges); err != nil {
		return nil, &FileError{File: name, Err: err}
	}
	return f.Edges, nil
}

// ValidateEdges checks edges: at least one, unique IDs, a region each, no
// negative capacity, rate or weight, readable fill windows.
func ValidateEdges(edges []Edge) error {
	if len(edges) == 0 {
		return fmt.Errorf("no edges")
	}
	ids := make(map[string]bool, len(edges))
	for i, e := range edges {
		switch {
		case e.ID == "":
			return fmt.Errorf("edge %d: no id", i+1)
		case ids[e.ID]:
			return fmt.Errorf("edge %q listed twice", e.ID)
		case e.Region == "":
			return fmt.Errorf("edge %q: no region", e.ID)
		case e.Capacity < 0:
			return fmt.Errorf("edge %q: negative capacity %d: %w", e.ID, e.Capacity, ErrNegative)
		case e.FillRate < 0:
			return fmt.Errorf("edge %q: negative fill_rate %d: %w", e.ID, e.FillRate, ErrNegative)
		case e.Weight < 0 || math.IsNaN(e.Weight) || math.IsInf(e.Weight, 0):
			return fmt.Errorf("edge %q: weight %v: want a positive share: %w", e.ID, e.Weight, ErrNegative)
		}
		ids[e.ID] = true
		if _, err := e.windowDuration(); err != nil {
			return fmt.Errorf("edge %q: fill_%w", e.ID, err)
		}
	}
	return nil
}

func (e Edge) windowDuration() (time.Duration, error) {
	if e.FillWindow == "" {
		return 24 * time.Hour, nil
	}
	w, err := push.ParseWindow(e.FillWindow, time.UTC)
	if err != nil {
		return 0, err
	}
	d := w.End - w.Start
	if d < 0 {
		d += 24 * time.Hour
	}
	return d, nil
}

// FillBudgetBytes is what one fill window can add to the edge: FillRate
// times the window's length; zero means no limit (no FillRate).
func (e Edge) FillBudgetBytes() int64 {
	if e.FillRate <= 0 {
		return 0
	}
	d, err := e.windowDuration()
	if err != nil {
		return 0
	}
	b := float64(e.FillRate) * d.Seconds()
	if b >= math.MaxInt64/2 {
		return math.MaxInt64 / 2
	}
	return int64(b)
}

func (e Edge) weight() float64 {
	if e.Weight == 0 {
		return 1
	}
	return e.Weight
}

// ReadEdgeMap reads the edge URLs vpack fill apply uses: either an edges
// file (each edge's url) or a JSON object of edge ID to URL,
// {"fra-1": "https://fra-1.example/vod"}.
func ReadEdgeMap(name string) (map[string]string, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, &FileError{File: name, Err: err}
	}
	return ParseEdgeMap(name, data)
}

// ParseEdgeMap parses what ReadEdgeMap reads.
func ParseEdgeMap(name string, data []byte) (map[string]string, error) {
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, &FileError{File: name, Err: jsonError(data, err)}
	}
	out := make(map[string]string)
	if _, ok := probe["edges"]; ok {
		edges, err := ParseEdges(name, data)
		if err != nil {
			return nil, err
		}
		for _, e := range edges {
			if e.URL != "" {
				out[e.ID] = e.URL
			}
		}
		return out, nil
	}
	if err := decodeJSON(data, &out); err != nil {
		return nil, &FileError{File: name, Err: fmt.Errorf("want an edges file or {\"edge-id\": \"url\"}: %w", err)}
	}
	for id, u := range out {
		if id == "" || u == "" {
			return nil, &FileError{File: name, Err: fmt.Errorf("edge %q: empty id or url", id)}
		}
	}
	return out, nil
}
