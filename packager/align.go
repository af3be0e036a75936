package packager

import (
	"math"
	"sort"
	"time"
)

// alignTolerance is how far apart, in seconds, two renditions' keyframes may
// be and still count as the same cut: timestamps in different timescales
// round differently, by at most a tick.
const alignTolerance = 0.001

// durationTolerance is how much earlier, in seconds, one video rendition
// may end than another: encoders may drop or add a frame or two at the end,
// not more.
const durationTolerance = 0.5

// segmentStarts chooses the cut points and returns, for every track, the
// index of the first sample of each of its segments.
//
// Video decides: the reference is the video track with the fewest
// keyframes (ties: the first input), and a cut is placed at its first
// keyframe at or after each multiple of target. Every other video track
// must have a keyframe at the same presentation time (within
// alignTolerance), or the renditions could not be switched at segment
// boundaries: that is an ErrNotAligned naming both files. Frame rates may
// differ between renditions as long as the keyframes line up.
//
// Audio is cut at the audio frame boundary nearest to each video cut. With
// no video, audio is cut near each multiple of target.
func segmentStarts(videos, audios []*srcTrack, target time.Duration) (map[*srcTrack][]int, error) {
	starts := map[*srcTrack][]int{}
	tgt := target.Seconds()
	var cuts []float64
	if len(videos) > 0 {
		longest := videos[0]
		for _, v := range videos {
			if v.presEnd*int64(longest.timescale) > longest.presEnd*int64(v.timescale) {
				longest = v
			}
		}
		for _, v := range videos {
			end, maxEnd := v.endSeconds(), longest.endSeconds()
			if maxEnd-end > durationTolerance {
				return nil, v.errorf("ends at %.3fs but %s runs to %.3fs (%w)", end, longest.label(), maxEnd, ErrDurationsDiffer)
			}
		}
		ref := videos[0]
		refSyncs := 0
		for i, v := range videos {
			if !v.samples[0].sync {
				return nil, v.errorf("%w: the first video frame is not a keyframe", ErrUnsupported)
			}
			n := 0
			for j := range v.samples {
				if v.samples[j].sync {
					n++
				}
			}
			if i == 0 || n < refSyncs {
				ref, refSyncs = v, n
			}
		}
		s := []int{0}
		next := tgt
		for i := 1; i < len(ref.samples); i++ {
			if !ref.samples[i].sync {
				continue
			}
			if p := ref.pts(i); p >= next-alignTolerance {
				s = append(s, i)
				cuts = append(cuts, p)
				next = (math.Floor((p+alignTolerance)/tgt) + 1) * tgt
			}
		}
		starts[ref] = s
		for _, v := range videos {
			if v == ref {
				continue
			}
			s, err := alignTo(v, ref, cuts)
			if err != nil {
				return nil, err
			}
			starts[v] = s
		}
	}
	for _, a := range audios {
		if len(videos) == 0 {
			starts[a] = targetBoundaries(a, tgt)
		} else {
			starts[a] = nearestBoundaries(a, cuts)
		}
	}
	return starts, nil
}

// targetBoundaries cuts a track without video: at the sample boundary
// nearest to each multiple of tgt seconds. It walks the samples, so a track
// with huge timestamps or gaps costs no more than its sample count.
func targetBoundaries(a *srcTrack, tgt float64) []int {
	s := []int{0}
	// The first cut is the first multiple of tgt at least half a segment
	// after the start, so no first segment holds only the priming.
	next := (math.Floor((a.pts(0)+tgt/2)/tgt) + 1) * tgt
	for i := 1; i < len(a.samples); i++ {
		p := a.pts(i)
		if p < next {
			continue
		}
		j := i
		if i-1 > s[len(s)-1] && next-a.pts(i-1) < p-next {
			j = i - 1
		}
		s = append(s, j)
		next = (math.Floor(p/tgt) + 1) * tgt
	}
	return s
}

// alignTo finds v's keyframe at each cut time of ref.
func alignTo(v, ref *srcTrack, cuts []float64) ([]int, error) {
	type key struct {
		pts float64
		idx int
	}
	var keys []key
	for i := range v.samples {
		if v.samples[i].sync {
			keys = append(keys, key{v.pts(i), i})
		}
	}
	sort.SliceStable(keys, func(a, b int) bool { return keys[a].pts < keys[b].pts })
	end := v.endSeconds()
	s := []int{0}
	for _, c := range cuts {
		j := sort.Search(len(keys), func(j int) bool { return keys[j].pts >= c-alignTolerance })
		if j == len(keys) || math.Abs(keys[j].pts-c) > alignTolerance {
			if c >= end-alignTolerance {
				return nil, v.errorf("ends at %.3fs but %s has a keyframe at %.3fs (%w)",
					end, ref.label(), c, ErrNotAligned)
			}
			nearest := keys[max(0, j-1)].pts
			if j < len(keys) && (j == 0 || keys[j].pts-c < c-nearest) {
				nearest = keys[j].pts
			}
			return nil, v.errorf("no keyframe at %.3fs where %s has one, nearest at %.3fs (%w)",
				c, ref.label(), nearest, ErrNotAligned)
		}
		if keys[j].idx <= s[len(s)-1] {
			return nil, v.errorf("keyframe at %.3fs is out of decode order (%w)", c, ErrNotAligned)
		}
		s = append(s, keys[j].idx)
	}
	return s, nil
}

// nearestBoundaries returns the sample indexes of a (an audio track) whose
// start times are nearest to each cut time; cuts that fall on the same
// boundary, or at the end, are dropped.
func nearestBoundaries(a *srcTrack, cuts []float64) []int {
	s := []int{0}
	n := len(a.samples)
	for _, c := range cuts {
		j := sort.Search(n, func(j int) bool { return a.pts(j) >= c })
		if j > 0 && (j == n || c-a.pts(j-1) <= a.pts(j)-c) {
			j--
		}
		if j > s[len(s)-1] && j < n {
			s = append(s, j)
		}
	}
	return s
}
