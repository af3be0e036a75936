package manifest

import (
	"bytes"
	"errors"
	"io/fs"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/Eyevinn/hls-m3u8/m3u8"
	"github.com/google/go-cmp/cmp"
)

// hlsFiles writes p and returns the files by name.
func hlsFiles(t *testing.T, p *Presentation, opts HLSOptions) map[string]string {
	t.Helper()
	files, err := WriteHLS(p, opts)
	if err != nil {
		t.Fatal(err)
	}
	out := make(map[string]string)
	for _, f := range files {
		out[f.Name] = string(f.Data)
	}
	return out
}

var (
	streamInfRe = regexp.MustCompile(`(?m)^#EXT-X-STREAM-INF:.*BANDWIDTH=(\d+).*STABLE-VARIANT-ID="([^"]+)",AUDIO="([^"]+)"`)
	versionRe   = regexp.MustCompile(`(?m)^#EXT-X-VERSION:(\d+)$`)
	targetRe    = regexp.MustCompile(`(?m)^#EXT-X-TARGETDURATION:(\d+)$`)
	extinfRe    = regexp.MustCompile(`(?m)^#EXTINF:([0-9.]+),$`)
)

func TestDefaultVariantFirst(t *testing.T) {
	tests := []struct {
		name       string
		p          *Presentation
		defaultBps int64
		wantFirst  string
	}{
		{"ladder closest to 2000k", goldenPresentations()["ladder"], 0, "540p-2000k"},
		{"mixed codecs", goldenPresentations()["mixed"], 0, "540p-2000k"},
		{"other target", goldenPresentations()["ladder"], 5_000_000, "1080p-6000k"},
		{"below the ladder", goldenPresentations()["ladder"], 100_000, "360p-730k"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			master := hlsFiles(t, tc.p, HLSOptions{DefaultVariantBandwidthBps: tc.defaultBps})[DefaultMultivariantName]
			m := streamInfRe.FindAllStringSubmatch(master, -1)
			if len(m) == 0 {
				t.Fatalf("no EXT-X-STREAM-INF in\n%s", master)
			}
			if m[0][2] != tc.wantFirst || m[0][3] != "aac" {
				t.Errorf("first variant %s with audio %s, want %s with aac", m[0][2], m[0][3], tc.wantFirst)
			}
			// The rest: by audio group, then BANDWIDTH ascending.
			groupRank := map[string]int{"aac": 0, "ec-3": 1}
			for i := 2; i < len(m); i++ {
				prev, cur := m[i-1], m[i]
				pb, _ := strconv.Atoi(prev[1])
				cb, _ := strconv.Atoi(cur[1])
				if groupRank[prev[3]] > groupRank[cur[3]] || prev[3] == cur[3] && pb > cb {
					t.Errorf("variant %d (%s %s %d) listed after (%s %s %d)", i, cur[2], cur[3], cb, prev[2], prev[3], pb)
				}
			}
		})
	}
}

func TestTargetDurationRule(t *testing.T) {
	tests := []struct {
		maxMs   uint64
		version int
		want    uint
	}{
		{2000, 6, 2},
		{2499, 6, 2}, // rounds to 2: a 2.499 s segment fits a target of 2 from version 6 on
		{2500, 6, 3}, // half rounds up
		{2001, 5, 3}, // up to version 5 the target bounds every EXTINF
		{2000, 5, 2},
		{0, 6, 1},
		{400, 6, 1},
	}
	for _, tc := range tests {
		if got := targetDuration(tc.maxMs, tc.version); got != tc.want {
			t.Errorf("targetDuration(%d ms, v%d) = %d, want %d", tc.maxMs, tc.version, got, tc.want)
		}
	}

	// End to end: segments of 2.4 s give 2 in the media playlist (v6) and 3
	// in the I-frame playlist (v5).
	p := goldenPresentations()["ladder"]
	v := &p.Tracks[0]
	for i := range v.Segments {
		v.Segments[i].DurTicks = 2400 * videoTimescale / 1000
		v.IFrames[i].DurTicks = 2400 * videoTimescale / 1000
	}
	files := hlsFiles(t, p, HLSOptions{})
	if got := targetRe.FindStringSubmatch(files[v.PlaylistURI]); got == nil || got[1] != "2" {
		t.Errorf("media playlist target %v, want 2", got)
	}
	if got := targetRe.FindStringSubmatch(files[v.IFramePlaylistURI]); got == nil || got[1] != "3" {
		t.Errorf("I-frame playlist target %v, want 3", got)
	}

	// Every golden media playlist obeys RFC 8216 §4.3.3.1 for its version.
	for _, name := range goldenNames() {
		for file, data := range hlsFiles(t, goldenPresentations()[name], HLSOptions{}) {
			target := targetRe.FindStringSubmatch(data)
			if target == nil {
				continue
			}
			tgt, _ := strconv.Atoi(target[1])
			ver, _ := strconv.Atoi(versionRe.FindStringSubmatch(data)[1])
			for _, m := range extinfRe.FindAllStringSubmatch(data, -1) {
				d, _ := strconv.ParseFloat(m[1], 64)
				if ver >= 6 && math.Floor(d+0.5) > float64(tgt) || ver < 6 && d > float64(tgt) {
					t.Errorf("%s/%s: EXTINF %s exceeds EXT-X-TARGETDURATION %d at version %d", name, file, m[1], tgt, ver)
				}
			}
		}
	}
}

func TestVersionPerFeatures(t *testing.T) {
	tests := []struct {
		iframes, byteRanges, hasMap bool
		want                        int
	}{
		{false, false, false, 3},
		{false, true, false, 4},
		{true, true, false, 4},
		{true, true, true, 5},
		{true, false, true, 5},
		{false, false, true, 6},
		{false, true, true, 6},
	}
	for _, tc := range tests {
		if got := mediaPlaylistVersion(tc.iframes, tc.byteRanges, tc.hasMap); got != tc.want {
			t.Errorf("mediaPlaylistVersion(iframes=%v, byteRanges=%v, map=%v) = %d, want %d",
				tc.iframes, tc.byteRanges, tc.hasMap, got, tc.want)
		}
	}

	// Each written media playlist declares exactly the minimum hls-m3u8
	// computes from its content, and the multivariant playlist the highest.
	for _, name := range goldenNames() {
		files := hlsFiles(t, goldenPresentations()[name], HLSOptions{})
		highest := 0
		for file, data := range files {
			if file == DefaultMultivariantName {
				continue
			}
			if strings.Contains(data, "\n"+imagesOnlyTag+"\n") {
				// Image playlists declare the version of the Image Media
				// Playlist specification, which the library does not
				// know, and do not count for the multivariant playlist.
				if got := versionRe.FindStringSubmatch(data); got == nil || got[1] != "7" {
					t.Errorf("%s/%s: EXT-X-VERSION %v, want 7", name, file, got)
				}
				continue
			}
			pl, typ, err := m3u8.DecodeFrom(strings.NewReader(data), true)
			if err != nil || typ != m3u8.MEDIA {
				t.Fatalf("%s/%s: %v", name, file, err)
			}
			want, reason := pl.CalcMinVersion()
			if got := pl.Version(); got != want {
				t.Errorf("%s/%s: EXT-X-VERSION %d, minimum %d (%s)", name, file, got, want, reason)
			}
			highest = max(highest, int(pl.Version()))
		}
		got, _ := strconv.Atoi(versionRe.FindStringSubmatch(files[DefaultMultivariantName])[1])
		if got != highest {
			t.Errorf("%s: multivariant EXT-X-VERSION %d, want %d", name, got, highest)
		}
	}
}

func TestOneDefaultPerAudioGroup(t *testing.T) {
	noneMarked := goldenPresentations()["ladder"]
	twoMarked := goldenPresentations()["ladder"]
	for i := range noneMarked.Tracks {
		noneMarked.Tracks[i].Default = false
		twoMarked.Tracks[i].Default = twoMarked.Tracks[i].Type == Audio
	}
	tests := map[string]struct {
		p    *Presentation
		want map[string]string // group → NAME of the default
	}{
		"marked":      {goldenPresentations()["ladder"], map[string]string{"aac": "English", "ec-3": "English 5.1"}},
		"none marked": {noneMarked, map[string]string{"aac": "English", "ec-3": "English 5.1"}}, // first in Track order
		"two marked":  {twoMarked, map[string]string{"aac": "English", "ec-3": "English 5.1"}},
	}
	mediaRe := regexp.MustCompile(`(?m)^#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="([^"]+)",NAME="([^"]+)".*DEFAULT=(YES|NO)`)
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			master := hlsFiles(t, tc.p, HLSOptions{})[DefaultMultivariantName]
			got := make(map[string]string)
			for _, m := range mediaRe.FindAllStringSubmatch(master, -1) {
				if m[3] != "YES" {
					continue
				}
				if prev, ok := got[m[1]]; ok {
					t.Errorf("group %s: DEFAULT=YES on %q and %q", m[1], prev, m[2])
				}
				got[m[1]] = m[2]
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("defaults per group (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEXTINFMilliseconds(t *testing.T) {
	tests := []struct {
		timescale uint32
		ticks     uint64
		want      string
	}{
		{90000, 180180, "2.002"}, // 60 frames at 29.97
		{48000, 96256, "2.005"},  // 94 AAC frames: 2.005333 s
		{44100, 88200, "2.000"},
		{30000, 1001, "0.033"},
		{2000, 1, "0.001"}, // 0.5 ms rounds half up
		{12800, 19456, "1.520"},
		{1, 3, "3.000"},
	}
	for _, tc := range tests {
		p := goldenPresentations()["videoonly"]
		p.Tracks = p.Tracks[:1]
		tr := &p.Tracks[0]
		tr.Timescale = tc.timescale
		tr.Segments = tr.Segments[:1]
		tr.Segments[0].DurTicks = tc.ticks
		data := hlsFiles(t, p, HLSOptions{})[tr.PlaylistURI]
		m := extinfRe.FindStringSubmatch(data)
		if m == nil || m[1] != tc.want {
			t.Errorf("%d ticks at %d Hz: EXTINF %v, want %s", tc.ticks, tc.timescale, m, tc.want)
		}
	}
}

func TestWriteHLSErrors(t *testing.T) {
	tests := map[string]struct {
		edit func(p *Presentation)
		want error
	}{
		"no tracks":                            {func(p *Presentation) { p.Tracks = nil }, ErrInvalid},
		"duplicate ID":                         {func(p *Presentation) { p.Tracks[1].ID = p.Tracks[0].ID }, ErrInvalid},
		"no playlist URI":                      {func(p *Presentation) { p.Tracks[0].PlaylistURI = "" }, ErrInvalid},
		"shared playlist":                      {func(p *Presentation) { p.Tracks[1].PlaylistURI = p.Tracks[0].PlaylistURI }, ErrInvalid},
		"absolute URI":                         {func(p *Presentation) { p.Tracks[0].Segments[0].URI = "/abs/seg.m4s" }, errBadURI},
		"climbing URI":                         {func(p *Presentation) { p.Tracks[0].InitURI = "../init.mp4" }, errBadURI},
		"quote in name":                        {func(p *Presentation) { p.Tracks[4].Name = `Eng"lish` }, ErrInvalid},
		"newline in URI":                       {func(p *Presentation) { p.Tracks[0].Segments[1].URI = "a\n#EXT-X-ENDLIST" }, ErrInvalid},
		"zero timescale":                       {func(p *Presentation) { p.Tracks[0].Timescale = 0 }, ErrInvalid},
		"zero duration":                        {func(p *Presentation) { p.Tracks[0].Segments[2].DurTicks = 0 }, ErrInvalid},
		"no frame rate":                        {func(p *Presentation) { p.Tracks[0].FrameRate = Rate{} }, ErrInvalid},
		"duplicate NAME":                       {func(p *Presentation) { p.Tracks[5].Name = p.Tracks[4].Name; p.Tracks[5].Language = "en" }, ErrInvalid},
		"audio only":                           {func(p *Presentation) { p.Tracks = p.Tracks[4:] }, ErrUnsupported},
		"iframes w/o video":                    {func(p *Presentation) { p.Tracks[4].IFramePlaylistURI = "x.m3u8" }, ErrInvalid},
		"bandwidth > 32 bits":                  {func(p *Presentation) { p.Tracks[0].BandwidthBps = 1 << 33 }, ErrInvalid},
		"playlist named like the multivariant": {func(p *Presentation) { p.Tracks[0].PlaylistURI = DefaultMultivariantName }, ErrInvalid},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			p := goldenPresentations()["ladder"]
			tc.edit(p)
			_, err := WriteHLS(p, HLSOptions{})
			if !errors.Is(err, tc.want) {
				t.Errorf("WriteHLS: %v, want %v", err, tc.want)
			}
		})
	}
	if _, err := WriteHLS(goldenPresentations()["ladder"], HLSOptions{MultivariantName: "sub/master.m3u8"}); err == nil {
		t.Error("WriteHLS accepted a multivariant playlist name in a folder")
	}
}

// TestReadHLSErrors checks that errors name the file and line.
func TestReadHLSErrors(t *testing.T) {
	const master = "#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-STREAM-INF:BANDWIDTH=1000,RESOLUTION=640x360,CODECS=\"avc1.64001e\"\nv/index.m3u8\n"
	const media = "#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-TARGETDURATION:2\n#EXT-X-MAP:URI=\"init.mp4\"\n#EXTINF:2.000,\nseg-1.m4s\n#EXTINF:2.000,\nseg-2.m4s\n#EXT-X-ENDLIST\n"
	tests := map[string]struct {
		master, media string
		wantFile      string
		wantLine      int
		wantErr       error
	}{
		"no EXTM3U":              {"#EXT-X-VERSION:6\n", media, "out/master.m3u8", 1, nil},
		"bad RESOLUTION":         {strings.Replace(master, "640x360", "640", 1), media, "out/master.m3u8", 3, nil},
		"no URI line":            {strings.TrimSuffix(master, "v/index.m3u8\n"), media, "out/master.m3u8", 3, nil},
		"escaping URI":           {strings.Replace(master, "v/index", "../../v/index", 1), media, "out/master.m3u8", 3, errBadURI},
		"media, not master":      {media, media, "out/master.m3u8", 0, nil},
		"bad EXTINF":             {master, strings.Replace(media, "#EXTINF:2.000,\nseg-2", "#EXTINF:two,\nseg-2", 1), "out/v/index.m3u8", 7, nil},
		"NaN EXTINF":             {master, strings.Replace(media, "#EXTINF:2.000,\nseg-2", "#EXTINF:NaN,\nseg-2", 1), "out/v/index.m3u8", 7, nil},
		"no ENDLIST":             {master, strings.TrimSuffix(media, "#EXT-X-ENDLIST\n"), "out/v/index.m3u8", 0, ErrUnsupported},
		"no MAP":                 {master, strings.Replace(media, "#EXT-X-MAP:URI=\"init.mp4\"\n", "", 1), "out/v/index.m3u8", 4, ErrUnsupported},
		"tag without segment":    {master, "#EXTM3U\n#EXT-X-KEY:METHOD=NONE\nfoo.ts\n", "out/v/index.m3u8", 3, nil},
		"missing media playlist": {master, "", "", 0, fs.ErrNotExist},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			fsys := fstest.MapFS{"out/master.m3u8": {Data: []byte(tc.master)}}
			if tc.media != "" {
				fsys["out/v/index.m3u8"] = &fstest.MapFile{Data: []byte(tc.media)}
			}
			_, err := ReadHLS(fsys, "out/master.m3u8")
			if err == nil {
				t.Fatal("no error")
			}
			if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Errorf("error %v, want %v", err, tc.wantErr)
			}
			if tc.wantFile == "" {
				return
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not a *ParseError", err)
			}
			if pe.File != tc.wantFile || pe.Line != tc.wantLine {
				t.Errorf("error at %s:%d, want %s:%d (%v)", pe.File, pe.Line, tc.wantFile, tc.wantLine, err)
			}
		})
	}
}

// TestReadHLSByteRangeWithoutOffset checks the RFC 8216 §4.3.2.2 rule the
// library gets wrong: a range without @offset follows the previous one.
func TestReadHLSByteRangeWithoutOffset(t *testing.T) {
	fsys := fstest.MapFS{
		"master.m3u8": {Data: []byte("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1000,RESOLUTION=640x360,CODECS=\"avc1.64001e\"\nv.m3u8\n")},
		"v.m3u8": {Data: []byte("#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-TARGETDURATION:2\n" +
			"#EXT-X-MAP:URI=\"v.mp4\",BYTERANGE=\"800@0\"\n" +
			"#EXT-X-BYTERANGE:1000@900\n#EXTINF:2.000,\nv.mp4\n" +
			"#EXT-X-BYTERANGE:500\n#EXTINF:1.500,\nv.mp4\n#EXT-X-ENDLIST\n")},
	}
	p, err := ReadHLS(fsys, "master.m3u8")
	if err != nil {
		t.Fatal(err)
	}
	tr := p.Tracks[0]
	want := []Segment{
		{Range: ByteRange{Offset: 900, Length: 1000}, DurTicks: 2000, SizeBytes: 1000},
		{Range: ByteRange{Offset: 1900, Length: 500}, StartTicks: 2000, DurTicks: 1500, SizeBytes: 500},
	}
	if diff := cmp.Diff(want, tr.Segments); diff != "" {
		t.Errorf("segments (-want +got):\n%s", diff)
	}
	if tr.IndexRange != (ByteRange{Offset: 800, Length: 100}) || tr.MediaURI != "v.mp4" || !p.SingleFile {
		t.Errorf("IndexRange %+v, MediaURI %q, SingleFile %v", tr.IndexRange, tr.MediaURI, p.SingleFile)
	}
}

func TestReadHLSVariants(t *testing.T) {
	files := hlsFiles(t, goldenPresentations()["ladder"], HLSOptions{})
	fsys := fstest.MapFS{}
	for name, data := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(data)}
	}
	p, err := ReadHLS(fsys, DefaultMultivariantName)
	if err != nil {
		t.Fatal(err)
	}
	first := p.Variants[0]
	want := Variant{
		URI: "video/540p-2000k/index.m3u8", VideoID: "540p-2000k",
		AudioGroup: "aac", AudioIDs: []string{"audio-de-aac", "audio-en-aac"},
		BandwidthBps: 2_500_000 + 132_000, AverageBandwidthBps: 2_000_000 + 128_000,
		Codecs: "avc1.64001f,mp4a.40.2",
	}
	if diff := cmp.Diff(want, first); diff != "" {
		t.Errorf("first variant (-want +got):\n%s", diff)
	}
	if len(p.Variants) != 8 {
		t.Errorf("%d variants, want 8 (4 videos × 2 audio groups)", len(p.Variants))
	}
}

func TestRelURI(t *testing.T) {
	tests := []struct{ dir, target, want string }{
		{"video/720p", "video/720p/seg-00001.m4s", "seg-00001.m4s"},
		{"video/720p", "video/init.mp4", "../init.mp4"},
		{"video/720p", "audio/en/seg.m4s", "../../audio/en/seg.m4s"},
		{".", "video/720p/init.mp4", "video/720p/init.mp4"},
		{"a", "ab/x", "../ab/x"},
	}
	for _, tc := range tests {
		got := relURI(tc.dir, tc.target)
		if got != tc.want {
			t.Errorf("relURI(%q, %q) = %q, want %q", tc.dir, tc.target, got, tc.want)
		}
		if back, err := resolveURI(tc.dir, got); err != nil || back != tc.target {
			t.Errorf("resolveURI(%q, %q) = %q, %v; want %q", tc.dir, got, back, err, tc.target)
		}
	}
}

func TestRateFromFloat(t *testing.T) {
	tests := []struct {
		f    float64
		want Rate
	}{
		{25, Rate{25, 1}}, {29.970, Rate{30000, 1001}}, {23.976, Rate{24000, 1001}},
		{59.940, Rate{60000, 1001}}, {12.5, Rate{25, 2}}, {50, Rate{50, 1}},
	}
	for _, tc := range tests {
		if got, ok := rateFromFloat(tc.f); !ok || got != tc.want {
			t.Errorf("rateFromFloat(%v) = %v, want %v", tc.f, got, tc.want)
		}
	}
	for _, bad := range []float64{0, -1, math.NaN(), math.Inf(1)} {
		if _, ok := rateFromFloat(bad); ok {
			t.Errorf("rateFromFloat(%v) accepted", bad)
		}
	}
}

func TestTicksToMs(t *testing.T) {
	if _, err := ticksToMs(math.MaxUint64, 1); err == nil {
		t.Error("no overflow error")
	}
	if got, err := ticksToMs(math.MaxUint64, 90000); err != nil || got != math.MaxUint64/90 {
		t.Errorf("ticksToMs(max, 90000) = %d, %v", got, err)
	}
	if _, err := ticksToMs(1, 0); err == nil {
		t.Error("no error for timescale 0")
	}
}

// TestWriteHLSFileOrder checks that every playlist precedes the
// multivariant playlist and that I-frame playlists follow their track's.
func TestWriteHLSFileOrder(t *testing.T) {
	files, err := WriteHLS(goldenPresentations()["ladder"], HLSOptions{MultivariantName: "main.m3u8"})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		names = append(names, f.Name)
	}
	want := []string{
		"video/360p-730k/index.m3u8", "video/360p-730k/iframes.m3u8",
		"video/540p-2000k/index.m3u8", "video/540p-2000k/iframes.m3u8",
		"video/720p-3000k/index.m3u8", "video/720p-3000k/iframes.m3u8",
		"video/1080p-6000k/index.m3u8", "video/1080p-6000k/iframes.m3u8",
		"audio/audio-en-aac/index.m3u8", "audio/audio-de-aac/index.m3u8", "audio/audio-en-ec3/index.m3u8",
		"main.m3u8",
	}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("file order (-want +got):\n%s", diff)
	}
	if !bytes.HasPrefix(files[0].Data, []byte("#EXTM3U\n")) {
		t.Errorf("playlist does not start with #EXTM3U")
	}
}
