package packager

import (
	"bytes"
	"testing"

	"github.com/Eyevinn/mp4ff/mp4"
	"github.com/google/go-cmp/cmp"

	"github.com/vpack-dev/vpack/manifest"
)

// synthTrack is a source track made in memory: n samples of dur ticks,
// sync every keyEvery samples (every sample when keyEvery is 1), sizes and
// composition offsets from the given functions.
func synthTrack(kind manifest.TrackType, timescale uint32, n int, dur uint32, keyEvery int,
	size func(i int) uint32, cto func(i int) int32) *srcTrack {
	t := &srcTrack{src: &source{name: "synth.mp4"}, trackID: 1, kind: kind, timescale: timescale}
	t.src.tracks = []*srcTrack{t}
	var off int64 = 1000
	for i := range n {
		s := sample{offset: off, dts: uint64(i) * uint64(dur), size: size(i), dur: dur, sync: i%keyEvery == 0}
		if cto != nil {
			s.cto = cto(i)
		}
		off += int64(s.size)
		t.samples = append(t.samples, s)
	}
	return t
}

func TestFragRoundTrip(t *testing.T) {
	bframes := func(i int) int32 { return []int32{1024, 2560, 1024, 0, 512}[i%5] }
	tests := []struct {
		name      string
		track     *outTrack
		first     int
		end       int
		wantTrunV byte
		wantTfhd  uint32 // flags besides default-base-is-moof
		wantTrun  uint32 // flags besides data-offset
	}{
		{
			name: "audio: all defaults",
			track: &outTrack{src: synthTrack(manifest.Audio, 48000, 50, 1024, 1,
				func(int) uint32 { return 371 }, nil)},
			first: 0, end: 50,
			wantTfhd: tfhdDefaultDuration | tfhdDefaultSize | tfhdDefaultFlags,
		},
		{
			name: "audio: sizes vary",
			track: &outTrack{src: synthTrack(manifest.Audio, 48000, 50, 1024, 1,
				func(i int) uint32 { return 300 + uint32(i) }, nil)},
			first: 10, end: 40,
			wantTfhd: tfhdDefaultDuration | tfhdDefaultFlags, wantTrun: trunSize,
		},
		{
			name: "video: B-frames shifted by the edit list: signed offsets",
			track: &outTrack{src: synthTrack(manifest.Video, 12800, 100, 512, 50,
				func(i int) uint32 { return 4000 - uint32(i) }, bframes), ctoShift: -1024},
			first: 50, end: 100, wantTrunV: 1,
			wantTfhd: tfhdDefaultDuration | tfhdDefaultFlags, wantTrun: trunSize | trunFirstFlags | trunCTO,
		},
		{
			name: "video: no shift, positive offsets, version 0",
			track: &outTrack{src: synthTrack(manifest.Video, 12800, 50, 512, 50,
				func(i int) uint32 { return 4000 - uint32(i) }, bframes), tfdtShift: 3},
			first: 0, end: 50,
			wantTfhd: tfhdDefaultDuration | tfhdDefaultFlags, wantTrun: trunSize | trunFirstFlags | trunCTO,
		},
		{
			name: "video: all-intra with one sample",
			track: &outTrack{src: synthTrack(manifest.Video, 90000, 3, 3600, 1,
				func(int) uint32 { return 9000 }, nil)},
			first: 1, end: 2,
			wantTfhd: tfhdDefaultDuration | tfhdDefaultSize | tfhdDefaultFlags,
		},
		{
			name: "video: two keyframes in one fragment: per-sample flags",
			track: &outTrack{src: synthTrack(manifest.Video, 12800, 20, 512, 5,
				func(int) uint32 { return 1000 }, nil)},
			first: 0, end: 20,
			wantTfhd: tfhdDefaultDuration | tfhdDefaultSize, wantTrun: trunFlags,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFrag(tc.track, tc.first, tc.end, 7)
			b := appendFrag(nil, tc.track, &f)
			if len(b) != f.moofSize+f.mdatHdr {
				t.Fatalf("encoded %d bytes, layout says %d", len(b), f.moofSize+f.mdatHdr)
			}
			box, err := mp4.DecodeBox(0, bytes.NewReader(b[:f.moofSize]))
			if err != nil {
				t.Fatalf("mp4ff cannot decode the moof: %v", err)
			}
			moof := box.(*mp4.MoofBox)
			traf := moof.Traf
			if got, want := traf.Tfhd.Flags, uint32(tfhdDefaultBaseMoof)|tc.wantTfhd; got != want {
				t.Errorf("tfhd flags %06x, want %06x", got, want)
			}
			if got, want := traf.Trun.Flags, uint32(trunDataOffset)|tc.wantTrun; got != want {
				t.Errorf("trun flags %06x, want %06x", got, want)
			}
			if traf.Trun.Version != tc.wantTrunV {
				t.Errorf("trun version %d, want %d", traf.Trun.Version, tc.wantTrunV)
			}
			if moof.Mfhd.SequenceNumber != 7 || traf.Tfhd.TrackID != outTrackID {
				t.Errorf("sequence %d track %d", moof.Mfhd.SequenceNumber, traf.Tfhd.TrackID)
			}
			if got, want := traf.Tfdt.BaseMediaDecodeTime(), tc.track.src.samples[tc.first].dts+tc.track.tfdtShift; got != want {
				t.Errorf("tfdt %d, want %d", got, want)
			}
			if got, want := int(traf.Trun.DataOffset), f.moofSize+8; got != want {
				t.Errorf("data offset %d, want %d", got, want)
			}
			if string(b[f.moofSize+4:f.moofSize+8]) != "mdat" {
				t.Errorf("no mdat header after the moof")
			}
			traf.Trun.AddSampleDefaultValues(traf.Tfhd, nil)
			type smp struct {
				Dur, Size uint32
				CTO       int32
				Sync      bool
			}
			var got, want []smp
			for _, s := range traf.Trun.Samples {
				got = append(got, smp{s.Dur, s.Size, s.CompositionTimeOffset, s.IsSync()})
			}
			for _, s := range tc.track.src.samples[tc.first:tc.end] {
				want = append(want, smp{s.dur, s.size, s.cto + tc.track.ctoShift, s.sync})
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("samples after an mp4ff round trip (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSidxRoundTrip(t *testing.T) {
	tr := &outTrack{src: synthTrack(manifest.Video, 12800, 10, 512, 5, func(int) uint32 { return 10 }, nil)}
	tr.segments = []outSegment{{size: 1000, durTicks: 2560}, {size: 2000, durTicks: 2560}}
	for _, ept := range []uint64{1024, 1 << 33} {
		b := appendSidx(nil, tr, ept)
		if len(b) != sidxSize(2, ept) {
			t.Fatalf("sidx %d bytes, sidxSize says %d", len(b), sidxSize(2, ept))
		}
		box, err := mp4.DecodeBox(0, bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		sidx := box.(*mp4.SidxBox)
		want := []mp4.SidxRef{
			{ReferencedSize: 1000, SubSegmentDuration: 2560, StartsWithSAP: 1, SAPType: 1},
			{ReferencedSize: 2000, SubSegmentDuration: 2560, StartsWithSAP: 1, SAPType: 1},
		}
		if diff := cmp.Diff(want, sidx.SidxRefs); diff != "" || sidx.EarliestPresentationTime != ept || sidx.Timescale != 12800 {
			t.Errorf("ept %d: sidx %+v (-want +got refs):\n%s", ept, sidx, diff)
		}
	}
}

func TestStyp(t *testing.T) {
	b := appendStyp(nil)
	box, err := mp4.DecodeBox(0, bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	styp := box.(*mp4.StypBox)
	if diff := cmp.Diff([]string{"msdh", "cmfs"}, styp.CompatibleBrands()); diff != "" || styp.MajorBrand() != "msdh" {
		t.Errorf("styp %s %v", styp.MajorBrand(), styp.CompatibleBrands())
	}
}
