package packager

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/Eyevinn/mp4ff/mp4"
	"github.com/google/go-cmp/cmp"

	"github.com/vpack-dev/vpack/manifest"
)

// ladderInputs is the 3-rung set plus a separate audio file.
func ladderInputs(t *testing.T) []string {
	return []string{fixture(t, "v180.mp4"), fixture(t, "v144.mp4"), fixture(t, "v90.mp4"), fixture(t, "audio_en.mp4")}
}

func TestRunStructure(t *testing.T) {
	for _, single := range []bool{false, true} {
		name := "segments"
		if single {
			name = "single-file"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			inputs := ladderInputs(t)
			res, out := runPackager(t, Config{SingleFile: single}, inputs...)
			p := res.Presentation

			videos, audios := tracksOf(p, manifest.Video), tracksOf(p, manifest.Audio)
			if len(videos) != 3 || len(audios) != 2 {
				t.Fatalf("got %d video and %d audio tracks, want 3 and 2", len(videos), len(audios))
			}
			src := map[string]map[string][]srcSample{}
			for _, in := range inputs {
				src[filepath.Base(in)] = sourceSamples(t, in)
			}
			wantSamples := map[string][]srcSample{
				videos[0].ID: src["v180.mp4"]["vide"], videos[1].ID: src["v144.mp4"]["vide"],
				videos[2].ID: src["v90.mp4"]["vide"], audios[0].ID: src["v180.mp4"]["soun"],
				audios[1].ID: src["audio_en.mp4"]["soun"],
			}

			var videoCuts [][]float64
			for _, tr := range p.Tracks {
				dec := decodeTrack(t, out, tr)
				checkInit(t, tr, dec.init, single)
				checkSegments(t, tr, dec, wantSamples[tr.ID])
				cuts := segmentTimes(tr, dec.init)
				if tr.Type == manifest.Video {
					videoCuts = append(videoCuts, cuts)
					checkIFrames(t, out, tr)
				}
			}
			for i := 1; i < len(videoCuts); i++ {
				if diff := cmp.Diff(videoCuts[0], videoCuts[i]); diff != "" {
					t.Errorf("video segment starts of %s differ from %s (-want +got):\n%s", videos[i].ID, videos[0].ID, diff)
				}
			}
			if want := []float64{0, 2, 4}; !cmp.Equal(videoCuts[0], want) {
				t.Errorf("video segment starts = %v, want %v", videoCuts[0], want)
			}
			for _, a := range audios {
				dec := decodeTrack(t, out, a)
				cuts := segmentTimes(a, dec.init)
				frame := 1024.0 / float64(a.SampleRate)
				if len(cuts) != len(videoCuts[0]) {
					t.Fatalf("%s: %d segments, video has %d", a.ID, len(cuts), len(videoCuts[0]))
				}
				for k := range cuts[1:] {
					if d := math.Abs(cuts[k+1] - videoCuts[0][k+1]); d > frame {
						t.Errorf("%s: cut %d at %.4fs is %.4fs from the video cut, more than a frame", a.ID, k+1, cuts[k+1], d)
					}
				}
			}
			if single {
				for _, tr := range p.Tracks {
					checkSidx(t, out, tr)
				}
			}
		})
	}
}

// checkInit asserts the CMAF header: cmfc brand, one trak, mvex/trex.
func checkInit(t *testing.T, tr manifest.Track, in *mp4.InitSegment, single bool) {
	t.Helper()
	if !slices.Contains(in.Ftyp.CompatibleBrands(), "cmfc") {
		t.Errorf("%s: init brands %v lack cmfc", tr.ID, in.Ftyp.CompatibleBrands())
	}
	if n := len(in.Moov.Traks); n != 1 {
		t.Errorf("%s: init has %d traks", tr.ID, n)
	}
	if in.Moov.Mvex == nil || in.Moov.Mvex.Trex == nil {
		t.Errorf("%s: init has no mvex/trex", tr.ID)
	}
	if stsz := in.Moov.Trak.Mdia.Minf.Stbl.Stsz; stsz == nil || stsz.SampleNumber != 0 {
		t.Errorf("%s: init sample table is not empty", tr.ID)
	}
	if in.Moov.Trak.Mdia.Mdhd.Timescale != tr.Timescale {
		t.Errorf("%s: timescale %d, model says %d", tr.ID, in.Moov.Trak.Mdia.Mdhd.Timescale, tr.Timescale)
	}
}

// checkSegments asserts each segment starts with a sync sample, tfdt
// continuity, and that the samples are the source's, byte for byte.
func checkSegments(t *testing.T, tr manifest.Track, dec outTrackFiles, want []srcSample) {
	t.Helper()
	var got []mp4.FullSample
	var next uint64
	for i, seg := range dec.segments {
		if len(seg) == 0 {
			t.Fatalf("%s segment %d: no fragments", tr.ID, i+1)
		}
		if !seg[0].samples[0].IsSync() {
			t.Errorf("%s segment %d: first sample is not sync", tr.ID, i+1)
		}
		if seg[0].tfdt != tr.Segments[i].StartTicks {
			t.Errorf("%s segment %d: tfdt %d, model StartTicks %d", tr.ID, i+1, seg[0].tfdt, tr.Segments[i].StartTicks)
		}
		var dur uint64
		for j, f := range seg {
			if (i > 0 || j > 0) && f.tfdt != next {
				t.Errorf("%s segment %d fragment %d: tfdt %d, want previous tfdt + durations = %d", tr.ID, i+1, j+1, f.tfdt, next)
			}
			for _, s := range f.samples {
				next = f.tfdt + dur
				dur += uint64(s.Dur)
			}
			next = seg[0].tfdt + dur
		}
		if dur != tr.Segments[i].DurTicks {
			t.Errorf("%s segment %d: durations sum to %d, model DurTicks %d", tr.ID, i+1, dur, tr.Segments[i].DurTicks)
		}
		for _, f := range seg {
			got = append(got, f.samples...)
		}
	}
	if len(got) != len(want) {
		t.Fatalf("%s: %d samples, source has %d", tr.ID, len(got), len(want))
	}
	for i := range got {
		if !bytes.Equal(got[i].Data, want[i].data) {
			t.Fatalf("%s: sample %d data differs from the source", tr.ID, i+1)
		}
		if got[i].Dur != want[i].dur || got[i].IsSync() != want[i].sync || got[i].DecodeTime-got[0].DecodeTime != want[i].dts-want[0].dts {
			t.Fatalf("%s: sample %d: dur %d sync %v dts %d, source dur %d sync %v dts %d", tr.ID, i+1,
				got[i].Dur, got[i].IsSync(), got[i].DecodeTime, want[i].dur, want[i].sync, want[i].dts)
		}
	}
}

// segmentTimes returns each segment's start presentation time in seconds:
// tfdt plus the first sample's composition offset, minus the init
// segment's edit list media_time.
func segmentTimes(tr manifest.Track, in *mp4.InitSegment) []float64 {
	var mediaTime int64
	if e := in.Moov.Trak.Edts; e != nil {
		mediaTime = e.Elst[0].Entries[0].MediaTime
	}
	var out []float64
	for _, s := range tr.Segments {
		out = append(out, float64(int64(s.StartTicks)-mediaTime)/float64(tr.Timescale))
	}
	return out
}

// checkIFrames asserts each I-frame range covers a moof, the mdat header
// and exactly the keyframe.
func checkIFrames(t *testing.T, out string, tr manifest.Track) {
	t.Helper()
	if len(tr.IFrames) == 0 {
		t.Fatalf("%s: no I-frames", tr.ID)
	}
	var total uint64
	for i, fr := range tr.IFrames {
		b, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(fr.URI)))
		if err != nil {
			t.Fatal(err)
		}
		r := b[fr.Range.Offset : fr.Range.Offset+fr.Range.Length]
		if string(r[4:8]) != "moof" {
			t.Fatalf("%s I-frame %d: range starts with %q, not moof", tr.ID, i+1, r[4:8])
		}
		moofSize := int64(binary.BigEndian.Uint32(r))
		box, err := mp4.DecodeBox(0, bytes.NewReader(r[:moofSize]))
		if err != nil {
			t.Fatal(err)
		}
		moof := box.(*mp4.MoofBox)
		first := moof.Traf.Trun.Samples[0].Size
		if first == 0 {
			first = moof.Traf.Tfhd.DefaultSampleSize
		}
		if want := moofSize + 8 + int64(first); fr.Range.Length != want {
			t.Errorf("%s I-frame %d: range length %d, want moof+mdat header+keyframe = %d", tr.ID, i+1, fr.Range.Length, want)
		}
		if string(r[moofSize+4:moofSize+8]) != "mdat" {
			t.Errorf("%s I-frame %d: no mdat after the moof", tr.ID, i+1)
		}
		total += fr.DurTicks
	}
	var segs uint64
	for _, s := range tr.Segments {
		segs += s.DurTicks
	}
	if total != segs {
		t.Errorf("%s: I-frame durations sum to %d, segments to %d", tr.ID, total, segs)
	}
}

// checkSidx asserts the single file's sidx: one reference per segment,
// sizes and durations matching Segment.Range, the first right after it.
func checkSidx(t *testing.T, out string, tr manifest.Track) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(tr.MediaURI)))
	if err != nil {
		t.Fatal(err)
	}
	f, err := mp4.DecodeFile(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if f.Sidx == nil {
		t.Fatalf("%s: no sidx", tr.ID)
	}
	if got := int64(f.Sidx.AnchorPoint - f.Sidx.Size()); got != tr.IndexRange.Offset || int64(f.Sidx.Size()) != tr.IndexRange.Length {
		t.Errorf("%s: sidx at %d (%d bytes), IndexRange %+v", tr.ID, got, f.Sidx.Size(), tr.IndexRange)
	}
	if len(f.Sidx.SidxRefs) != len(tr.Segments) {
		t.Fatalf("%s: %d sidx references for %d segments", tr.ID, len(f.Sidx.SidxRefs), len(tr.Segments))
	}
	off := tr.IndexRange.Offset + tr.IndexRange.Length + int64(f.Sidx.FirstOffset)
	var frags int64
	for _, seg := range f.Segments {
		for _, fr := range seg.Fragments {
			frags += int64(fr.Size())
		}
	}
	var refs int64
	for i, ref := range f.Sidx.SidxRefs {
		seg := tr.Segments[i]
		if seg.Range.Offset != off || int64(ref.ReferencedSize) != seg.Range.Length {
			t.Errorf("%s reference %d: at %d size %d, Segment.Range %+v", tr.ID, i+1, off, ref.ReferencedSize, seg.Range)
		}
		if uint64(ref.SubSegmentDuration) != seg.DurTicks || ref.StartsWithSAP != 1 {
			t.Errorf("%s reference %d: duration %d SAP %d, want %d and 1", tr.ID, i+1, ref.SubSegmentDuration, ref.StartsWithSAP, seg.DurTicks)
		}
		off += int64(ref.ReferencedSize)
		refs += int64(ref.ReferencedSize)
	}
	if refs != frags || off != int64(len(b)) {
		t.Errorf("%s: references sum to %d, fragments to %d; end %d, file %d bytes", tr.ID, refs, frags, off, len(b))
	}
}

func TestRunModel(t *testing.T) {
	t.Parallel()
	res, out := runPackager(t, Config{}, ladderInputs(t)...)
	var got []string
	for _, tr := range res.Presentation.Tracks {
		got = append(got, string(tr.Type)+" "+tr.Codecs+" "+tr.Language+" "+tr.Name)
	}
	want := []string{
		"video avc1.64000c  ", "video avc1.64000c  ", "video avc1.64000b  ",
		"audio mp4a.40.2 en English (AAC stereo)", "audio mp4a.40.2 en English (AAC stereo) 2",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("tracks (-want +got):\n%s", diff)
	}
	v := res.Presentation.Tracks[0]
	if v.Width != 320 || v.Height != 180 || v.FrameRate != (manifest.Rate{Num: 25, Den: 1}) || v.SARNum != 1 || v.SARDen != 1 {
		t.Errorf("video: %dx%d @%v SAR %d:%d", v.Width, v.Height, v.FrameRate, v.SARNum, v.SARDen)
	}
	if !strings.HasPrefix(v.ID, "180p-") || v.InitURI != "video/"+v.ID+"/init.mp4" ||
		v.Segments[0].URI != "video/"+v.ID+"/seg-00001.m4s" || v.PlaylistURI != "video/"+v.ID+"/index.m3u8" ||
		v.IFramePlaylistURI != "video/"+v.ID+"/iframes.m3u8" {
		t.Errorf("video naming: %+v", v)
	}
	a := res.Presentation.Tracks[3]
	if !a.Default || res.Presentation.Tracks[4].Default || a.Channels != 2 || a.SampleRate != 48000 ||
		!strings.HasPrefix(a.ID, "en-aac-") || a.InitURI != "audio/"+a.ID+"/init.mp4" {
		t.Errorf("audio: %+v", a)
	}
	for _, tr := range res.Presentation.Tracks {
		if tr.BandwidthBps < tr.AverageBandwidthBps || tr.AverageBandwidthBps <= 0 {
			t.Errorf("%s: peak %d < average %d", tr.ID, tr.BandwidthBps, tr.AverageBandwidthBps)
		}
	}
	if d := res.Presentation.Duration.Seconds(); d < 4.9 || d > 5.1 {
		t.Errorf("duration %v", res.Presentation.Duration)
	}

	b, err := os.ReadFile(filepath.Join(out, SummaryFile))
	if err != nil {
		t.Fatal(err)
	}
	var s Summary
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(res.Summary, s); diff != "" {
		t.Errorf("package.json differs from Result.Summary (-want +got):\n%s", diff)
	}
	if len(s.Tracks) != 5 || s.Tracks[0].Segments != 3 || s.Tracks[0].FrameRate != "25" || s.Tracks[0].Keyframes != 3 {
		t.Errorf("summary: %+v", s.Tracks[0])
	}
	var files int64
	for _, name := range dirEntries(t, out) {
		if st, err := os.Stat(name); err == nil && !st.IsDir() && filepath.Base(name) != SummaryFile {
			files += st.Size()
			if strings.HasSuffix(name, ".tmp") {
				t.Errorf("temporary file left: %s", name)
			}
		}
	}
	if files != s.TotalBytes {
		t.Errorf("files hold %d bytes, summary says %d", files, s.TotalBytes)
	}
}

// TestRunFragmentedInput: a fragmented copy of the renditions packs into the
// same segments with the same samples.
func TestRunFragmentedInput(t *testing.T) {
	t.Parallel()
	prog, _ := runPackager(t, Config{}, fixture(t, "v180.mp4"), fixture(t, "v144.mp4"))
	fragInputs := []string{fixture(t, "v180-frag.mp4"), fixture(t, "v144-frag.mp4")}
	frag, out := runPackager(t, Config{}, fragInputs...)
	if len(frag.Presentation.Tracks) != 3 {
		t.Fatalf("%d tracks from the fragmented inputs, want 3", len(frag.Presentation.Tracks))
	}
	for i, tr := range frag.Presentation.Tracks {
		if tr.Type != manifest.Video {
			continue
		}
		pt := prog.Presentation.Tracks[i]
		type seg struct{ Start, Dur uint64 }
		var a, b []seg
		for _, s := range pt.Segments {
			a = append(a, seg{s.StartTicks, s.DurTicks})
		}
		for _, s := range tr.Segments {
			b = append(b, seg{s.StartTicks, s.DurTicks})
		}
		if diff := cmp.Diff(a, b); diff != "" {
			t.Errorf("%s: segments differ from the progressive input's (-prog +frag):\n%s", tr.ID, diff)
		}
	}
	src0 := sourceSamples(t, fragInputs[0])
	src1 := sourceSamples(t, fragInputs[1])
	want := [][]srcSample{src0["vide"], src1["vide"], src0["soun"]}
	for i, tr := range frag.Presentation.Tracks {
		checkSegments(t, tr, decodeTrack(t, out, tr), want[i])
	}
}

func TestRunHalfFrameRate(t *testing.T) {
	t.Parallel()
	res, _ := runPackager(t, Config{}, fixture(t, "v180.mp4"), fixture(t, "v90-12fps.mp4"))
	v := tracksOf(res.Presentation, manifest.Video)
	if v[1].FrameRate != (manifest.Rate{Num: 25, Den: 2}) || len(v[1].Segments) != len(v[0].Segments) {
		t.Errorf("12.5 fps rung: rate %v, %d segments (25 fps rung: %d)", v[1].FrameRate, len(v[1].Segments), len(v[0].Segments))
	}
}

func TestRunBadRenditions(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cut := func(name, from string, n func(size int) int) string {
		b, err := os.ReadFile(fixture(t, from))
		if err != nil {
			t.Fatal(err)
		}
		return write(name, b[:n(len(b))])
	}
	good := fixture(t, "v180.mp4")
	tests := []struct {
		name   string
		inputs []string
		err    error  // errors.Is, when set
		want   string // in the message, besides the file name
		file   string // the file the message must name
	}{
		{name: "misaligned keyframes", inputs: []string{good, fixture(t, "v90-keyint37.mp4")},
			err: ErrNotAligned, want: "no keyframe at", file: "v90-keyint37.mp4"},
		{name: "24 vs 25 fps", inputs: []string{good, fixture(t, "v90-24fps.mp4")},
			err: ErrNotAligned, want: "keyframe", file: "v90-24fps.mp4"},
		{name: "truncated to 2 KB", inputs: []string{good, cut("first2k.mp4", "v144.mp4", func(int) int { return 2048 })},
			err: ErrTruncated, want: "mdat box", file: "first2k.mp4"},
		{name: "truncated to half", inputs: []string{good, cut("half.mp4", "v144.mp4", func(n int) int { return n / 2 })},
			err: ErrTruncated, want: "mdat box", file: "half.mp4"},
		{name: "truncated in the moov", inputs: []string{good, cut("moovcut.mp4", "faststart.mp4", func(int) int { return 2048 })},
			err: ErrTruncated, want: "moov box", file: "moovcut.mp4"},
		{name: "truncated in the mdat after the moov", inputs: []string{good, cut("mdatcut.mp4", "faststart.mp4", func(n int) int { return n - 1000 })},
			err: ErrTruncated, want: "mdat box", file: "mdatcut.mp4"},
		{name: "no tracks", inputs: []string{good, fixture(t, "empty.mp4")},
			err: ErrNoSamples, want: "no audio or video tracks", file: "empty.mp4"},
		{name: "track without samples", inputs: []string{good, fixture(t, "empty-frag.mp4")},
			err: ErrNoSamples, want: "track 1 (video)", file: "empty-frag.mp4"},
		{name: "text file", inputs: []string{good, write("notes.mp4", []byte("hello, this is not a video\n"))},
			err: ErrNotMP4, want: "not an MP4", file: "notes.mp4"},
		{name: "empty file", inputs: []string{write("zero.mp4", nil)},
			err: ErrNotMP4, want: "not an MP4", file: "zero.mp4"},
		{name: "missing file", inputs: []string{good, filepath.Join(dir, "missing.mp4")},
			err: os.ErrNotExist, want: "no such file", file: "missing.mp4"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			cfg := Config{OutDir: out, SegmentDuration: testTarget}
			for _, in := range tc.inputs {
				cfg.Inputs = append(cfg.Inputs, Input{Path: in})
			}
			res, err := Run(context.Background(), cfg)
			if err == nil {
				t.Fatalf("Run succeeded with %d tracks, want an error", len(res.Presentation.Tracks))
			}
			t.Logf("error: %v", err)
			if tc.err != nil && !errors.Is(err, tc.err) {
				t.Errorf("error %q does not wrap %v", err, tc.err)
			}
			var re *RenditionError
			if !errors.As(err, &re) || filepath.Base(re.InputFile()) != tc.file {
				t.Errorf("error %q is not a RenditionError blaming %s", err, tc.file)
			}
			if msg := err.Error(); !strings.Contains(msg, tc.file) || !strings.Contains(msg, tc.want) {
				t.Errorf("error %q should name %s and say %q", msg, tc.file, tc.want)
			}
			if names := dirEntries(t, out); len(names) > 0 {
				t.Errorf("output written despite the error: %v", names)
			}
		})
	}
}

func TestRunOutDirNotEmpty(t *testing.T) {
	t.Parallel()
	out := t.TempDir()
	if err := os.WriteFile(filepath.Join(out, "x"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Run(context.Background(), Config{Inputs: []Input{{Path: fixture(t, "audio_en.mp4")}}, OutDir: out})
	if !errors.Is(err, ErrOutDirNotEmpty) {
		t.Fatalf("err = %v, want ErrOutDirNotEmpty", err)
	}
}

// TestRunBoundedReads: sample data is streamed through a fixed buffer, never
// read whole. With a 16 KiB buffer every read of sample data must fit in
// it, although the inputs' mdat boxes are many times larger; loading whole
// mdats (or whole segments) would break the bound.
func TestRunBoundedReads(t *testing.T) {
	t.Parallel()
	const buf = 16 << 10
	in := fixture(t, "v180.mp4")
	st, err := os.Stat(in)
	if err != nil {
		t.Fatal(err)
	}
	if st.Size() < 8*buf {
		t.Fatalf("fixture too small (%d bytes) for the bound to mean anything", st.Size())
	}
	res, out := runPackager(t, Config{copyBufferBytes: buf, Concurrency: 1}, in, fixture(t, "v144.mp4"))
	if res.Stats.MaxReadBytes > buf || res.Stats.MaxReadBytes == 0 {
		t.Errorf("largest read of sample data %d bytes, want ≤ %d", res.Stats.MaxReadBytes, buf)
	}
	if res.Stats.SampleBytes < 4*buf {
		t.Errorf("only %d sample bytes copied", res.Stats.SampleBytes)
	}
	// The small buffer must not change the output.
	src := sourceSamples(t, in)
	checkSegments(t, res.Presentation.Tracks[0], decodeTrack(t, out, res.Presentation.Tracks[0]), src["vide"])
}

func TestRunAudioOnly(t *testing.T) {
	t.Parallel()
	res, _ := runPackager(t, Config{}, fixture(t, "audio_en.mp4"))
	if n := len(res.Presentation.Tracks); n != 1 {
		t.Fatalf("%d tracks", n)
	}
	a := res.Presentation.Tracks[0]
	if a.ID != "en-aac" || len(a.Segments) != 3 || !a.Default {
		t.Errorf("audio-only: id %s, %d segments, default %v", a.ID, len(a.Segments), a.Default)
	}
}

func TestRunDuplicateAudioAndIDOverride(t *testing.T) {
	t.Parallel()
	audio := fixture(t, "audio_en.mp4")
	cfg := Config{OutDir: filepath.Join(t.TempDir(), "out"), SegmentDuration: testTarget, Inputs: []Input{
		{Path: fixture(t, "v144.mp4"), ID: "low"},
		{Path: audio},
		{Path: audio}, // the same audio again: packaged once
		{Path: audio, Language: "fra"},
	}}
	res, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, tr := range res.Presentation.Tracks {
		ids = append(ids, tr.ID+" "+tr.Language+" "+tr.Name)
	}
	want := []string{"low  ", "en-aac en English", "fr-aac fr French"}
	if diff := cmp.Diff(want, ids); diff != "" {
		t.Errorf("tracks (-want +got):\n%s", diff)
	}
}

func TestRunCancelled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Run(ctx, Config{Inputs: []Input{{Path: fixture(t, "audio_en.mp4")}}, OutDir: t.TempDir()})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

// TestRunManifests: with HLS and DASH asked for, the manifests are written
// after the media, read back to the same tracks, and ffmpeg's HLS and DASH
// demuxers decode every stream of the result.
func TestRunManifests(t *testing.T) {
	for _, single := range []bool{false, true} {
		t.Run(map[bool]string{false: "segments", true: "single-file"}[single], func(t *testing.T) {
			t.Parallel()
			res, out := runPackager(t, Config{SingleFile: single, HLS: &manifest.HLSOptions{}, DASH: &manifest.DASHOptions{}},
				fixture(t, "v180.mp4"), fixture(t, "v90.mp4"))
			if n := len(res.Manifests); n < 2 || res.Manifests[0] != DefaultMPDName || res.Manifests[n-1] != manifest.DefaultMultivariantName {
				t.Errorf("manifests written: %v", res.Manifests)
			}
			hls, err := manifest.ReadHLS(os.DirFS(out), manifest.DefaultMultivariantName)
			if err != nil {
				t.Fatalf("ReadHLS: %v", err)
			}
			mpd, err := os.ReadFile(filepath.Join(out, DefaultMPDName))
			if err != nil {
				t.Fatal(err)
			}
			dash, err := manifest.ReadDASH(mpd)
			if err != nil {
				t.Fatalf("ReadDASH: %v", err)
			}
			ids := func(p *manifest.Presentation) []string {
				var s []string
				for _, tr := range p.Tracks {
					s = append(s, tr.ID)
				}
				slices.Sort(s)
				return s
			}
			if diff := cmp.Diff(ids(res.Presentation), ids(hls)); diff != "" {
				t.Errorf("HLS tracks (-packaged +read):\n%s", diff)
			}
			if diff := cmp.Diff(ids(res.Presentation), ids(dash)); diff != "" {
				t.Errorf("DASH tracks (-packaged +read):\n%s", diff)
			}
			for _, m := range []string{manifest.DefaultMultivariantName, DefaultMPDName} {
				cmd := exec.Command("ffmpeg", "-v", "error", "-i", filepath.Join(out, m), "-map", "0", "-f", "null", "-")
				if b, err := cmd.CombinedOutput(); err != nil || len(bytes.TrimSpace(b)) > 0 {
					t.Errorf("ffmpeg decoding %s: %v\n%s", m, err, b)
				}
			}
		})
	}
}

func TestRunProgress(t *testing.T) {
	t.Parallel()
	var calls [][2]int64
	res, _ := runPackager(t, Config{Progress: func(done, total int64) { calls = append(calls, [2]int64{done, total}) }},
		fixture(t, "v180.mp4"))
	if len(calls) < 2 || calls[0][0] != 0 {
		t.Fatalf("progress calls %v", calls)
	}
	for i := 1; i < len(calls); i++ {
		if calls[i][0] < calls[i-1][0] || calls[i][1] != calls[0][1] {
			t.Fatalf("progress not monotonic: %v", calls)
		}
	}
	if last := calls[len(calls)-1]; last[0] != last[1] || last[1] != res.Stats.SampleBytes {
		t.Errorf("last progress %v, sample bytes %d", last, res.Stats.SampleBytes)
	}
}

func TestRunBadOptions(t *testing.T) {
	t.Parallel()
	v, a := fixture(t, "v144.mp4"), fixture(t, "audio_en.mp4")
	tests := []struct {
		name   string
		inputs []Input
		want   string
	}{
		{"ID with a slash", []Input{{Path: v, ID: "a/b"}}, `ID "a/b" is not URL-safe`},
		{"ID used twice", []Input{{Path: v, ID: "x"}, {Path: a, ID: "x"}}, `ID "x" is used twice`},
		{"language not BCP 47", []Input{{Path: a, Language: "en_US"}}, `language "en_US" is not a BCP 47 tag`},
		{"no inputs", nil, "no inputs"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			_, err := Run(context.Background(), Config{Inputs: tc.inputs, OutDir: out})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if names := dirEntries(t, out); len(names) > 0 {
				t.Errorf("output written despite the error: %v", names)
			}
		})
	}
}
