package fill

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/vpack-dev/vpack/push"
)

// PlanVersion is the version of the plan schema.
const PlanVersion = 1

// Plan is plan.json: what each edge should hold after tonight's fill, and
// what that changes relative to what it held (the previous plan).
// Placements and changes are shared by the edges that have the same ones
// (the edges of a region with the same budgets), so a plan for a thousand
// edges stays as small as a handful of placements.
//
//	{
//	  "version": 1,
//	  "summary": {"expected_hit_ratio": 0.93, ...},
//	  "edges": [{"id": "fra-1", "region": "eu", "placement": "p1", "change": "c1",
//	             "capacity_bytes": 40000000000000, "expected_hit_ratio": 0.94, ...}],
//	  "placements": [{"id": "p1", "region": "eu", "bytes": 39990000000000,
//	                  "titles": [{"title": "movie-1", "renditions": ["720p-3000k", "360p-730k"], "bytes": 3100000000}]}],
//	  "changes": [{"id": "c1", "add": [...], "evict": [...]}]
//	}
type Plan struct {
	Version    int         `json:"version"`
	Summary    PlanSummary `json:"summary"`
	Edges      []EdgePlan  `json:"edges"`
	Placements []Placement `json:"placements"`
	Changes    []Change    `json:"changes,omitempty"`
}

// PlanSummary sums a plan up over all edges.
type PlanSummary struct {
	Titles       int   `json:"titles"`
	Renditions   int   `json:"renditions"`
	CatalogBytes int64 `json:"catalog_bytes"`
	Edges        int   `json:"edges"`
	// ExpectedHitRatio is the share of all requests (every region,
	// regions without edges included) the plan expects edges to serve,
	// by the catalog's popularity and the ABR model.
	ExpectedHitRatio float64 `json:"expected_hit_ratio"`
	// UpperBoundHitRatio bounds what any placement within the same budgets
	// could expect (the LP relaxation; see Model.Plan).
	UpperBoundHitRatio float64  `json:"upper_bound_hit_ratio"`
	HeldBytes          int64    `json:"held_bytes"`  // all edges, after the fill
	AddBytes           int64    `json:"add_bytes"`   // copied by the fill
	EvictBytes         int64    `json:"evict_bytes"` // deleted by the fill
	Hysteresis         float64  `json:"hysteresis,omitempty"`
	Warnings           []string `json:"warnings,omitempty"`
}

// EdgePlan is one edge's part of a plan.
type EdgePlan struct {
	ID                     string `json:"id"`
	Region                 string `json:"region"`
	URL                    string `json:"url,omitempty"`
	CapacityBytes          int64  `json:"capacity_bytes"`
	FillBudgetBytes        int64  `json:"fill_budget_bytes,omitempty"` // zero: no limit
	FillRateBytesPerSecond int64  `json:"fill_rate_bytes_per_second,omitempty"`
	FillWindow             string `json:"fill_window,omitempty"`
	// Placement is the ID of what the edge holds after the fill; Change
	// the ID of the adds and evictions that take it there ("" when
	// nothing moves).
	Placement          string  `json:"placement"`
	Change             string  `json:"change,omitempty"`
	HeldBytes          int64   `json:"held_bytes"`
	AddBytes           int64   `json:"add_bytes"`
	EvictBytes         int64   `json:"evict_bytes"`
	ExpectedHitRatio   float64 `json:"expected_hit_ratio"`    // of the requests its region sends it
	UpperBoundHitRatio float64 `json:"upper_bound_hit_ratio"` // no placement within its budgets can expect more
}

// Placement is a set of renditions an edge holds, most valuable first.
type Placement struct {
	ID     string            `json:"id"`
	Region string            `json:"region"`
	Bytes  int64             `json:"bytes"`
	Titles []TitleRenditions `json:"titles"`
}

// TitleRenditions is some renditions of one title.
type TitleRenditions struct {
	Title string `json:"title"`
	// Path is the title's folder under the origin and the edges when it is
	// not Title.
	Path       string   `json:"path,omitempty"`
	Renditions []string `json:"renditions"`
	// Bytes is the renditions' bytes, plus the title's base bytes when the
	// entry brings the title to an edge (or takes it away).
	Bytes int64 `json:"bytes"`
}

// TitlePath is where the title lives under the origin and the edges.
func (t *TitleRenditions) TitlePath() string {
	if t.Path != "" {
		return t.Path
	}
	return t.Title
}

// Change is what a fill copies to and deletes from an edge.
type Change struct {
	ID string `json:"id"`
	// AddAll says the edge held nothing: the fill adds its whole placement
	// (which Add would only repeat).
	AddAll     bool              `json:"add_all,omitempty"`
	AddBytes   int64             `json:"add_bytes"`
	EvictBytes int64             `json:"evict_bytes"`
	Add        []TitleRenditions `json:"add,omitempty"`
	Evict      []TitleRenditions `json:"evict,omitempty"`
}

// ReadPlan reads and checks the plan file at name.
func ReadPlan(name string) (*Plan, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, &FileError{File: name, Err: err}
	}
	return ParsePlan(name, data)
}

// ParsePlan parses and checks a plan; name is for messages.
func ParsePlan(name string, data []byte) (*Plan, error) {
	var p Plan
	if err := decodeJSON(data, &p); err != nil {
		return nil, &FileError{File: name, Err: err}
	}
	if err := p.Validate(); err != nil {
		return nil, &FileError{File: name, Err: err}
	}
	return &p, nil
}

// Validate checks that p is a plan apply and Simulate can use: version,
// unique IDs, references that resolve, clean title paths.
func (p *Plan) Validate() error {
	if p.Version != PlanVersion {
		return fmt.Errorf("plan version %d, want %d", p.Version, PlanVersion)
	}
	if len(p.Edges) == 0 {
		return fmt.Errorf("plan has no edges")
	}
	placements := make(map[string]bool, len(p.Placements))
	for _, pl := range p.Placements {
		if pl.ID == "" || placements[pl.ID] {
			return fmt.Errorf("placement %q: empty or duplicate id", pl.ID)
		}
		placements[pl.ID] = true
		if err := checkTitles("placement "+pl.ID, pl.Titles); err != nil {
			return err
		}
	}
	changes := make(map[string]bool, len(p.Changes))
	for _, c := range p.Changes {
		if c.ID == "" || changes[c.ID] {
			return fmt.Errorf("change %q: empty or duplicate id", c.ID)
		}
		changes[c.ID] = true
		if err := checkTitles("change "+c.ID+": add", c.Add); err != nil {
			return err
		}
		if err := checkTitles("change "+c.ID+": evict", c.Evict); err != nil {
			return err
		}
	}
	edges := make(map[string]bool, len(p.Edges))
	for _, e := range p.Edges {
		switch {
		case e.ID == "" || edges[e.ID]:
			return fmt.Errorf("edge %q: empty or duplicate id", e.ID)
		case !placements[e.Placement]:
			return fmt.Errorf("edge %q: placement %q is not in the plan", e.ID, e.Placement)
		case e.Change != "" && !changes[e.Change]:
			return fmt.Errorf("edge %q: change %q is not in the plan", e.ID, e.Change)
		case e.CapacityBytes < 0 || e.FillBudgetBytes < 0 || e.FillRateBytesPerSecond < 0:
			return fmt.Errorf("edge %q: negative capacity, fill budget or rate: %w", e.ID, ErrNegative)
		}
		edges[e.ID] = true
		if e.FillWindow != "" {
			if _, err := push.ParseWindow(e.FillWindow, nil); err != nil {
				return fmt.Errorf("edge %q: fill_%w", e.ID, err)
			}
		}
	}
	return nil
}

func checkTitles(what string, ts []TitleRenditions) error {
	seen := make(map[string]bool, len(ts))
	for _, t := range ts {
		if t.Title == "" {
			return fmt.Errorf("%s: entry without title", what)
		}
		if seen[t.Title] {
			return fmt.Errorf("%s: title %q listed twice", what, t.Title)
		}
		seen[t.Title] = true
		if err := push.CheckKey(t.TitlePath()); err != nil {
			return fmt.Errorf("%s: title %q: path: %w", what, t.Title, err)
		}
		for _, r := range t.Renditions {
			if r == "" {
				return fmt.Errorf("%s: title %q: empty rendition id", what, t.Title)
			}
		}
	}
	return nil
}

// placement finds a placement by ID.
func (p *Plan) placement(id string) *Placement {
	for i := range p.Placements {
		if p.Placements[i].ID == id {
			return &p.Placements[i]
		}
	}
	return nil
}

// change finds a change by ID; nil for "".
func (p *Plan) change(id string) *Change {
	for i := range p.Changes {
		if p.Changes[i].ID == id {
			return &p.Changes[i]
		}
	}
	return nil
}

// MarshalIndent is the plan as written to plan.json.
func (p *Plan) MarshalIndent() ([]byte, error) {
	data, err := json.MarshalIndent(p, "", " ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}
