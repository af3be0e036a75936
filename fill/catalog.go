package fill

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/vpack-dev/vpack/push"
)

// CatalogVersion is the version of the catalog schema.
const CatalogVersion = 1

// Catalog is catalog.json: the titles that may be pre-positioned, each with
// its video renditions (sizes from the title's package.json) and its
// popularity per region.
//
//	{
//	  "version": 1,
//	  "abr": {"median_kbps": 6000, "sigma": 1.0, "safety": 0.8},
//	  "regions": {"apac": {"abr": {"median_kbps": 3000}}},
//	  "titles": [
//	    {"id": "movie-1", "path": "titles/movie-1", "package": "movie-1/package.json",
//	     "popularity": {"eu": 1200, "us": 300}},
//	    {"id": "movie-2", "base_bytes": 90000000,
//	     "renditions": [{"id": "720p-3000k", "bandwidth_bps": 3300000, "bytes": 2400000000},
//	                    {"id": "360p-730k", "bandwidth_bps": 800000, "bytes": 600000000}],
//	     "popularity": {"eu": 40}}
//	  ]
//	}
type Catalog struct {
	Version int `json:"version"`
	// ABR is the viewers' model for every region without its own; nil is
	// DefaultABR.
	ABR     *ABR                    `json:"abr,omitempty"`
	Regions map[string]RegionConfig `json:"regions,omitempty"`
	Titles  []Title                 `json:"titles"`
}

// RegionConfig is what a catalog says about one region beyond popularity.
type RegionConfig struct {
	ABR *ABR `json:"abr,omitempty"`
}

// Title is one title of a catalog.
type Title struct {
	ID string `json:"id"`
	// Path is the title's folder under the origin and under each edge's
	// URL (what vpack push published it to); "" means ID.
	Path string `json:"path,omitempty"`
	// Package is the title's package.json (relative to the catalog file):
	// its video tracks are the renditions (bandwidth and bytes), its other
	// tracks (audio, text) the base bytes. Renditions, when also given,
	// select and may override tracks of it.
	Package string `json:"package,omitempty"`
	// BaseBytes is what every edge holding any rendition of the title also
	// holds: audio and text tracks, manifests. Zero with a Package means
	// the package's non-video tracks.
	BaseBytes  int64       `json:"base_bytes,omitempty"`
	Renditions []Rendition `json:"renditions,omitempty"`
	// Popularity is the expected number of requests (plays) per region over
	// the period the plan is for; only ratios matter. A region absent is
	// zero: the title is never requested there.
	Popularity map[string]float64 `json:"popularity,omitempty"`
}

// Rendition is one video rendition of a title.
type Rendition struct {
	ID           string `json:"id"`
	BandwidthBps int64  `json:"bandwidth_bps,omitempty"` // peak, as in the manifests; the ABR model compares it with throughput
	Bytes        int64  `json:"bytes,omitempty"`         // init and media segments: what an edge stores
}

// TitlePath is where t lives under the origin and the edges.
func (t *Title) TitlePath() string { return cmp.Or(t.Path, t.ID) }

// ReadCatalog reads and checks the catalog file at name; package.json
// files it names are read relative to its folder.
func ReadCatalog(name string) (*Catalog, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, &FileError{File: name, Err: err}
	}
	dir := filepath.Dir(name)
	return ParseCatalog(name, data, func(p string) ([]byte, error) {
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, filepath.FromSlash(p))
		}
		return os.ReadFile(p)
	})
}

// ParseCatalog parses and checks a catalog. name is for messages;
// readFile reads the package.json files titles name (nil: none may). The
// returned catalog has every rendition resolved: IDs, bandwidths and bytes
// filled in from the packages.
func ParseCatalog(name string, data []byte, readFile func(name string) ([]byte, error)) (*Catalog, error) {
	var c Catalog
	if err := decodeJSON(data, &c); err != nil {
		return nil, &FileError{File: name, Err: err}
	}
	if err := c.resolve(readFile); err != nil {
		return nil, &FileError{File: name, Err: err}
	}
	if err := c.Validate(); err != nil {
		return nil, &FileError{File: name, Err: err}
	}
	return &c, nil
}

// pkgSummary is the part of package.json (packager.Summary, schema 1) a
// catalog reads: fill depends on the file format, not the packager.
type pkgSummary struct {
	Version int `json:"version"`
	Tracks  []struct {
		ID           string `json:"id"`
		Type         string `json:"type"`
		BandwidthBps int64  `json:"bandwidth_bps"`
		Bytes        int64  `json:"bytes"`
	} `json:"tracks"`
}

// resolve reads the packages titles name and fills in their renditions.
func (c *Catalog) resolve(readFile func(string) ([]byte, error)) error {
	for i := range c.Titles {
		t := &c.Titles[i]
		if t.Package == "" {
			continue
		}
		if readFile == nil {
			return fmt.Errorf("title %q: package %s: packages cannot be read here", t.ID, t.Package)
		}
		data, err := readFile(t.Package)
		if err != nil {
			return fmt.Errorf("title %q: %w", t.ID, err)
		}
		var s pkgSummary
		if err := decodeLoose(data, &s); err != nil {
			return fmt.Errorf("title %q: package %s: %w", t.ID, t.Package, err)
		}
		if s.Version != 1 {
			return fmt.Errorf("title %q: package %s: package.json version %d, want 1", t.ID, t.Package, s.Version)
		}
		var video []Rendition
		var base int64
		for _, tr := range s.Tracks {
			if tr.Type == "video" {
				video = append(video, Rendition{ID: tr.ID, BandwidthBps: tr.BandwidthBps, Bytes: tr.Bytes})
			} else {
				base += tr.Bytes
			}
		}
		if t.BaseBytes == 0 {
			t.BaseBytes = base
		}
		if len(t.Renditions) == 0 {
			t.Renditions = video
			continue
		}
		for j := range t.Renditions {
			r := &t.Renditions[j]
			k := slices.IndexFunc(video, func(v Rendition) bool { return v.ID == r.ID })
			if k < 0 {
				ids := make([]string, len(video))
				for n, v := range video {
					ids[n] = v.ID
				}
				return fmt.Errorf("title %q: rendition %q is not a video track of %s (it has %s): %w",
					t.ID, r.ID, t.Package, strings.Join(ids, ", "), ErrUnknownRendition)
			}
			r.BandwidthBps = cmp.Or(r.BandwidthBps, video[k].BandwidthBps)
			r.Bytes = cmp.Or(r.Bytes, video[k].Bytes)
		}
	}
	return nil
}

// Validate checks c as Plan and NewModel need it: at least one title,
// unique IDs, clean paths, every rendition with a bandwidth and no negative
// size or popularity.
func (c *Catalog) Validate() error {
	if c.Version != 0 && c.Version != CatalogVersion {
		return fmt.Errorf("catalog version %d, want %d", c.Version, CatalogVersion)
	}
	if len(c.Titles) == 0 {
		return ErrEmptyCatalog
	}
	if err := c.ABR.check("abr"); err != nil {
		return err
	}
	for g, rc := range c.Regions {
		if g == "" {
			return errors.New(`regions: empty region name`)
		}
		if err := rc.ABR.check("region " + g + ": abr"); err != nil {
			return err
		}
	}
	ids := make(map[string]bool, len(c.Titles))
	for i := range c.Titles {
		t := &c.Titles[i]
		if t.ID == "" {
			return fmt.Errorf("title %d: no id", i+1)
		}
		if ids[t.ID] {
			return fmt.Errorf("title %q listed twice", t.ID)
		}
		ids[t.ID] = true
		if err := push.CheckKey(t.TitlePath()); err != nil {
			return fmt.Errorf("title %q: path: %w", t.ID, err)
		}
		if t.BaseBytes < 0 {
			return fmt.Errorf("title %q: base_bytes %d: %w", t.ID, t.BaseBytes, ErrNegative)
		}
		if t.BaseBytes > maxBytes {
			return fmt.Errorf("title %q: base_bytes %d: more than a petabyte", t.ID, t.BaseBytes)
		}
		if len(t.Renditions) == 0 {
			return fmt.Errorf("title %q has no video rendition (give renditions or a package)", t.ID)
		}
		if len(t.Renditions) > maxRenditions {
			return fmt.Errorf("title %q has %d renditions, at most %d are supported", t.ID, len(t.Renditions), maxRenditions)
		}
		rids := make(map[string]bool, len(t.Renditions))
		for _, r := range t.Renditions {
			switch {
			case r.ID == "":
				return fmt.Errorf("title %q: rendition without id", t.ID)
			case rids[r.ID]:
				return fmt.Errorf("title %q: rendition %q listed twice", t.ID, r.ID)
			case r.Bytes < 0:
				return fmt.Errorf("title %q: rendition %q: bytes %d: %w", t.ID, r.ID, r.Bytes, ErrNegative)
			case r.Bytes > maxBytes:
				return fmt.Errorf("title %q: rendition %q: bytes %d: more than a petabyte", t.ID, r.ID, r.Bytes)
			case r.BandwidthBps <= 0:
				return fmt.Errorf("title %q: rendition %q: bandwidth_bps must be above zero (the ABR model needs it)", t.ID, r.ID)
			}
			rids[r.ID] = true
		}
		for g, p := range t.Popularity {
			switch {
			case g == "":
				return fmt.Errorf("title %q: popularity: empty region name", t.ID)
			case p < 0:
				return fmt.Errorf("title %q: popularity in %s is %v: %w", t.ID, g, p, ErrNegative)
			case math.IsNaN(p) || math.IsInf(p, 0) || p > maxPopularity:
				return fmt.Errorf("title %q: popularity in %s is %v: want at most %g", t.ID, g, p, float64(maxPopularity))
			}
		}
	}
	return nil
}

// Bounds of a catalog: the planner keeps rendition positions in a byte,
// and sums of bytes and popularity must not overflow.
const (
	maxRenditions = 64
	maxBytes      = 1e15 // per rendition or base: a petabyte
	maxPopularity = 1e15
)

// decodeLoose decodes JSON another vpack command wrote (package.json):
// unknown fields are fine, newer writers add them.
func decodeLoose(data []byte, v any) error {
	if err := json.Unmarshal(data, v); err != nil {
		return jsonError(data, err)
	}
	return nil
}
