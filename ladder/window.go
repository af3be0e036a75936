package ladder

import (
	"cmp"
	"math"
	"slices"
	"time"
)

// WindowOptions tune PickWindows.
type WindowOptions struct {
	Duration time.Duration // length of each window; default 2 s
	// Max is the most windows for a long title; default 4. A title gets one
	// window per started minute up to Max.
	Max int
	// SceneThreshold is the scdet score (0-100) that counts as a cut;
	// default 10, scdet's own default.
	SceneThreshold float64
}

func (o WindowOptions) withDefaults() WindowOptions {
	o.Duration = cmp.Or(o.Duration, 2*time.Second)
	o.Max = cmp.Or(o.Max, 4)
	o.SceneThreshold = cmp.Or(o.SceneThreshold, 10)
	return o
}

// Complexity is the encoding difficulty PickWindows ranks windows by: mean
// temporal information plus a third of the mean spatial information. Most
// bits of a long-GOP encode go to predicted frames, whose cost follows
// motion (TI); spatial detail (SI) drives the keyframes and how well motion
// prediction works.
func Complexity(frames []FrameStat) float64 {
	if len(frames) == 0 {
		return 0
	}
	var si, ti float64
	for _, f := range frames {
		si += f.SI
		ti += f.TI
	}
	n := float64(len(frames))
	return ti/n + si/n/3
}

// PickWindows chooses the sample windows trial encodes use instead of the
// whole title: a pure function of the scan. A title no longer than one
// window is used whole. Otherwise it takes n = min(Max, one per started
// minute) non-overlapping windows whose complexity sits at the quantiles
// (i+0.5)/n of all candidate windows, so the sample spans easy to hard
// content in proportion (one window: the median one). Candidate windows
// start every half window and at every scene cut, and do not cross a cut
// (a window that would is shortened to the cut, down to half a window),
// so a window is one shot as an encoder sees it. Windows come back in
// time order.
func PickWindows(s Scan, opts WindowOptions) []Window {
	o := opts.withDefaults()
	dur := s.Duration
	if dur <= 0 && len(s.Frames) > 0 {
		dur = s.Frames[len(s.Frames)-1].Time + time.Millisecond
	}
	if dur <= o.Duration || len(s.Frames) == 0 {
		return []Window{{Start: 0, Duration: max(dur, 0)}}
	}
	var cuts []time.Duration
	for _, f := range s.Frames {
		if f.Scene >= o.SceneThreshold && f.Time > 0 {
			cuts = append(cuts, f.Time)
		}
	}
	starts := map[time.Duration]bool{}
	for t := time.Duration(0); t+o.Duration <= dur; t += o.Duration / 2 {
		starts[t] = true
	}
	for _, c := range cuts {
		if c+o.Duration/2 <= dur {
			starts[c] = true
		}
	}
	type cand struct {
		w Window
		c float64
	}
	var cands []cand
	for st := range starts {
		end := min(st+o.Duration, dur)
		if i, _ := slices.BinarySearch(cuts, st+1); i < len(cuts) && cuts[i] < end {
			end = cuts[i] // do not cross the next cut
		}
		if end-st < o.Duration/2 {
			continue
		}
		var fs []FrameStat
		for _, f := range s.Frames {
			if f.Time >= st && f.Time < end {
				fs = append(fs, f)
			}
		}
		// The first frame after a cut has a TI that belongs to the cut.
		if len(fs) > 1 {
			fs = fs[1:]
		}
		cands = append(cands, cand{Window{Start: st, Duration: end - st}, Complexity(fs)})
	}
	if len(cands) == 0 {
		return []Window{{Start: 0, Duration: min(o.Duration, dur)}}
	}
	slices.SortFunc(cands, func(a, b cand) int {
		return cmp.Or(cmp.Compare(a.c, b.c), cmp.Compare(a.w.Start, b.w.Start))
	})
	n := min(o.Max, int(math.Ceil(dur.Minutes())), len(cands))
	n = max(n, 1)
	var out []Window
	overlaps := func(w Window) bool {
		for _, x := range out {
			if w.Start < x.Start+x.Duration && x.Start < w.Start+w.Duration {
				return true
			}
		}
		return false
	}
	for i := range n {
		want := int((float64(i) + 0.5) / float64(n) * float64(len(cands)))
		// The nearest candidate in rank that does not overlap.
		for d := 0; d < len(cands); d++ {
			if j := want + d; j < len(cands) && !overlaps(cands[j].w) {
				out = append(out, cands[j].w)
				break
			}
			if j := want - d; d > 0 && j >= 0 && !overlaps(cands[j].w) {
				out = append(out, cands[j].w)
				break
			}
		}
	}
	slices.SortFunc(out, func(a, b Window) int { return cmp.Compare(a.Start, b.Start) })
	return out
}
