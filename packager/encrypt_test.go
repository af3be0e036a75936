package packager

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vpack-dev/vpack/drm"
	"github.com/vpack-dev/vpack/manifest"
)

// Encrypted-packaging fixtures: 4 s at 320x180 (and 1280x720 for the HD
// key), keyframes every 2 s, AAC. x264 writes two slices per picture so
// that samples have several VCL NAL units.
func init() {
	audio := []string{"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=4"}
	src := func(size string) []string {
		return []string{"-f", "lavfi", "-i", "testsrc2=size=" + size + ":rate=25:duration=4"}
	}
	aac := []string{"-c:a", "aac", "-b:a", "64k", "-shortest"}
	fixtures["enc-h264.mp4"] = concat(src("320x180"), audio, []string{"-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p",
		"-force_key_frames", "expr:gte(t,n_forced*2)", "-x264-params", "keyint=50:min-keyint=50:scenecut=0:slices=2"}, aac)
	fixtures["enc-hevc.mp4"] = concat(src("320x180"), audio, []string{"-c:v", "libx265", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
		"-x265-params", "keyint=50:min-keyint=50:scenecut=0:log-level=error", "-tag:v", "hvc1"}, aac)
	fixtures["enc-av1.mp4"] = concat(src("320x180"), audio, []string{"-c:v", "libsvtav1", "-preset", "12", "-pix_fmt", "yuv420p",
		"-svtav1-params", "keyint=50:scd=0"}, aac)
	fixtures["enc-h264-720.mp4"] = concat(src("1280x720"), []string{"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-an",
		"-force_key_frames", "expr:gte(t,n_forced*2)", "-x264-params", "keyint=50:min-keyint=50:scenecut=0"})
}

const (
	testKIDHex = "00112233445566778899aabbccddeeff"
	testKeyHex = "000102030405060708090a0b0c0d0e0f"
)

func oneKey(t testing.TB) *drm.KeySet {
	t.Helper()
	ks, err := drm.ParseKeyPair(testKIDHex + ":" + testKeyHex)
	if err != nil {
		t.Fatal(err)
	}
	return ks
}

// fixedRand makes IVs reproducible.
type fixedRand byte

func (r fixedRand) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r) + byte(i)
	}
	return len(p), nil
}

// frameMD5 decodes a package with ffmpeg and returns its per-frame
// checksums (stream index, timestamp and MD5 of each decoded frame).
func frameMD5(t *testing.T, args ...string) string {
	t.Helper()
	full := append([]string{"-hide_banner", "-loglevel", "error", "-nostdin"}, args...)
	full = append(full, "-map", "0:v?", "-map", "0:a?", "-f", "framemd5", "-")
	cmd := exec.Command("ffmpeg", full...)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	_ = cmd.Run() // decoding encrypted data without the key fails half-way: compare what came out
	var lines []string
	for _, l := range strings.Split(out.String(), "\n") {
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		f := strings.Split(l, ",")
		lines = append(lines, strings.TrimSpace(f[0])+" "+strings.TrimSpace(f[2])+" "+strings.TrimSpace(f[len(f)-1]))
	}
	if len(lines) == 0 && !slicesContain(args, "-cenc_decryption_key") && !strings.Contains(strings.Join(args, " "), "decryption_key") {
		return "" // without the key nothing decoding is a fine non-match
	}
	if len(lines) == 0 {
		t.Fatalf("ffmpeg %v: no frames\n%s", full, stderr.String())
	}
	return strings.Join(lines, "\n")
}

func slicesContain(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func countStreams(md5s string) map[string]int {
	n := map[string]int{}
	for _, l := range strings.Split(md5s, "\n") {
		n[strings.Fields(l)[0]]++
	}
	return n
}

// TestEncryptBitExact packages H.264, HEVC and AV1 renditions (with AAC)
// clear and encrypted with cenc and cbcs, decrypts them with ffmpeg
// (DASH: -cenc_decryption_key; HLS: -seg_format_options decryption_key)
// and requires the per-frame checksums of the clear package; without the
// key they must differ. The independent decryptor of decrypt_test.go must
// give back the clear package's sample bytes exactly, reading the
// auxiliary information through saiz/saio.
func TestEncryptBitExact(t *testing.T) {
	for _, codec := range []string{"h264", "hevc", "av1"} {
		t.Run(codec, func(t *testing.T) {
			t.Parallel()
			in := fixture(t, "enc-"+codec+".mp4")
			clearRes, clearDir := runPackager(t, Config{HLS: &manifest.HLSOptions{}, DASH: &manifest.DASHOptions{}}, in)
			clearDASH := frameMD5(t, "-i", filepath.Join(clearDir, DefaultMPDName))
			clearHLS := frameMD5(t, "-i", filepath.Join(clearDir, manifest.DefaultMultivariantName))
			if n := countStreams(clearDASH); n["0"] < 90 || n["1"] < 150 {
				t.Fatalf("clear package decodes to %v frames per stream", n)
			}
			for _, scheme := range []drm.Scheme{drm.CENC, drm.CBCS} {
				enc := &Encryption{Scheme: scheme, Keys: oneKey(t), Systems: []drm.System{drm.Widevine, drm.PlayReady, drm.ClearKey}}
				res, dir := runPackager(t, Config{HLS: &manifest.HLSOptions{}, DASH: &manifest.DASHOptions{}, Encryption: enc}, in)
				mpd, _ := filepath.Abs(filepath.Join(dir, DefaultMPDName))
				if got := frameMD5(t, "-cenc_decryption_key", testKeyHex, "-i", mpd); got != clearDASH {
					t.Errorf("%s DASH: ffmpeg's decryption differs from the clear package", scheme)
				}
				if got := frameMD5(t, "-seg_format_options", "decryption_key="+testKeyHex, "-i",
					filepath.Join(dir, manifest.DefaultMultivariantName)); got != clearHLS {
					t.Errorf("%s HLS: ffmpeg's decryption differs from the clear package", scheme)
				}
				if got := frameMD5(t, "-i", mpd); got == clearDASH {
					t.Errorf("%s: decoding without the key gives the clear pictures: nothing was encrypted", scheme)
				}
				checkIndependentDecrypt(t, res, dir, clearRes, clearDir, scheme, map[string]string{"": testKeyHex})
			}
		})
	}
}

// checkIndependentDecrypt decrypts every track of an encrypted package
// with the test decryptor and compares each sample with the clear
// package's. keys maps KID hex to key hex ("" for any).
func checkIndependentDecrypt(t *testing.T, res *Result, dir string, clearRes *Result, clearDir string, scheme drm.Scheme, keys map[string]string) {
	t.Helper()
	for _, tr := range res.Presentation.Tracks {
		var ct *manifest.Track
		for i := range clearRes.Presentation.Tracks {
			if clearRes.Presentation.Tracks[i].ID == tr.ID {
				ct = &clearRes.Presentation.Tracks[i]
			}
		}
		if ct == nil {
			t.Fatalf("track %s not in the clear package", tr.ID)
		}
		initBytes, segs := trackBytes(t, dir, tr)
		ti, err := readInit(initBytes)
		if err != nil {
			t.Fatalf("%s: %v", tr.ID, err)
		}
		if ti.scheme != string(scheme) {
			t.Errorf("%s: schm %s, want %s", tr.ID, ti.scheme, scheme)
		}
		wantEntry := map[manifest.TrackType]string{manifest.Video: "encv", manifest.Audio: "enca"}[tr.Type]
		if ti.entry != wantEntry {
			t.Errorf("%s: sample entry %s, want %s", tr.ID, ti.entry, wantEntry)
		}
		switch {
		case scheme == drm.CENC && (ti.ivSize != 8 || ti.crypt != 0 || ti.skip != 0):
			t.Errorf("%s: cenc tenc: IV size %d, pattern %d:%d", tr.ID, ti.ivSize, ti.crypt, ti.skip)
		case scheme == drm.CBCS && tr.Type == manifest.Video && (ti.ivSize != 0 || len(ti.constantIV) != 16 || ti.crypt != 1 || ti.skip != 9):
			t.Errorf("%s: cbcs video tenc: IV size %d, constant IV %d bytes, pattern %d:%d", tr.ID, ti.ivSize, len(ti.constantIV), ti.crypt, ti.skip)
		case scheme == drm.CBCS && tr.Type == manifest.Audio && (ti.ivSize != 0 || len(ti.constantIV) != 16 || ti.crypt != 0 || ti.skip != 0):
			t.Errorf("%s: cbcs audio tenc: pattern %d:%d", tr.ID, ti.crypt, ti.skip)
		}
		key := keys[hex.EncodeToString(ti.kid[:])]
		if key == "" {
			key = keys[""]
		}
		if key == "" {
			t.Fatalf("%s: no test key for KID %x", tr.ID, ti.kid)
		}
		keyBytes, _ := hex.DecodeString(key)
		_, clearSegs := trackBytes(t, clearDir, *ct)
		if len(segs) != len(clearSegs) {
			t.Fatalf("%s: %d segments, clear %d", tr.ID, len(segs), len(clearSegs))
		}
		for i := range segs {
			frags, err := decryptSegment(segs[i], ti, keyBytes)
			if err != nil {
				t.Fatalf("%s segment %d: %v", tr.ID, i+1, err)
			}
			want := clearSamples(t, clearSegs[i])
			var got [][]byte
			for _, f := range frags {
				got = append(got, f.samples...)
				if tr.Type == manifest.Video && !f.clear {
					checkSubsamples(t, tr.ID, scheme, f)
				}
			}
			if len(got) != len(want) {
				t.Fatalf("%s segment %d: %d samples, clear %d", tr.ID, i+1, len(got), len(want))
			}
			for k := range got {
				if !bytes.Equal(got[k], want[k]) {
					t.Fatalf("%s segment %d sample %d: the test decryptor's output differs from the clear sample", tr.ID, i+1, k+1)
				}
			}
		}
	}
}

// checkSubsamples checks the subsample rules of ISO/IEC 23001-7: cenc
// video protected ranges are whole blocks; no range of either scheme is
// shorter than a block.
func checkSubsamples(t *testing.T, id string, scheme drm.Scheme, f fragInfo) {
	t.Helper()
	protected := 0
	for k, subs := range f.subs {
		for _, s := range subs {
			if s.protected > 0 && s.protected < 16 {
				t.Errorf("%s sample %d: protected range of %d bytes", id, k, s.protected)
			}
			if scheme == drm.CENC && s.protected%16 != 0 {
				t.Errorf("%s sample %d: cenc protected range of %d bytes is not whole blocks", id, k, s.protected)
			}
			protected += s.protected
		}
	}
	if protected == 0 {
		t.Errorf("%s: nothing protected in a fragment of %d samples", id, len(f.samples))
	}
}

// clearSamples returns the samples of a clear segment, in order.
func clearSamples(t *testing.T, seg []byte) [][]byte {
	t.Helper()
	top, err := boxes(seg)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for _, b := range top {
		if b.typ != "moof" {
			continue
		}
		traf, _ := child(b.payload(seg), "traf")
		tfhd, _ := child(traf, "tfhd")
		trun, _ := child(traf, "trun")
		sizes, off, err := trunSizes(tfhd, trun)
		if err != nil {
			t.Fatal(err)
		}
		pos := b.start + off
		for _, n := range sizes {
			out = append(out, seg[pos:pos+n])
			pos += n
		}
	}
	return out
}

// trackBytes returns a track's init segment and each media segment (a
// copy: decryption works in place).
func trackBytes(t *testing.T, dir string, tr manifest.Track) ([]byte, [][]byte) {
	t.Helper()
	read := func(uri string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(uri)))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	var initBytes []byte
	var segs [][]byte
	if tr.MediaURI != "" {
		all := read(tr.MediaURI)
		initBytes = all[tr.InitRange.Offset : tr.InitRange.Offset+tr.InitRange.Length]
		for _, s := range tr.Segments {
			segs = append(segs, bytes.Clone(all[s.Range.Offset:s.Range.Offset+s.Range.Length]))
		}
		return initBytes, segs
	}
	initBytes = read(tr.InitURI)
	for _, s := range tr.Segments {
		segs = append(segs, read(s.URI))
	}
	return initBytes, segs
}

// TestEncryptMultiKey packages SD and HD video and audio with a key per
// class, and checks that each track uses its key and that both manifests
// and the init segments signal every requested system with it.
func TestEncryptMultiKey(t *testing.T) {
	t.Parallel()
	keyFile := []byte(`{"version": 1, "keys": [
		{"kid": "a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0", "key": "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1", "tracks": ["audio"]},
		{"kid": "b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0", "key": "b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1", "tracks": ["sd"]},
		{"kid": "c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0", "key": "c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1", "tracks": ["hd", "uhd"]}],
		"drm": {"playready": {"la_url": "https://pr.example/rightsmanager.asmx"}}}`)
	ks, err := drm.ParseKeyFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	systems := []drm.System{drm.Widevine, drm.PlayReady, drm.FairPlay, drm.ClearKey}
	enc := &Encryption{Scheme: drm.CBCS, Keys: ks, Systems: systems}
	inputs := []string{fixture(t, "enc-h264-720.mp4"), fixture(t, "enc-h264.mp4")}
	res, dir := runPackager(t, Config{HLS: &manifest.HLSOptions{}, DASH: &manifest.DASHOptions{}, Encryption: enc}, inputs...)
	clearRes, clearDir := runPackager(t, Config{HLS: &manifest.HLSOptions{}, DASH: &manifest.DASHOptions{}}, inputs...)

	wantKID := map[string]string{}
	for _, tr := range res.Presentation.Tracks {
		switch {
		case tr.Type == manifest.Audio:
			wantKID[tr.ID] = "a0a0a0a0-a0a0-a0a0-a0a0-a0a0a0a0a0a0"
		case tr.Height >= 720:
			wantKID[tr.ID] = "c0c0c0c0-c0c0-c0c0-c0c0-c0c0c0c0c0c0"
		default:
			wantKID[tr.ID] = "b0b0b0b0-b0b0-b0b0-b0b0-b0b0b0b0b0b0"
		}
	}
	if len(wantKID) != 3 {
		t.Fatalf("tracks %v", wantKID)
	}
	mpd, err := os.ReadFile(filepath.Join(dir, DefaultMPDName))
	if err != nil {
		t.Fatal(err)
	}
	dash, err := manifest.ReadDASH(mpd)
	if err != nil {
		t.Fatal(err)
	}
	for _, tr := range res.Presentation.Tracks {
		want := wantKID[tr.ID]
		// tenc default_KID in the init segment.
		initBytes, _ := trackBytes(t, dir, tr)
		ti, err := readInit(initBytes)
		if err != nil {
			t.Fatal(err)
		}
		if got := kidUUID(ti.kid[:]); got != want {
			t.Errorf("%s: tenc KID %s, want %s", tr.ID, got, want)
		}
		// pssh boxes: Widevine, PlayReady and the W3C common system, not FairPlay.
		var gotSys []string
		for _, id := range ti.psshSystems {
			gotSys = append(gotSys, kidUUID(id[:]))
		}
		wantSys := []string{drm.Widevine.ID.String(), drm.PlayReady.ID.String(), drm.ClearKey.ID.String()}
		if diff := cmp.Diff(wantSys, gotSys); diff != "" {
			t.Errorf("%s: pssh systems (-want +got):\n%s", tr.ID, diff)
		}
		checkPSSHKIDs(t, tr.ID, initBytes, want)
		// DASH: default_KID and one ContentProtection per system.
		var dt *manifest.Track
		for i := range dash.Tracks {
			if dash.Tracks[i].ID == tr.ID {
				dt = &dash.Tracks[i]
			}
		}
		if dt == nil || dt.Protection == nil {
			t.Fatalf("%s: no protection in the MPD", tr.ID)
		}
		if dt.Protection.DefaultKID != want || dt.Protection.Scheme != "cbcs" {
			t.Errorf("%s: MPD default_KID %s scheme %s, want %s", tr.ID, dt.Protection.DefaultKID, dt.Protection.Scheme, want)
		}
		for _, s := range systems {
			id := s.ID.String()
			if s.ID == drm.ClearKey.ID {
				// DASH signals ClearKey with the DASH-IF scheme; the W3C
				// common system ID as a ContentProtection breaks dash.js.
				id = drm.DASHIFClearKeyScheme.String()
				if hasSystem(dt.Protection, s.ID.String()) {
					t.Errorf("%s: MPD has a ContentProtection for the W3C common system", tr.ID)
				}
			}
			if !hasSystem(dt.Protection, id) {
				t.Errorf("%s: MPD lacks a ContentProtection for %s", tr.ID, s.Name)
			}
		}
		// HLS: one EXT-X-KEY per system, KEYID = the track's KID.
		pl, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(tr.PlaylistURI)))
		if err != nil {
			t.Fatal(err)
		}
		keys := hlsKeys(string(pl), "#EXT-X-KEY:")
		checkHLSKeys(t, tr.ID, keys, want, "SAMPLE-AES", systems)
	}
	master, err := os.ReadFile(filepath.Join(dir, manifest.DefaultMultivariantName))
	if err != nil {
		t.Fatal(err)
	}
	session := hlsKeys(string(master), "#EXT-X-SESSION-KEY:")
	if len(session) != 3*len(systems) {
		t.Errorf("%d EXT-X-SESSION-KEY tags, want %d (3 keys × %d systems):\n%s", len(session), 3*len(systems), len(systems), master)
	}
	// Each video key in its own AdaptationSet, linked for switching.
	if n := strings.Count(string(mpd), "urn:mpeg:dash:adaptation-set-switching:2016"); n != 2 {
		t.Errorf("%d adaptation-set-switching properties, want 2", n)
	}
	checkIndependentDecrypt(t, res, dir, clearRes, clearDir, drm.CBCS, map[string]string{
		"a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0": "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1",
		"b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0": "b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1",
		"c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0": "c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1",
	})
	if res.Summary.Tracks[0].KID == "" || res.Summary.Tracks[0].Encryption != "cbcs" {
		t.Errorf("package.json lacks the encryption: %+v", res.Summary.Tracks[0])
	}
}

func kidUUID(b []byte) string {
	var k drm.KID
	copy(k[:], b)
	return k.String()
}

func hasSystem(pr *manifest.Protection, id string) bool {
	for _, s := range pr.Systems {
		if s.SystemID == id {
			return true
		}
	}
	return false
}

// checkPSSHKIDs parses every pssh box of an init segment back and checks
// the key IDs each carries: in the box (common system), in the Widevine
// protobuf, in the PlayReady header (GUID byte order).
func checkPSSHKIDs(t *testing.T, id string, initBytes []byte, want string) {
	t.Helper()
	moov, _ := child(initBytes, "moov")
	bs, _ := boxes(moov)
	for _, b := range bs {
		if b.typ != "pssh" {
			continue
		}
		p, err := drm.ParsePSSH(moov[b.start:b.end])
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		var kids []drm.KID
		switch p.SystemID {
		case drm.Widevine.ID:
			d, err := drm.ParseWidevineData(p.Data)
			if err != nil {
				t.Fatal(err)
			}
			if d.Scheme != drm.CBCS {
				t.Errorf("%s: Widevine protection_scheme %q", id, d.Scheme)
			}
			kids = d.KIDs
		case drm.PlayReady.ID:
			h, err := drm.ParsePlayReadyObject(p.Data)
			if err != nil {
				t.Fatal(err)
			}
			if h.Version != "4.3.0.0" || h.LAURL != "https://pr.example/rightsmanager.asmx" {
				t.Errorf("%s: PlayReady header %s, LA_URL %q", id, h.Version, h.LAURL)
			}
			kids = h.KIDs
		case drm.ClearKey.ID:
			kids = p.KIDs
		}
		if len(kids) != 1 || kids[0].String() != want {
			t.Errorf("%s: %s pssh names %v, want %s", id, p.SystemID, kids, want)
		}
	}
}

var attrRE = regexp.MustCompile(`([A-Z-]+)=("[^"]*"|[^,]*)`)

// hlsKeys returns the attributes of every tag with prefix in a playlist.
func hlsKeys(pl, prefix string) []map[string]string {
	var out []map[string]string
	for _, l := range strings.Split(pl, "\n") {
		if !strings.HasPrefix(l, prefix) {
			continue
		}
		m := map[string]string{}
		for _, a := range attrRE.FindAllStringSubmatch(strings.TrimPrefix(l, prefix), -1) {
			m[a[1]] = strings.Trim(a[2], `"`)
		}
		out = append(out, m)
	}
	return out
}

func checkHLSKeys(t *testing.T, id string, keys []map[string]string, kid, method string, systems []drm.System) {
	t.Helper()
	formats := map[string]bool{}
	hexKID := "0x" + strings.ToUpper(strings.ReplaceAll(kid, "-", ""))
	for _, k := range keys {
		formats[k["KEYFORMAT"]] = true
		if k["METHOD"] != method {
			t.Errorf("%s: METHOD %s, want %s", id, k["METHOD"], method)
		}
		if k["KEYFORMAT"] == drm.KeyFormatFairPlay {
			if k["URI"] != "skd://"+strings.ReplaceAll(kid, "-", "") {
				t.Errorf("%s: FairPlay URI %s", id, k["URI"])
			}
			continue
		}
		if k["KEYID"] != hexKID {
			t.Errorf("%s: KEYID %s, want %s", id, k["KEYID"], hexKID)
		}
	}
	want := map[string]bool{}
	for _, s := range systems {
		switch s.ID {
		case drm.FairPlay.ID:
			want[drm.KeyFormatFairPlay] = true
		case drm.PlayReady.ID:
			want[drm.KeyFormatPlayReady] = true
		default:
			want["urn:uuid:"+s.ID.String()] = true
		}
	}
	if diff := cmp.Diff(want, formats); diff != "" {
		t.Errorf("%s: KEYFORMATs (-want +got):\n%s", id, diff)
	}
}

// TestEncryptClearLead leaves the first segment clear: its samples are the
// clear package's, its fragments carry the 'seig' group with isProtected
// 0, and the HLS key tags follow it.
func TestEncryptClearLead(t *testing.T) {
	t.Parallel()
	in := fixture(t, "enc-h264.mp4")
	enc := &Encryption{Scheme: drm.CENC, Keys: oneKey(t), ClearLead: 1500e6}
	res, dir := runPackager(t, Config{HLS: &manifest.HLSOptions{}, DASH: &manifest.DASHOptions{}, Encryption: enc}, in)
	clearRes, clearDir := runPackager(t, Config{HLS: &manifest.HLSOptions{}, DASH: &manifest.DASHOptions{}}, in)
	for _, tr := range res.Presentation.Tracks {
		if tr.Protection.ClearSegments != 1 {
			t.Errorf("%s: %d clear segments, want 1", tr.ID, tr.Protection.ClearSegments)
		}
		initBytes, segs := trackBytes(t, dir, tr)
		ti, err := readInit(initBytes)
		if err != nil {
			t.Fatal(err)
		}
		key, _ := hex.DecodeString(testKeyHex)
		for i, seg := range segs {
			frags, err := decryptSegment(bytes.Clone(seg), ti, key)
			if err != nil {
				t.Fatalf("%s segment %d: %v", tr.ID, i+1, err)
			}
			for _, f := range frags {
				if f.clear != (i == 0) {
					t.Errorf("%s segment %d: fragment clear = %v", tr.ID, i+1, f.clear)
				}
			}
		}
		pl, _ := os.ReadFile(filepath.Join(dir, filepath.FromSlash(tr.PlaylistURI)))
		lines := strings.Split(string(pl), "\n")
		first := -1
		for i, l := range lines {
			if strings.HasPrefix(l, "#EXT-X-KEY:") {
				first = i
				break
			}
		}
		if first < 2 || !strings.HasSuffix(lines[first-1], "seg-00001.m4s") {
			t.Errorf("%s: the first EXT-X-KEY does not follow segment 1:\n%s", tr.ID, pl)
		}
	}
	checkIndependentDecrypt(t, res, dir, clearRes, clearDir, drm.CENC, map[string]string{"": testKeyHex})
	mpd, _ := filepath.Abs(filepath.Join(dir, DefaultMPDName))
	if got, want := frameMD5(t, "-cenc_decryption_key", testKeyHex, "-i", mpd), frameMD5(t, "-i", filepath.Join(clearDir, DefaultMPDName)); got != want {
		t.Error("ffmpeg's decryption of a clear-lead package differs from the clear package")
	}
}

// TestEncryptSingleFile encrypts in single-file mode: byte ranges, sidx
// and I-frame ranges must describe the encrypted file.
func TestEncryptSingleFile(t *testing.T) {
	t.Parallel()
	in := fixture(t, "enc-hevc.mp4")
	enc := &Encryption{Scheme: drm.CBCS, Keys: oneKey(t)}
	res, dir := runPackager(t, Config{SingleFile: true, HLS: &manifest.HLSOptions{}, DASH: &manifest.DASHOptions{}, Encryption: enc}, in)
	clearRes, clearDir := runPackager(t, Config{SingleFile: true, HLS: &manifest.HLSOptions{}, DASH: &manifest.DASHOptions{}}, in)
	checkIndependentDecrypt(t, res, dir, clearRes, clearDir, drm.CBCS, map[string]string{"": testKeyHex})
	for _, tr := range res.Presentation.Tracks {
		checkSidx(t, dir, tr)
		if tr.Type == manifest.Video {
			checkIFrames(t, dir, tr)
		}
	}
	if leftovers, _ := filepath.Glob(filepath.Join(dir, "*", "*", ".*")); len(leftovers) > 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}
	hls := frameMD5(t, "-seg_format_options", "decryption_key="+testKeyHex, "-i", filepath.Join(dir, manifest.DefaultMultivariantName))
	if want := frameMD5(t, "-i", filepath.Join(clearDir, manifest.DefaultMultivariantName)); hls != want {
		t.Error("ffmpeg's decryption of the single-file HLS package differs from the clear package")
	}
}

// TestEncryptDeterministic: with the same IV source, the same inputs give
// the same bytes.
func TestEncryptDeterministic(t *testing.T) {
	t.Parallel()
	in := fixture(t, "enc-h264.mp4")
	sum := func() string {
		enc := &Encryption{Scheme: drm.CENC, Keys: oneKey(t), Systems: []drm.System{drm.Widevine}, Rand: fixedRand(7)}
		_, dir := runPackager(t, Config{HLS: &manifest.HLSOptions{}, DASH: &manifest.DASHOptions{}, Encryption: enc}, in)
		h := sha256.New()
		filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				f, _ := os.Open(p)
				io.WriteString(h, strings.TrimPrefix(p, dir))
				io.Copy(h, f)
				f.Close()
			}
			return err
		})
		return fmt.Sprintf("%x", h.Sum(nil))
	}
	if a, b := sum(), sum(); a != b {
		t.Error("two encrypted runs with the same IV source differ")
	}
}

// TestEncryptBadKeys: keys that do not fit the renditions fail before
// anything is written, with an error blaming the key source.
func TestEncryptBadKeys(t *testing.T) {
	t.Parallel()
	in := fixture(t, "enc-h264.mp4")
	sdOnly, _ := drm.ParseKeyFile([]byte(`{"version": 1, "keys": [{"kid": "b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0", "key": "b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1", "tracks": ["sd"]}]}`))
	cpix, err := drm.ParseCPIX([]byte(`<cpix:CPIX xmlns:cpix="urn:dashif:org:cpix" xmlns:pskc="urn:ietf:params:xml:ns:keyprov:pskc"><cpix:ContentKeyList>`+
		`<cpix:ContentKey kid="a0a0a0a0-a0a0-a0a0-a0a0-a0a0a0a0a0a0"><cpix:Data><pskc:Secret><pskc:PlainValue>AAAAAAAAAAAAAAAAAAAAAQ==</pskc:PlainValue></pskc:Secret></cpix:Data></cpix:ContentKey>`+
		`<cpix:ContentKey kid="c0c0c0c0-c0c0-c0c0-c0c0-c0c0c0c0c0c0"><cpix:Data><pskc:Secret><pskc:PlainValue>AAAAAAAAAAAAAAAAAAAAAw==</pskc:PlainValue></pskc:Secret></cpix:Data></cpix:ContentKey>`+
		`</cpix:ContentKeyList><cpix:ContentKeyUsageRuleList>`+
		`<cpix:ContentKeyUsageRule kid="a0a0a0a0-a0a0-a0a0-a0a0-a0a0a0a0a0a0"/>`+
		`<cpix:ContentKeyUsageRule kid="c0c0c0c0-c0c0-c0c0-c0c0-c0c0c0c0c0c0"><cpix:VideoFilter minPixels="2073601"/></cpix:ContentKeyUsageRule>`+
		`</cpix:ContentKeyUsageRuleList></cpix:CPIX>`), drm.CPIXOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		enc  *Encryption
		want error
	}{
		{"no key for audio", &Encryption{Scheme: drm.CENC, Keys: sdOnly, KeySource: "keys.json"}, drm.ErrNoKey},
		{"CPIX key for no track", &Encryption{Scheme: drm.CENC, Keys: cpix, RequireAllKeys: true, KeySource: "keys.cpix.xml"}, drm.ErrUnusedKey},
		{"FairPlay with cenc", &Encryption{Scheme: drm.CENC, Keys: oneKey(t), Systems: []drm.System{drm.FairPlay}}, drm.ErrFairPlayCENC},
		{"no keys", &Encryption{Scheme: drm.CBCS}, drm.ErrNoKey},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			_, err := Run(context.Background(), Config{Inputs: []Input{{Path: in}}, OutDir: out, Encryption: tc.enc,
				HLS: &manifest.HLSOptions{}, DASH: &manifest.DASHOptions{}})
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if tc.enc.KeySource != "" {
				var ke *KeyError
				if !errors.As(err, &ke) || ke.InputFile() != tc.enc.KeySource {
					t.Errorf("err = %#v, want a *KeyError blaming %s", err, tc.enc.KeySource)
				}
			}
			if names := dirEntries(t, out); len(names) > 0 {
				t.Errorf("wrote %v", names)
			}
		})
	}
}
