package validate_test

import (
	"context"
	"encoding/binary"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/vpack-dev/vpack/internal/mediatest"
	"github.com/vpack-dev/vpack/manifest"
	"github.com/vpack-dev/vpack/packager"
	"github.com/vpack-dev/vpack/validate"
)

// validateDir runs validate.Dir and fails the test on an error (not on
// findings).
func validateDir(t *testing.T, dir string, opts validate.Options) *validate.Report {
	t.Helper()
	r, err := validate.Dir(context.Background(), dir, opts)
	if err != nil {
		t.Fatalf("validate.Dir: %v", err)
	}
	return r
}

// requireSpotless fails unless the report has no errors and no warnings.
func requireSpotless(t *testing.T, r *validate.Report) {
	t.Helper()
	if r.HasErrors() || r.HasWarnings() {
		var b strings.Builder
		r.WriteText(&b)
		t.Fatalf("want no errors and no warnings:\n%s", b.String())
	}
}

func TestCleanPackage(t *testing.T) {
	dir, _ := cleanPackage(t)
	r := validateDir(t, dir, validate.Options{})
	requireSpotless(t, r)
	if r.Stats.Segments != 9 || r.Stats.InitSegments != 3 || r.Stats.Playlists != 6 || r.Stats.MPDs != 1 {
		t.Errorf("stats = %+v, want 9 segments, 3 init segments, 6 playlists, 1 MPD", r.Stats)
	}
	if err := r.Check(true); err != nil {
		t.Errorf("Check(strict) = %v", err)
	}
}

func TestCleanEncryptedPackage(t *testing.T) {
	for _, scheme := range []string{"cenc", "cbcs"} {
		t.Run(scheme, func(t *testing.T) {
			dir, _ := encryptedPackage(t, scheme)
			keys := []validate.Key{{KID: [16]byte(videoKID), Key: [16]byte(videoKey)}, {KID: [16]byte(audioKID), Key: [16]byte(audioKey)}}
			r := validateDir(t, dir, validate.Options{Keys: keys, DecryptSegments: 3})
			requireSpotless(t, r)
		})
	}
}

// mutation is one fault put into a copy of a clean package, and the rule
// that must report it.
type mutation struct {
	name      string
	encrypted string // "cenc"/"cbcs": mutate the encrypted package
	text      bool   // mutate the text package (textPackage)
	mutate    func(t *testing.T, dir string, p *manifest.Presentation)
	rule      string
	keys      bool // validate with the keys
}

// replaceIn edits the file rel in dir with a regexp replacement and fails
// when nothing matched.
func replaceIn(t *testing.T, dir, rel, pattern, repl string) {
	t.Helper()
	path := filepath.Join(dir, filepath.FromSlash(rel))
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(pattern)
	if !re.Match(b) {
		t.Fatalf("%s: %q not found", rel, pattern)
	}
	if err := os.WriteFile(path, re.ReplaceAll(b, []byte(repl)), 0o644); err != nil {
		t.Fatal(err)
	}
}

func videoTrack(p *manifest.Presentation, n int) manifest.Track {
	for _, tr := range p.Tracks {
		if tr.Type == manifest.Video {
			if n == 0 {
				return tr
			}
			n--
		}
	}
	panic("no such video track")
}

func audioTrack(p *manifest.Presentation) manifest.Track {
	for _, tr := range p.Tracks {
		if tr.Type == manifest.Audio {
			return tr
		}
	}
	panic("no audio track")
}

func segFile(dir string, tr manifest.Track, i int) string {
	return filepath.Join(dir, filepath.FromSlash(tr.Segments[i].URI))
}

var mutations = []mutation{
	// References and safety.
	{name: "missing segment", rule: "REF-MISSING", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		if err := os.Remove(segFile(dir, videoTrack(p, 0), 1)); err != nil {
			t.Fatal(err)
		}
	}},
	{name: "path escape with ../", rule: "REF-ESCAPE", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		replaceIn(t, dir, videoTrack(p, 0).PlaylistURI, `seg-00002\.m4s`, "../../../../etc/passwd")
	}},
	{name: "absolute path", rule: "REF-ESCAPE", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		replaceIn(t, dir, "master.m3u8", `\nvideo/`, "\n/etc/video/")
	}},
	{name: "other host", rule: "REF-ESCAPE", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		replaceIn(t, dir, "manifest.mpd", `initialization="video/`, `initialization="http://evil.example/video/`)
	}},
	{name: "no manifest", rule: "PKG-NO-MANIFEST", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		os.Remove(filepath.Join(dir, "master.m3u8"))
		os.Remove(filepath.Join(dir, "manifest.mpd"))
	}},

	// HLS playlists.
	{name: "BANDWIDTH too low", rule: "HLS-BANDWIDTH", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		replaceIn(t, dir, "master.m3u8", `#EXT-X-STREAM-INF:BANDWIDTH=\d+`, "#EXT-X-STREAM-INF:BANDWIDTH=100000")
	}},
	{name: "BANDWIDTH far too high", rule: "HLS-BANDWIDTH-HIGH", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		replaceIn(t, dir, "master.m3u8", `#EXT-X-STREAM-INF:BANDWIDTH=\d+`, "#EXT-X-STREAM-INF:BANDWIDTH=90000000")
	}},
	{name: "AVERAGE-BANDWIDTH off", rule: "HLS-AVERAGE-BANDWIDTH", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		replaceIn(t, dir, "master.m3u8", `AVERAGE-BANDWIDTH=\d+`, "AVERAGE-BANDWIDTH=1000")
	}},
	{name: "wrong CODECS", rule: "HLS-CODECS", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		replaceIn(t, dir, "master.m3u8", `CODECS="avc1\.[0-9a-f]+,`, `CODECS="avc1.640028,`)
	}},
	{name: "wrong RESOLUTION", rule: "HLS-RESOLUTION", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		replaceIn(t, dir, "master.m3u8", `RESOLUTION=320x180`, "RESOLUTION=1920x1080")
	}},
	{name: "wrong FRAME-RATE", rule: "HLS-FRAME-RATE", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		replaceIn(t, dir, "master.m3u8", `FRAME-RATE=25\.000`, "FRAME-RATE=30.000")
	}},
	{name: "wrong EXTINF", rule: "HLS-EXTINF-MEDIA", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		replaceIn(t, dir, videoTrack(p, 0).PlaylistURI, `#EXTINF:2\.000,\nseg-00002`, "#EXTINF:1.500,\nseg-00002")
	}},
	{name: "TARGETDURATION too small", rule: "HLS-TARGETDURATION", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		replaceIn(t, dir, videoTrack(p, 0).PlaylistURI, `#EXT-X-TARGETDURATION:2`, "#EXT-X-TARGETDURATION:1")
	}},
	{name: "duplicate segment", rule: "HLS-SEGMENT-REPEATED", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		replaceIn(t, dir, videoTrack(p, 0).PlaylistURI, `(#EXTINF:[0-9.]+,\nseg-00002\.m4s\n)`, "$1$1")
	}},
	{name: "non-UTF-8 playlist", rule: "HLS-ENCODING", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		replaceIn(t, dir, "master.m3u8", `NAME="English"`, "NAME=\"Engl\xffsh\"")
	}},
	{name: "CRLF line endings", rule: "HLS-CRLF", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		replaceIn(t, dir, videoTrack(p, 1).PlaylistURI, `\n`, "\r\n")
	}},
	{name: "mixed line endings", rule: "HLS-LINE-ENDINGS", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		replaceIn(t, dir, videoTrack(p, 1).PlaylistURI, `(#EXT-X-VERSION:\d+)\n`, "$1\r\n")
	}},
	{name: "absurdly large BANDWIDTH", rule: "HLS-NUMBER", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		replaceIn(t, dir, "master.m3u8", `#EXT-X-STREAM-INF:BANDWIDTH=\d+`, "#EXT-X-STREAM-INF:BANDWIDTH=99999999999999999999999999")
	}},
	{name: "absurdly large EXTINF", rule: "HLS-NUMBER", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		replaceIn(t, dir, videoTrack(p, 0).PlaylistURI, `#EXTINF:2\.000,\nseg-00002`, "#EXTINF:99999999999.000,\nseg-00002")
	}},
	{name: "EXT-X-VERSION too low", rule: "HLS-VERSION", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		replaceIn(t, dir, videoTrack(p, 0).PlaylistURI, `#EXT-X-VERSION:6`, "#EXT-X-VERSION:3")
	}},
	{name: "no EXT-X-MAP", rule: "HLS-MAP", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		replaceIn(t, dir, videoTrack(p, 0).PlaylistURI, `#EXT-X-MAP:[^\n]*\n`, "")
	}},
	{name: "audio group missing", rule: "HLS-GROUP-MISSING", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		replaceIn(t, dir, "master.m3u8", `AUDIO="aac"`, `AUDIO="ac3"`)
	}},
	{name: "no #EXTM3U", rule: "HLS-EXTM3U", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		replaceIn(t, dir, videoTrack(p, 0).PlaylistURI, `^#EXTM3U\n`, "")
	}},
	{name: "EXTINF without URI", rule: "HLS-TAG-PLACEMENT", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		replaceIn(t, dir, videoTrack(p, 0).PlaylistURI, `\nseg-00002\.m4s`, "")
	}},
	{name: "bad attribute list", rule: "HLS-SYNTAX", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		replaceIn(t, dir, "master.m3u8", `GROUP-ID="aac"`, `GROUP-ID="aac`)
	}},
	{name: "I-frame range misses the keyframe", rule: "HLS-IFRAME", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		replaceIn(t, dir, videoTrack(p, 0).IFramePlaylistURI, `#EXT-X-BYTERANGE:\d+@(\d+)`, "#EXT-X-BYTERANGE:100@$1")
	}},

	// Media.
	{name: "segment not starting with a keyframe", rule: "CMAF-SEGMENT-SAP", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		patchBox(t, segFile(dir, videoTrack(p, 0), 1), "moof/traf/trun", 1, func(b []byte) {
			flags := binary.BigEndian.Uint32(b) & 0xffffff
			if flags&0x4 == 0 {
				t.Fatalf("trun flags %06x have no first_sample_flags", flags)
			}
			off := 8
			if flags&0x1 != 0 {
				off += 4
			}
			binary.BigEndian.PutUint32(b[off:], 0x01010000)
		})
	}},
	{name: "startWithSAP not true in the media", rule: "DASH-START-WITH-SAP", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		patchBox(t, segFile(dir, videoTrack(p, 1), 2), "moof/traf/trun", 1, func(b []byte) {
			off := 8
			if binary.BigEndian.Uint32(b)&0x1 != 0 {
				off += 4
			}
			binary.BigEndian.PutUint32(b[off:], 0x01010000)
		})
	}},
	{name: "truncated segment", rule: "MP4-TRUNCATED", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		f := segFile(dir, videoTrack(p, 0), 0)
		st, _ := os.Stat(f)
		if err := os.Truncate(f, st.Size()/2); err != nil {
			t.Fatal(err)
		}
	}},
	{name: "tfdt gap", rule: "CMAF-TFDT-GAP", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		tr := videoTrack(p, 0)
		patchBox(t, segFile(dir, tr, 2), "moof/traf/tfdt", 1, func(b []byte) {
			v := binary.BigEndian.Uint64(b[4:])
			binary.BigEndian.PutUint64(b[4:], v+uint64(tr.Timescale))
		})
	}},
	{name: "tfdt overlap", rule: "CMAF-TFDT-OVERLAP", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		tr := audioTrack(p)
		patchBox(t, segFile(dir, tr, 1), "moof/traf/tfdt", 1, func(b []byte) {
			v := binary.BigEndian.Uint64(b[4:])
			binary.BigEndian.PutUint64(b[4:], v-uint64(tr.Timescale)/2)
		})
	}},
	{name: "wrong track ID", rule: "CMAF-TRACK-ID", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		patchBox(t, segFile(dir, audioTrack(p), 0), "moof/traf/tfhd", 1, func(b []byte) { binary.BigEndian.PutUint32(b[4:], 7) })
	}},
	{name: "no tfdt", rule: "CMAF-TFDT", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		data, err := os.ReadFile(segFile(dir, audioTrack(p), 1))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(segFile(dir, audioTrack(p), 1), []byte(strings.Replace(string(data), "tfdt", "free", 1)), 0o644)
	}},
	{name: "zero sample durations", rule: "CMAF-SAMPLE-DURATION", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		patchBox(t, segFile(dir, videoTrack(p, 1), 0), "moof/traf/tfhd", 1, func(b []byte) {
			if binary.BigEndian.Uint32(b)&0x8 == 0 {
				t.Fatal("tfhd has no default duration")
			}
			off := 8
			if binary.BigEndian.Uint32(b)&0x1 != 0 {
				off += 8
			}
			if binary.BigEndian.Uint32(b)&0x2 != 0 {
				off += 4
			}
			binary.BigEndian.PutUint32(b[off:], 0)
		})
	}},
	{name: "data offset outside mdat", rule: "CMAF-DATA-OFFSET", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		patchBox(t, segFile(dir, audioTrack(p), 2), "moof/traf/trun", 1, func(b []byte) {
			binary.BigEndian.PutUint32(b[8:], binary.BigEndian.Uint32(b[8:])+100000)
		})
	}},
	{name: "mdat without moof", rule: "CMAF-FRAGMENT-ORDER", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		f := segFile(dir, audioTrack(p), 0)
		data, _ := os.ReadFile(f)
		os.WriteFile(f, []byte(strings.Replace(string(data), "moof", "free", 1)), 0o644)
	}},
	{name: "sequence numbers go back", rule: "CMAF-SEQUENCE", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		patchBox(t, segFile(dir, audioTrack(p), 2), "moof/mfhd", 1, func(b []byte) { binary.BigEndian.PutUint32(b[4:], 1) })
	}},
	{name: "init brands not CMAF", rule: "CMAF-BRAND", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		f := filepath.Join(dir, filepath.FromSlash(audioTrack(p).InitURI))
		data, _ := os.ReadFile(f)
		os.WriteFile(f, []byte(strings.ReplaceAll(string(data), "cmfc", "iso9")), 0o644)
	}},
	{name: "init segment missing", rule: "REF-MISSING", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		os.Remove(filepath.Join(dir, filepath.FromSlash(videoTrack(p, 1).InitURI)))
	}},

	{name: "I-frame range beyond the file", rule: "REF-BYTERANGE", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		replaceIn(t, dir, videoTrack(p, 1).IFramePlaylistURI, `#EXT-X-BYTERANGE:\d+@(\d+)`, "#EXT-X-BYTERANGE:99999999@$1")
	}},
	{name: "bit rate spike", rule: "HLS-PEAK-RATIO", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		f := segFile(dir, videoTrack(p, 1), 1)
		data, _ := os.ReadFile(f)
		pad := make([]byte, 10*len(data))
		binary.BigEndian.PutUint32(pad, uint32(len(pad)))
		copy(pad[4:], "free")
		os.WriteFile(f, append(data, pad...), 0o644)
	}},
	{name: "samples in the init segment", rule: "CMAF-INIT-SAMPLES", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		f := filepath.Join(dir, filepath.FromSlash(videoTrack(p, 1).InitURI))
		data, _ := os.ReadFile(f)
		os.WriteFile(f, append(data, 0, 0, 0, 12, 'm', 'd', 'a', 't', 1, 2, 3, 4), 0o644)
	}},
	{name: "HLS lists another file", rule: "CROSS-SEGMENTS", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		tr := videoTrack(p, 0)
		data, _ := os.ReadFile(segFile(dir, tr, 1))
		os.WriteFile(filepath.Join(filepath.Dir(segFile(dir, tr, 1)), "copy.m4s"), data, 0o644)
		replaceIn(t, dir, tr.PlaylistURI, `seg-00002\.m4s`, "copy.m4s")
	}},

	// DASH.
	{name: "timeline gap", rule: "DASH-TIMELINE-GAP", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		replaceIn(t, dir, "manifest.mpd", `<S d="(\d+)"></S>\s*</SegmentTimeline>`, `<S t="999999" d="$1"></S></SegmentTimeline>`)
	}},
	{name: "MPD not well-formed", rule: "DASH-XML", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		replaceIn(t, dir, "manifest.mpd", `</Period>`, "</Perio>")
	}},
	{name: "unknown MPD element", rule: "DASH-SCHEMA", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		replaceIn(t, dir, "manifest.mpd", `<Label>`, "<Foo></Foo><Label>")
	}},
	{name: "bad attribute type", rule: "DASH-SCHEMA", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		replaceIn(t, dir, "manifest.mpd", `startNumber="1"`, `startNumber="one"`)
	}},
	{name: "wrong @codecs", rule: "DASH-CODECS", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		replaceIn(t, dir, "manifest.mpd", `codecs="mp4a\.40\.2"`, `codecs="mp4a.40.5"`)
	}},
	{name: "wrong @width", rule: "DASH-MEDIA-ATTRIBUTES", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		replaceIn(t, dir, "manifest.mpd", `width="320"`, `width="640"`)
	}},
	{name: "@bandwidth too low", rule: "DASH-BANDWIDTH", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		replaceIn(t, dir, "manifest.mpd", `bandwidth="\d+" width="320"`, `bandwidth="1000" width="320"`)
	}},
	{name: "mediaPresentationDuration wrong", rule: "DASH-TIMELINE-TOTAL", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		replaceIn(t, dir, "manifest.mpd", `mediaPresentationDuration="[^"]+"`, `mediaPresentationDuration="PT10S"`)
	}},
	{name: "no duration", rule: "DASH-DURATION", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		replaceIn(t, dir, "manifest.mpd", ` mediaPresentationDuration="[^"]+"`, ``)
	}},
	{name: "duplicate Representation id", rule: "DASH-DUPLICATE-ID", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		replaceIn(t, dir, "manifest.mpd", `id="`+videoTrack(p, 1).ID+`"`, `id="`+videoTrack(p, 0).ID+`"`)
	}},
	{name: "bad template identifier", rule: "DASH-TEMPLATE", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		replaceIn(t, dir, "manifest.mpd", `\$Number%05d\$`, `$$Nummer$$`)
	}},
	{name: "timeline does not match the media", rule: "DASH-TIMELINE-MEDIA", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		replaceIn(t, dir, "manifest.mpd", `<S t="0" d="(\d+)"`, `<S t="0" d="1$1"`)
	}},

	// HLS against DASH.
	{name: "track only in HLS", rule: "CROSS-TRACKS", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		replaceIn(t, dir, "manifest.mpd", `(?s)<Representation id="`+videoTrack(p, 1).ID+`".*?</Representation>`, "")
	}},
	{name: "HLS and DASH durations differ", rule: "CROSS-DURATION", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		replaceIn(t, dir, audioTrack(p).PlaylistURI, `#EXTINF:([0-9.]+),\nseg-00002`, "#EXTINF:1.900,\nseg-00002")
	}},

	// Encryption.
	{name: "wrong KEYID", encrypted: "cenc", rule: "HLS-KEY-KEYID", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		replaceIn(t, dir, videoTrack(p, 0).PlaylistURI, `KEYID=0x[0-9a-f]+`, "KEYID=0x11111111111111111111111111111111")
	}},
	{name: "wrong default_KID", encrypted: "cenc", rule: "DASH-CP-DEFAULT-KID", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		replaceIn(t, dir, "manifest.mpd", `cenc:default_KID="01234567-`, `cenc:default_KID="99999999-`)
	}},
	{name: "KIDs differ between HLS and DASH", encrypted: "cenc", rule: "CROSS-KID", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		replaceIn(t, dir, audioTrack(p).PlaylistURI, `KEYID=0x[0-9a-f]+`, "KEYID=0x22222222222222222222222222222222")
	}},
	{name: "wrong METHOD", encrypted: "cenc", rule: "HLS-KEY-METHOD", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		replaceIn(t, dir, audioTrack(p).PlaylistURI, `METHOD=SAMPLE-AES-CTR`, "METHOD=SAMPLE-AES")
	}},
	{name: "no EXT-X-KEY", encrypted: "cbcs", rule: "HLS-KEY-METHOD", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		replaceIn(t, dir, videoTrack(p, 1).PlaylistURI, `#EXT-X-KEY:[^\n]*\n`, "")
	}},
	{name: "no ContentProtection", encrypted: "cbcs", rule: "DASH-CP-MISSING", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		replaceIn(t, dir, "manifest.mpd", `<ContentProtection [^\n]*\n`, "")
	}},
	{name: "pssh of another system", encrypted: "cenc", rule: "DASH-CP-PSSH", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		replaceIn(t, dir, "manifest.mpd", `urn:uuid:edef8ba9-79d6-4ace-a3c8-27dcd51d21ed`, "urn:uuid:9a04f079-9840-4286-ab92-e65be0885f95")
	}},
	{name: "missing pssh", encrypted: "cenc", rule: "CENC-PSSH-MISSING", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		for _, tr := range p.Tracks {
			f := filepath.Join(dir, filepath.FromSlash(tr.InitURI))
			data, _ := os.ReadFile(f)
			os.WriteFile(f, []byte(strings.Replace(string(data), "pssh", "free", 1)), 0o644)
			for _, pl := range []string{tr.PlaylistURI, tr.IFramePlaylistURI} {
				if pl != "" {
					replaceIn(t, dir, pl, `URI="data:[^"]*",`, `URI="skd://key",`)
				}
			}
		}
		replaceIn(t, dir, "manifest.mpd", `<ContentProtection schemeIdUri="urn:uuid:[^\n]*\n`, "")
	}},
	{name: "KEYFORMAT of another system", encrypted: "cenc", rule: "HLS-KEY-FORMAT", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		replaceIn(t, dir, audioTrack(p).PlaylistURI, `KEYFORMAT="urn:uuid:edef8ba9-79d6-4ace-a3c8-27dcd51d21ed"`, `KEYFORMAT="urn:uuid:9a04f079-9840-4286-ab92-e65be0885f95"`)
	}},
	{name: "pssh of another KID", encrypted: "cbcs", rule: "CENC-PSSH", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		patchBox(t, filepath.Join(dir, filepath.FromSlash(audioTrack(p).InitURI)), "moov/pssh", 1, func(b []byte) { b[len(b)-1] ^= 0xff })
	}},
	{name: "protected range not 16-byte aligned", encrypted: "cenc", rule: "CENC-PROTECTED-ALIGNMENT", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		patchBox(t, segFile(dir, videoTrack(p, 1), 0), "moof/traf/senc", 1, func(b []byte) {
			off := 8 + 8 + 2 // first sample: IV, subsample count, then clear (2) + protected (4)
			binary.BigEndian.PutUint16(b[off:], binary.BigEndian.Uint16(b[off:])+1)
			binary.BigEndian.PutUint32(b[off+2:], binary.BigEndian.Uint32(b[off+2:])-1)
		})
	}},
	{name: "subsamples beyond the sample, decrypted", encrypted: "cenc", rule: "CENC-DECRYPT", keys: true, mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		patchBox(t, segFile(dir, videoTrack(p, 0), 0), "moof/traf/senc", 1, func(b []byte) {
			off := 8 + 8 + 2
			binary.BigEndian.PutUint32(b[off+2:], binary.BigEndian.Uint32(b[off+2:])+1<<20)
		})
	}},
	{name: "senc sample count", encrypted: "cenc", rule: "CENC-SENC", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		patchBox(t, segFile(dir, audioTrack(p), 0), "moof/traf/senc", 1, func(b []byte) {
			binary.BigEndian.PutUint32(b[4:], binary.BigEndian.Uint32(b[4:])-1)
		})
	}},
	{name: "subsamples do not add up", encrypted: "cenc", rule: "CENC-SUBSAMPLES", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		patchBox(t, segFile(dir, videoTrack(p, 0), 0), "moof/traf/senc", 1, func(b []byte) {
			// first sample: IV (8 bytes), subsample count, then clear (2) + protected (4)
			off := 8 + 8 + 2
			binary.BigEndian.PutUint16(b[off:], binary.BigEndian.Uint16(b[off:])+16)
		})
	}},
	{name: "saio offset wrong", encrypted: "cbcs", rule: "CENC-SAIZ-SAIO", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		patchBox(t, segFile(dir, videoTrack(p, 0), 1), "moof/traf/saio", 1, func(b []byte) {
			n := len(b)
			binary.BigEndian.PutUint32(b[n-4:], binary.BigEndian.Uint32(b[n-4:])+4)
		})
	}},
	{name: "tenc IV size invalid", encrypted: "cenc", rule: "CENC-SCHEME", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		f := filepath.Join(dir, filepath.FromSlash(audioTrack(p).InitURI))
		patchBox(t, f, "moov/trak/mdia/minf/stbl/stsd", 1, func(b []byte) {
			i := strings.Index(string(b), "tenc")
			b[i+4+7] = 12 // default_Per_Sample_IV_Size
		})
	}},
	{name: "no key for a KID", encrypted: "cbcs", rule: "CENC-KEY-MISSING", keys: true, mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		// the keys given have no audio key: see keysFor
	}},
	{name: "clear region corrupted", encrypted: "cbcs", rule: "MEDIA-NAL", keys: true, mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		f := segFile(dir, videoTrack(p, 0), 0)
		data, _ := os.ReadFile(f)
		i := strings.Index(string(data), "mdat")
		data[i+4] = 0xff // the first NAL length field of the first sample
		os.WriteFile(f, data, 0o644)
	}},
}

func TestMutations(t *testing.T) {
	if len(mutations) < 20 {
		t.Fatalf("only %d mutations", len(mutations))
	}
	for _, m := range append(mutations, textMutations...) {
		t.Run(m.name, func(t *testing.T) {
			var src string
			var p *manifest.Presentation
			switch {
			case m.encrypted != "":
				src, p = encryptedPackage(t, m.encrypted)
			case m.text:
				src, p = textPackage(t)
			default:
				src, p = cleanPackage(t)
			}
			dir := copyPackage(t, src)
			m.mutate(t, dir, p)
			var opts validate.Options
			if m.keys {
				opts.Keys = []validate.Key{{KID: [16]byte(videoKID), Key: [16]byte(videoKey)}}
			}
			r := validateDir(t, dir, opts)
			if testing.Verbose() {
				var b strings.Builder
				r.WriteText(&b)
				t.Log("\n" + b.String())
			}
			if len(r.ByRule(m.rule)) == 0 {
				var b strings.Builder
				r.WriteText(&b)
				t.Fatalf("no %s finding:\n%s", m.rule, b.String())
			}
			rule, _ := validate.LookupRule(m.rule)
			if rule.Severity == validate.Error && r.Check(false) == nil {
				t.Errorf("Check() = nil with an error finding")
			}
		})
	}
}

// TestMisalignedRungs packages a rung whose keyframes are at 0, 2.4 and
// 4.4 s instead of every 2 s, on its own (the packager refuses misaligned
// rungs), puts it in place of the 160x90 rung and rewrites the manifests:
// every manifest is consistent with its media, but the rungs cannot be
// switched between.
func TestMisalignedRungs(t *testing.T) {
	src, p := cleanPackage(t)
	dir := copyPackage(t, src)
	low := videoTrack(p, 1)
	shifted := filepath.Join(t.TempDir(), "shifted")
	res, err := packager.Run(context.Background(), packager.Config{
		Inputs: []packager.Input{{Path: inputs.v90Shifted, ID: low.ID}}, OutDir: shifted, SegmentDuration: 2e9,
	})
	if err != nil {
		t.Fatal(err)
	}
	os.RemoveAll(filepath.Join(dir, "video", low.ID))
	if err := os.Rename(filepath.Join(shifted, "video", low.ID), filepath.Join(dir, "video", low.ID)); err != nil {
		t.Fatal(err)
	}
	q := *p
	q.Tracks = append([]manifest.Track(nil), p.Tracks...)
	for i := range q.Tracks {
		if q.Tracks[i].ID == low.ID {
			q.Tracks[i] = res.Presentation.Tracks[0]
		}
	}
	writeManifests(t, dir, &q)
	r := validateDir(t, dir, validate.Options{})
	for _, rule := range []string{"DASH-SEGMENT-ALIGNMENT", "HLS-ALIGNMENT"} {
		if len(r.ByRule(rule)) == 0 {
			var b strings.Builder
			r.WriteText(&b)
			t.Errorf("no %s finding:\n%s", rule, b.String())
		}
	}
}

// TestMPDSchema runs the xmllint check with the shared DASH-MPD.xsd: the
// clean MPD passes, an element in the wrong place fails it.
func TestMPDSchema(t *testing.T) {
	mediatest.RequireTool(t, "xmllint")
	schema := filepath.Join(mediatest.SharedDir(t), "schemas", "DASH-MPD.xsd")
	src, _ := cleanPackage(t)
	opts := validate.Options{MPDSchema: schema}
	requireSpotless(t, validateDir(t, src, opts))
	dir := copyPackage(t, src)
	replaceIn(t, dir, "manifest.mpd", `<Label>`, "<BaseURL>x/</BaseURL><Label>")
	r := validateDir(t, dir, opts)
	if len(r.ByRule("DASH-XSD")) == 0 {
		var b strings.Builder
		r.WriteText(&b)
		t.Errorf("no DASH-XSD finding:\n%s", b.String())
	}
}
