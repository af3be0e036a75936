package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/Eyevinn/mp4ff/avc"
	"github.com/Eyevinn/mp4ff/mp4"

	"github.com/vpack-dev/vpack/encode"
	"github.com/vpack-dev/vpack/internal/mediatest"
	"github.com/vpack-dev/vpack/manifest"
	"github.com/vpack-dev/vpack/validate"
)

// TestEncodeEndToEnd runs `vpack encode` as a user would (probe, ladder,
// encode, package, manifests) and checks the package against the media,
// independently of the packager's own model:
//   - ffmpeg decodes every rung through the HLS and the DASH manifest, served
//     over loopback HTTP, and the frame count equals the source's (halved for
//     the half-rate rung);
//   - every EXTINF and SegmentTimeline duration equals the samples in the
//     segment within one frame, and every segment starts with a sync sample;
//   - declared BANDWIDTH is >= the measured peak and within 10 % of it;
//     AVERAGE-BANDWIDTH within 10 % of the measured average;
//   - CODECS, RESOLUTION and FRAME-RATE agree with the init segments;
//   - the MPD validates against the DASH schema (xmllint), and vpack's own
//     validator finds no errors and no warnings.
func TestEncodeEndToEnd(t *testing.T) {
	mediatest.RequireFFmpeg(t)
	xmllint := mediatest.RequireTool(t, "xmllint")
	schema := filepath.Join(mediatest.SharedDir(t), "schemas", "DASH-MPD.xsd")
	dir := t.TempDir()
	src := mediatest.Generate(t, dir, "src.mp4",
		"-f", "lavfi", "-i", "testsrc2=size=320x180:rate=50:duration=4",
		"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=4",
		"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
		"-c:a", "aac", "-ac", "2", "-metadata:s:a:0", "language=eng", "-shortest")
	ladderFile := filepath.Join(dir, "ladder.json")
	writeFile(t, ladderFile, `{"name":"e2e","video":[
		{"width":320,"height":180,"bitrate_kbps":500},
		{"width":256,"height":144,"bitrate_kbps":300},
		{"width":160,"height":90,"bitrate_kbps":150,"max_fps":30}]}`)
	srcFrames := countFrames(t, src, "v:0")

	for _, single := range []bool{false, true} {
		name := map[bool]string{false: "segments", true: "single-file"}[single]
		t.Run(name, func(t *testing.T) {
			out := filepath.Join(dir, name)
			res, err := Encode(context.Background(), encode.NewExecRunner(nil), EncodeConfig{
				Input: src, Output: out, Ladder: ladderFile, Preset: "ultrafast",
				SegmentDuration: time.Second, Package: PackageOptions{SingleFile: single},
			})
			if err != nil {
				t.Fatal(err)
			}
			if got := len(res.Ladder.Video); got != 3 {
				t.Fatalf("rungs = %d, want 3", got)
			}
			if b, err := exec.Command(xmllint, "--noout", "--schema", schema, filepath.Join(out, "manifest.mpd")).CombinedOutput(); err != nil {
				t.Errorf("xmllint: %v\n%s", err, b)
			}
			report, err := validate.Dir(context.Background(), out, validate.Options{MPDSchema: schema})
			if err != nil {
				t.Fatal(err)
			}
			if report.HasErrors() || report.HasWarnings() {
				var b strings.Builder
				_ = report.WriteText(&b)
				t.Errorf("vpack validate finds problems:\n%s", b.String())
			}
			hls, err := manifest.ReadHLS(os.DirFS(out), "master.m3u8")
			if err != nil {
				t.Fatal(err)
			}
			mpd, err := os.ReadFile(filepath.Join(out, "manifest.mpd"))
			if err != nil {
				t.Fatal(err)
			}
			dash, err := manifest.ReadDASH(mpd)
			if err != nil {
				t.Fatal(err)
			}
			media := map[string]trackMedia{}
			for _, tr := range hls.Tracks {
				media[tr.ID] = readTrackMedia(t, out, tr)
				checkDurations(t, "HLS", tr, media[tr.ID])
			}
			for _, tr := range dash.Tracks {
				if !single { // on-demand MPDs list no segments: they are in the sidx
					checkDurations(t, "DASH", tr, media[tr.ID])
				}
				checkInit(t, "DASH", tr, media[tr.ID])
			}
			for _, tr := range hls.Tracks {
				checkInit(t, "HLS", tr, media[tr.ID])
			}
			checkBandwidth(t, hls, media)

			srv := httptest.NewServer(http.FileServer(http.Dir(out)))
			defer srv.Close()
			for _, m := range []string{"master.m3u8", "manifest.mpd"} {
				for i, rung := range res.Ladder.Video {
					want := srcFrames * int64(rung.FrameRate.Num) / (int64(rung.FrameRate.Den) * 50) // source is 50 fps
					got := countFramesOfSize(t, srv.URL+"/"+m, rung.Width, rung.Height)
					if got != want {
						t.Errorf("%s rung %d (%s): decoded %d frames, want %d", m, i, rung.Name, got, want)
					}
				}
			}
		})
	}
}

// trackMedia is what the test measures from one track's files.
type trackMedia struct {
	init       *mp4.InitSegment
	segDurs    []float64 // seconds, from trun sample durations
	segBytes   []int64
	sampleDurs map[uint32]int // sample duration histogram (ticks), for the frame rate
	timescale  uint32
}

func readTrackMedia(t *testing.T, dir string, tr manifest.Track) trackMedia {
	t.Helper()
	var initBytes []byte
	if tr.MediaURI != "" {
		initBytes = readRange(t, filepath.Join(dir, tr.MediaURI), tr.InitRange)
	} else {
		initBytes = readRange(t, filepath.Join(dir, tr.InitURI), manifest.ByteRange{})
	}
	f, err := mp4.DecodeFile(bytes.NewReader(initBytes))
	if err != nil || f.Init == nil {
		t.Fatalf("%s: init segment: %v", tr.ID, err)
	}
	m := trackMedia{init: f.Init, sampleDurs: map[uint32]int{}, timescale: f.Init.Moov.Trak.Mdia.Mdhd.Timescale}
	trex := f.Init.Moov.Mvex.Trex
	for i, seg := range tr.Segments {
		var data []byte
		if tr.MediaURI != "" {
			data = readRange(t, filepath.Join(dir, tr.MediaURI), seg.Range)
		} else {
			data = readRange(t, filepath.Join(dir, seg.URI), manifest.ByteRange{})
		}
		sf, err := mp4.DecodeFile(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s segment %d: %v", tr.ID, i+1, err)
		}
		var ticks uint64
		first := true
		for _, s := range sf.Segments {
			for _, frag := range s.Fragments {
				samples, err := frag.GetFullSamples(trex)
				if err != nil {
					t.Fatalf("%s segment %d: %v", tr.ID, i+1, err)
				}
				for _, smp := range samples {
					if first && tr.Type == manifest.Video && !smp.IsSync() {
						t.Errorf("%s segment %d does not start with a sync sample", tr.ID, i+1)
					}
					first = false
					ticks += uint64(smp.Dur)
					m.sampleDurs[smp.Dur]++
				}
			}
		}
		m.segDurs = append(m.segDurs, float64(ticks)/float64(m.timescale))
		m.segBytes = append(m.segBytes, int64(len(data)))
	}
	return m
}

func readRange(t *testing.T, path string, r manifest.ByteRange) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if r.Length == 0 {
		b, err := io.ReadAll(f)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	b := make([]byte, r.Length)
	if _, err := f.ReadAt(b, r.Offset); err != nil {
		t.Fatalf("%s bytes %d@%d: %v", path, r.Length, r.Offset, err)
	}
	return b
}

// checkDurations compares the manifest's segment durations with the media.
func checkDurations(t *testing.T, kind string, tr manifest.Track, m trackMedia) {
	t.Helper()
	if len(tr.Segments) != len(m.segDurs) {
		t.Errorf("%s %s: %d segments, media has %d", kind, tr.ID, len(tr.Segments), len(m.segDurs))
		return
	}
	frame := 1.0 / 25 // one video frame at the lowest rate here; audio frames are shorter
	for i, seg := range tr.Segments {
		declared := float64(seg.DurTicks) / float64(tr.Timescale)
		if d := math.Abs(declared - m.segDurs[i]); d > frame {
			t.Errorf("%s %s segment %d: declared %.3fs, media %.3fs", kind, tr.ID, i+1, declared, m.segDurs[i])
		}
	}
}

// checkInit compares CODECS, RESOLUTION and FRAME-RATE with the init segment
// and the sample durations.
func checkInit(t *testing.T, kind string, tr manifest.Track, m trackMedia) {
	t.Helper()
	stsd := m.init.Moov.Trak.Mdia.Minf.Stbl.Stsd
	switch tr.Type {
	case manifest.Video:
		if stsd.AvcX == nil || stsd.AvcX.AvcC == nil || len(stsd.AvcX.AvcC.SPSnalus) == 0 {
			t.Fatalf("%s %s: no avcC", kind, tr.ID)
		}
		sps, err := avc.ParseSPSNALUnit(stsd.AvcX.AvcC.SPSnalus[0], false)
		if err != nil {
			t.Fatal(err)
		}
		// RFC 6381 hex digits are case-insensitive.
		if want := avc.CodecString("avc1", sps); !strings.EqualFold(tr.Codecs, want) {
			t.Errorf("%s %s: CODECS %s, init says %s", kind, tr.ID, tr.Codecs, want)
		}
		if tr.Width != int(stsd.AvcX.Width) || tr.Height != int(stsd.AvcX.Height) {
			t.Errorf("%s %s: RESOLUTION %dx%d, init says %dx%d", kind, tr.ID, tr.Width, tr.Height, stsd.AvcX.Width, stsd.AvcX.Height)
		}
		dur, _ := mostCommon(m.sampleDurs)
		fps := float64(m.timescale) / float64(dur)
		declared := float64(tr.FrameRate.Num) / float64(tr.FrameRate.Den)
		if math.Abs(fps-declared) > 0.001 {
			t.Errorf("%s %s: FRAME-RATE %.3f, samples say %.3f", kind, tr.ID, declared, fps)
		}
	case manifest.Audio:
		if stsd.Mp4a == nil || !strings.HasPrefix(tr.Codecs, "mp4a.40.2") {
			t.Errorf("%s %s: codecs %q for sample entry %v", kind, tr.ID, tr.Codecs, stsd.Children)
		}
	}
}

// checkBandwidth: BANDWIDTH >= measured peak and within 10 % of it; AVERAGE-
// BANDWIDTH within 10 % of the measured average (Apple's authoring rules).
// The peak is the largest segment bit rate of the video plus that of the
// largest audio track in its group.
func checkBandwidth(t *testing.T, p *manifest.Presentation, media map[string]trackMedia) {
	t.Helper()
	if len(p.Variants) == 0 {
		t.Fatal("no variants")
	}
	for _, v := range p.Variants {
		peak, avg := rates(media[v.VideoID])
		var aPeak, aAvg float64
		for _, id := range v.AudioIDs {
			ap, aa := rates(media[id])
			aPeak, aAvg = math.Max(aPeak, ap), math.Max(aAvg, aa)
		}
		peak, avg = peak+aPeak, avg+aAvg
		if float64(v.BandwidthBps) < peak || float64(v.BandwidthBps) > peak*1.10 {
			t.Errorf("%s: BANDWIDTH %d, measured peak %.0f", v.VideoID, v.BandwidthBps, peak)
		}
		if math.Abs(float64(v.AverageBandwidthBps)-avg) > avg*0.10 {
			t.Errorf("%s: AVERAGE-BANDWIDTH %d, measured %.0f", v.VideoID, v.AverageBandwidthBps, avg)
		}
	}
}

// rates returns the peak segment bit rate and the average bit rate of a
// track, in bits per second, from segment sizes and media durations.
func rates(m trackMedia) (peak, avg float64) {
	var bits, secs float64
	for i, d := range m.segDurs {
		if d <= 0 {
			continue
		}
		peak = math.Max(peak, float64(m.segBytes[i])*8/d)
		bits += float64(m.segBytes[i]) * 8
		secs += d
	}
	if secs > 0 {
		avg = bits / secs
	}
	return peak, avg
}

func mostCommon(h map[uint32]int) (uint32, int) {
	var best uint32
	n := -1
	for k, c := range h {
		if c > n || c == n && k < best {
			best, n = k, c
		}
	}
	return best, n
}

// countFrames decodes stream spec of input fully and counts the frames.
func countFrames(t *testing.T, input, spec string) int64 {
	t.Helper()
	out, err := exec.Command("ffmpeg", "-v", "error", "-nostdin", "-i", input, "-map", "0:"+spec, "-f", "framecrc", "-").Output()
	if err != nil {
		t.Fatalf("ffmpeg decoding %s %s: %v", input, spec, err)
	}
	var n int64
	for _, l := range strings.Split(string(out), "\n") {
		if l != "" && !strings.HasPrefix(l, "#") {
			n++
		}
	}
	return n
}

// countFramesOfSize decodes the video stream of the given size through a
// manifest URL (HLS and DASH expose one stream per rung) and counts frames.
func countFramesOfSize(t *testing.T, url string, w, h int) int64 {
	t.Helper()
	out, err := exec.Command("ffprobe", "-v", "error", "-select_streams", "v", "-show_entries", "stream=width,height",
		"-of", "json", url).Output()
	if err != nil {
		t.Fatalf("ffprobe %s: %v", url, err)
	}
	var probe struct {
		Streams []struct{ Width, Height int }
	}
	if err := json.Unmarshal(out, &probe); err != nil {
		t.Fatal(err)
	}
	for i, s := range probe.Streams {
		if s.Width == w && s.Height == h {
			return countFrames(t, url, "v:"+strconv.Itoa(i))
		}
	}
	t.Fatalf("%s has no %dx%d video stream:\n%s", url, w, h, out)
	return 0
}

func writeFile(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}
