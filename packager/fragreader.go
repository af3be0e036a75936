package packager

import (
	"fmt"

	"github.com/Eyevinn/mp4ff/mp4"
)

// fragReader adds the samples of moof boxes to the tracks of a source,
// resolving ISO/IEC 14496-12 §8.8 defaults: trex, then tfhd, then trun.
type fragReader struct {
	s      *source
	byID   map[uint32]*srcTrack
	trexes map[uint32]*mp4.TrexBox
}

func (fr *fragReader) init(s *source, moov *mp4.MoovBox) {
	fr.s = s
	fr.byID = make(map[uint32]*srcTrack, len(s.tracks))
	for _, t := range s.tracks {
		fr.byID[t.trackID] = t
	}
	fr.trexes = map[uint32]*mp4.TrexBox{}
	if moov.Mvex != nil {
		for _, trex := range moov.Mvex.Trexs {
			fr.trexes[trex.TrackID] = trex
		}
	}
}

func (fr *fragReader) add(moof *mp4.MoofBox, moofPos int64) error {
	// Without base-data-offset or default-base-is-moof, the first traf's
	// data starts at the moof and each next traf's where the previous one's
	// data ended (§8.8.7.1).
	implicitBase := moofPos
	for _, traf := range moof.Trafs {
		tfhd := traf.Tfhd
		if tfhd == nil {
			return fmt.Errorf("%w: traf without tfhd", ErrNotMP4)
		}
		t := fr.byID[tfhd.TrackID]
		base := implicitBase
		switch {
		case tfhd.HasBaseDataOffset():
			base = int64(tfhd.BaseDataOffset)
		case tfhd.DefaultBaseIfMoof():
			base = moofPos
		}
		trex := fr.trexes[tfhd.TrackID]
		var defDur, defSize, defFlags uint32
		if trex != nil {
			defDur, defSize, defFlags = trex.DefaultSampleDuration, trex.DefaultSampleSize, trex.DefaultSampleFlags
		}
		if tfhd.HasDefaultSampleDuration() {
			defDur = tfhd.DefaultSampleDuration
		}
		if tfhd.HasDefaultSampleSize() {
			defSize = tfhd.DefaultSampleSize
		}
		if tfhd.HasDefaultSampleFlags() {
			defFlags = tfhd.DefaultSampleFlags
		}
		var dts uint64
		hasTfdt := traf.Tfdt != nil
		if hasTfdt {
			dts = traf.Tfdt.BaseMediaDecodeTime()
		}
		if t != nil && !hasTfdt {
			dts = t.nextDTS
		}
		off := base
		for _, trun := range traf.Truns {
			if trun.HasDataOffset() {
				off = base + int64(trun.DataOffset)
			}
			firstFlags, hasFirst := trun.FirstSampleFlags()
			for i, smp := range trun.Samples {
				dur, size, flags := defDur, defSize, defFlags
				if trun.HasSampleDuration() {
					dur = smp.Dur
				}
				if trun.HasSampleSize() {
					size = smp.Size
				}
				switch {
				case trun.HasSampleFlags():
					flags = smp.Flags
				case i == 0 && hasFirst:
					flags = firstFlags
				}
				if t != nil {
					t.samples = append(t.samples, sample{
						offset: off, dts: dts, size: size, dur: dur,
						cto: smp.CompositionTimeOffset, sync: flags&nonSyncFlag == 0,
					})
				}
				off += int64(size)
				dts += uint64(dur)
			}
		}
		if t != nil {
			t.nextDTS = dts
		}
		implicitBase = off
	}
	return nil
}
