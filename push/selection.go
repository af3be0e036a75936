package push

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Selection says which video renditions an edge fill copies, in order of
// priority; renditions that do not fit an edge's capacity are left out in
// that order. Audio and text tracks, manifests and package.json are always
// copied: every variant needs them.
type Selection struct {
	// Mode is "all", "top" or "popularity".
	Mode string
	// N is the number of renditions for "top".
	N int
	// Weights are view counts (or shares) by rendition ID for
	// "popularity"; renditions without a weight are not copied.
	Weights map[string]float64
}

// SelectAll selects every video rendition, highest bit rate first.
var SelectAll = Selection{Mode: "all"}

// ParseSelection parses the CLI's --renditions: "all", "top:N" (the N
// highest-bandwidth video renditions), or a popularity file's contents as
// read by readFile: either JSON {"720p-3000k": 5120, "360p-730k": 800}
// (rendition ID → views), or text with one rendition ID per line, most
// popular first ('#' starts a comment).
func ParseSelection(spec string, readFile func(name string) ([]byte, error)) (Selection, error) {
	switch {
	case spec == "" || spec == "all":
		return SelectAll, nil
	case strings.HasPrefix(spec, "top:"):
		n, err := strconv.Atoi(strings.TrimPrefix(spec, "top:"))
		if err != nil || n < 1 {
			return Selection{}, fmt.Errorf("renditions %q: top:N needs a whole number N >= 1", spec)
		}
		return Selection{Mode: "top", N: n}, nil
	}
	data, err := readFile(spec)
	if err != nil {
		return Selection{}, fmt.Errorf("renditions %q is not all, top:N or a readable popularity file: %w", spec, err)
	}
	w, err := parsePopularity(data)
	if err != nil {
		return Selection{}, fmt.Errorf("popularity file %s: %w", spec, err)
	}
	return Selection{Mode: "popularity", Weights: w}, nil
}

func parsePopularity(data []byte) (map[string]float64, error) {
	trimmed := bytes.TrimSpace(data)
	w := make(map[string]float64)
	if bytes.HasPrefix(trimmed, []byte("{")) {
		if err := json.Unmarshal(trimmed, &w); err != nil {
			return nil, err
		}
		for id, v := range w {
			if v < 0 {
				return nil, fmt.Errorf("%q: negative weight %v", id, v)
			}
		}
	} else {
		var ids []string
		sc := bufio.NewScanner(bytes.NewReader(data))
		for sc.Scan() {
			line, _, _ := strings.Cut(sc.Text(), "#")
			if line = strings.TrimSpace(line); line != "" {
				ids = append(ids, line)
			}
		}
		if err := sc.Err(); err != nil {
			return nil, err
		}
		for i, id := range ids {
			if _, dup := w[id]; !dup {
				w[id] = float64(len(ids) - i)
			}
		}
	}
	if len(w) == 0 {
		return nil, errors.New("lists no rendition")
	}
	return w, nil
}

func (s Selection) String() string {
	switch s.Mode {
	case "top":
		return "top:" + strconv.Itoa(s.N)
	case "popularity":
		return "popularity"
	}
	return "all"
}

// order returns the IDs of the video tracks s selects, most wanted first,
// and the IDs of popularity entries that name no video track.
func (s Selection) order(tracks []Track) (ids, unknown []string) {
	var video []Track
	for _, t := range tracks {
		if t.Type == "video" {
			video = append(video, t)
		}
	}
	byBandwidth := func(a, b Track) int {
		return cmp.Or(cmp.Compare(b.BandwidthBps, a.BandwidthBps), strings.Compare(a.ID, b.ID))
	}
	slices.SortStableFunc(video, byBandwidth)
	switch s.Mode {
	case "top":
		video = video[:min(s.N, len(video))]
	case "popularity":
		known := make(map[string]bool)
		var picked []Track
		for _, t := range video {
			known[t.ID] = true
			if _, ok := s.Weights[t.ID]; ok {
				picked = append(picked, t)
			}
		}
		slices.SortStableFunc(picked, func(a, b Track) int {
			return cmp.Or(cmp.Compare(s.Weights[b.ID], s.Weights[a.ID]), byBandwidth(a, b))
		})
		video = picked
		for id := range s.Weights {
			if !known[id] {
				unknown = append(unknown, id)
			}
		}
		slices.Sort(unknown)
	}
	for _, t := range video {
		ids = append(ids, t.ID)
	}
	return ids, unknown
}
