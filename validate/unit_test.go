package validate

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/google/go-cmp/cmp"

	"github.com/vpack-dev/vpack/manifest"
)

// TestCatalogue checks that rule IDs are unique, sorted, complete (every
// rule has a severity, a spec and a title) and used: each rule constant
// appears in the code outside catalogue.go.
func TestCatalogue(t *testing.T) {
	rules := Rules()
	if len(rules) < 60 {
		t.Errorf("only %d rules", len(rules))
	}
	if !slices.IsSortedFunc(rules, func(a, b Rule) int { return strings.Compare(a.ID, b.ID) }) {
		t.Error("Rules() is not sorted by ID")
	}
	for _, r := range rules {
		if r.Spec == "" || r.Title == "" || strings.ToUpper(r.ID) != r.ID {
			t.Errorf("rule %+v is incomplete", r)
		}
		if got, ok := LookupRule(r.ID); !ok || got != r {
			t.Errorf("LookupRule(%s) = %+v, %v", r.ID, got, ok)
		}
	}

	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "catalogue.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var consts []string
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			for _, n := range s.(*ast.ValueSpec).Names {
				if strings.HasPrefix(n.Name, "r") {
					consts = append(consts, n.Name)
				}
			}
		}
	}
	if len(consts) != len(rules) {
		t.Errorf("%d rule constants, %d rules", len(consts), len(rules))
	}
	var code strings.Builder
	files, _ := filepath.Glob("*.go")
	for _, name := range files {
		if name == "catalogue.go" || strings.HasSuffix(name, "_test.go") {
			continue
		}
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		code.Write(b)
	}
	for _, c := range consts {
		if !strings.Contains(code.String(), c+",") && !strings.Contains(code.String(), c+")") && !strings.Contains(code.String(), c+"]") && !strings.Contains(code.String(), c+"}") {
			t.Errorf("rule constant %s is never reported", c)
		}
	}
}

func TestReport(t *testing.T) {
	r := &Report{Target: "out", Findings: []Finding{
		{Rule: rHLSCRLF, Severity: Info, Location: Location{File: "a.m3u8"}, Message: "crlf"},
		{Rule: rHLSAlignment, Severity: Warning, Location: Location{File: "b.m3u8"}, Message: "misaligned"},
	}}
	if r.HasErrors() || !r.HasWarnings() || r.Check(false) != nil {
		t.Errorf("warnings only: HasErrors %v, Check %v", r.HasErrors(), r.Check(false))
	}
	if err := r.Check(true); !errors.Is(err, ErrFailed) {
		t.Errorf("Check(strict) = %v, want ErrFailed", err)
	}
	r.Findings = append(r.Findings, Finding{Rule: rHLSTargetDuration, Severity: Error, Spec: "RFC 8216 §4.3.3.1",
		Location: Location{File: "v/index.m3u8", Line: 9}, Message: "EXTINF 6.006 rounds to 6 s, more than EXT-X-TARGETDURATION 4"})
	err := r.Check(false)
	var rep *Report
	if !errors.Is(err, ErrFailed) || !errors.As(err, &rep) {
		t.Fatalf("Check = %v", err)
	}
	want := "validation failed: 1 error, 1 warning, 1 info; first: error HLS-TARGETDURATION v/index.m3u8:9: EXTINF 6.006 rounds to 6 s, more than EXT-X-TARGETDURATION 4"
	if err.Error() != want {
		t.Errorf("Error() =\n%s\nwant\n%s", err, want)
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var back struct {
		Errors, Warnings, Infos int
		Findings                []Finding
	}
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Errors != 1 || back.Warnings != 1 || back.Infos != 1 || len(back.Findings) != 3 || back.Findings[2].Severity != Error {
		t.Errorf("JSON round trip: %s", b)
	}
	var junit bytes.Buffer
	if err := r.WriteJUnit(&junit, false); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{`<testsuite name="vpack validate out" tests="` + strconv.Itoa(len(catalogue)) + `" failures="1">`, `<testcase name="HLS-TARGETDURATION: `, `<failure message="1 finding(s); RFC 8216 §4.3.3.1" type="error">`} {
		if !strings.Contains(junit.String(), s) {
			t.Errorf("JUnit lacks %q:\n%s", s, junit.String())
		}
	}
}

func TestParseKeys(t *testing.T) {
	kid := "0123456789abcdef0123456789abcdef"
	key := "00112233445566778899aabbccddeeff"
	want := []Key{{KID: [16]byte(mustHex(kid)), Key: [16]byte(mustHex(key))}}
	tests := []struct {
		name    string
		in      string
		wantErr string
	}{
		{"keys list", `{"keys":[{"kid":"` + kid + `","key":"` + key + `","label":"hd"}]}`, ""},
		{"array", `[{"kid":"01234567-89ab-cdef-0123-456789abcdef","key":"0x` + key + `"}]`, ""},
		{"map", `{"` + kid + `":"` + base64.StdEncoding.EncodeToString(mustHex(key)) + `"}`, ""},
		{"short key", `{"` + kid + `":"0011"}`, "not 16 bytes"},
		{"duplicate", `[{"kid":"` + kid + `","key":"` + key + `"},{"kid":"` + kid + `","key":"` + key + `"}]`, "given twice"},
		{"empty", `[]`, "no keys"},
		{"not JSON", `kid=key`, "not a JSON"},
		{"broken JSON", `{"keys":[{"kid":"` + kid + `","key":"` + key, "invalid JSON"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseKeys([]byte(tc.in))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				if strings.Contains(err.Error(), key) || strings.Contains(err.Error(), "0011") {
					t.Errorf("the error shows key material: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("keys (-want +got):\n%s", diff)
			}
		})
	}
	k := want[0]
	b, _ := json.Marshal(k)
	for _, s := range []string{k.String(), string(b)} {
		if strings.Contains(s, key) || !strings.Contains(s, "REDACTED") {
			t.Errorf("%s shows the key", s)
		}
	}
}

func mustHex(s string) []byte {
	b, err := parse16(s)
	if err != nil {
		panic(err)
	}
	return b[:]
}

func TestCodecMatches(t *testing.T) {
	tests := []struct {
		declared, actual string
		want             bool
	}{
		{"avc1.64001f", "avc1.64001f", true},
		{"avc1.64001F", "avc1.64001f", true},
		{"avc1.640028", "avc1.64001f", false},
		{"avc3.64001f", "avc1.64001f", false},
		{"avc1.4d401f", "avc1.4d401f", true},
		{"hvc1.1.6.L93.B0", "hvc1.1.6.L93.B0.0.0", true},
		{"hvc1.2.4.L93.B0", "hvc1.1.6.L93.B0", false},
		{"hvc1.1.6.L120.B0", "hvc1.1.6.L93.B0", false},
		{"mp4a.40.2", "mp4a.40.2", true},
		{"mp4a.40.02", "mp4a.40.2", true},
		{"mp4a.40.5", "mp4a.40.2", false},
		{"ec-3", "ec-3", true},
		{"av01.0.05M.08", "av01.0.05M.08", true},
		{"av01.0.08M.08", "av01.0.05M.08", false},
	}
	for _, tc := range tests {
		if got := codecMatches(tc.declared, tc.actual); got != tc.want {
			t.Errorf("codecMatches(%q, %q) = %v", tc.declared, tc.actual, got)
		}
	}
}

func TestExpandTemplate(t *testing.T) {
	v := manifest.TemplateVars{RepresentationID: "720p", Bandwidth: 3000000, Number: 7, Time: 90000, HasNumber: true}
	tests := []struct {
		tmpl, want, wantErr string
	}{
		{"$RepresentationID$/seg-$Number%05d$.m4s", "720p/seg-00007.m4s", ""},
		{"t-$Time$-$Bandwidth$.m4s", "t-90000-3000000.m4s", ""},
		{"a$$b", "a$b", ""},
		{"$Number%5d$", "", "format tag"},
		{"$Number%099d$", "", "format tag"},
		{"$Nummer$", "", "unknown identifier"},
		{"seg-$Number", "", "unterminated"},
	}
	for _, tc := range tests {
		got, err := manifest.ExpandTemplate(tc.tmpl, v)
		if got != tc.want || tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
			t.Errorf("manifest.ExpandTemplate(%q) = %q, %v; want %q, %q", tc.tmpl, got, err, tc.want, tc.wantErr)
		}
	}
	if _, err := manifest.ExpandTemplate("init-$Number$.mp4", manifest.TemplateVars{}); err == nil {
		t.Error("$Number$ in @initialization accepted")
	}
}

func TestParseXSDuration(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"PT5S", 5, true}, {"PT7.52S", 7.52, true}, {"PT1H2M3.5S", 3723.5, true}, {"P1DT1S", 86401, true},
		{"PT0S", 0, true}, {"-PT1S", -1, true}, {"P", 0, false}, {"PT", 0, false}, {"5S", 0, false}, {"PT1.S", 0, false},
	}
	for _, tc := range tests {
		got, ok := parseXSDuration(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("parseXSDuration(%q) = %v, %v", tc.in, got, ok)
		}
	}
}

// TestPlayReadyKIDs is a hand-worked vector for the GUID byte order: the
// KID 01234567-89ab-cdef-0123-456789abcdef is stored in a WRMHEADER as the
// GUID bytes 67 45 23 01 ab 89 ef cd 01 23 45 67 89 ab cd ef.
func TestPlayReadyKIDs(t *testing.T) {
	guid := []byte{0x67, 0x45, 0x23, 0x01, 0xab, 0x89, 0xef, 0xcd, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef}
	pro := func(kidB64 string) []byte {
		xml := `<WRMHEADER xmlns="http://schemas.microsoft.com/DRM/2007/03/PlayReadyHeader" version="4.0.0.0"><DATA><KID>` + kidB64 + `</KID></DATA></WRMHEADER>`
		u := utf16.Encode([]rune(xml))
		rec := make([]byte, 2*len(u))
		for i, c := range u {
			binary.LittleEndian.PutUint16(rec[2*i:], c)
		}
		b := binary.LittleEndian.AppendUint32(nil, uint32(10+len(rec)))
		b = binary.LittleEndian.AppendUint16(b, 1)
		b = binary.LittleEndian.AppendUint16(b, 1)
		b = binary.LittleEndian.AppendUint16(b, uint16(len(rec)))
		return append(b, rec...)
	}
	kids, err := playReadyKIDs(pro(base64.StdEncoding.EncodeToString(guid)))
	if err != nil {
		t.Fatal(err)
	}
	want := [16]byte(mustHex("0123456789abcdef0123456789abcdef"))
	if len(kids) != 1 || kids[0] != want {
		t.Fatalf("kids = %x, want %x", kids, want)
	}
	// The classic bug: the UUID bytes written as they are.
	kids, _ = playReadyKIDs(pro(base64.StdEncoding.EncodeToString(want[:])))
	if len(kids) != 1 || kids[0] == want {
		t.Errorf("a big-endian GUID was read as the right KID: %x", kids)
	}
}

func TestWidevineKIDs(t *testing.T) {
	kid := mustHex("0123456789abcdef0123456789abcdef")
	data := append([]byte{0x08, 0x01, 0x12, 16}, kid...)    // algorithm=1, key_id
	data = append(data, 0x1a, 3, 'v', 'p', 'k', 0x48, 0xe3) // provider, protection_scheme varint (truncated on purpose after)
	got := widevineKIDs(data)
	if len(got) != 1 || !bytes.Equal(got[0][:], kid) {
		t.Errorf("widevineKIDs = %x", got)
	}
}

func TestNALChecker(t *testing.T) {
	nal := func(b ...byte) []byte { return append(binary.BigEndian.AppendUint32(nil, uint32(len(b))), b...) }
	n := &nalChecker{lenSize: 4}
	tests := []struct {
		name   string
		sample []byte
		first  bool
		want   string
	}{
		{"IDR", nal(0x65, 0x88, 0x84, 0x00, 0x03, 0x01), true, ""},
		{"non-IDR first", nal(0x41, 0x9a, 0x02), true, "no IDR"},
		{"non-IDR later", nal(0x41, 0x9a, 0x02), false, ""},
		{"length too long", append(binary.BigEndian.AppendUint32(nil, 99), 0x65, 0x88), false, "does not fit"},
		{"forbidden bit", nal(0xe5, 0x88), false, "forbidden_zero_bit"},
		{"start code emulation", nal(0x65, 0x88, 0x00, 0x00, 0x01, 0x22), false, "emulation"},
		{"bad escape", nal(0x65, 0x00, 0x00, 0x03, 0x07), false, "emulation"},
		{"trailing cabac_zero_words", nal(0x65, 0x88, 0x80, 0x00, 0x00, 0x03, 0x00, 0x00), true, ""},
		{"type 0", nal(0x00, 0x88), false, "type 0"},
	}
	for _, tc := range tests {
		got := n.check(tc.sample, tc.first)
		if tc.want == "" && got != "" || tc.want != "" && !strings.Contains(got, tc.want) {
			t.Errorf("%s: check = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestBoxHeader(t *testing.T) {
	tests := []struct {
		name string
		b    []byte
		end  int64
		rule string
	}{
		{"ok", []byte{0, 0, 0, 8, 'f', 'r', 'e', 'e'}, 8, ""},
		{"to the end", []byte{0, 0, 0, 0, 'm', 'd', 'a', 't'}, 100, ""},
		{"too small", []byte{0, 0, 0, 4, 'f', 'r', 'e', 'e'}, 8, rMP4Box},
		{"past the end", []byte{0, 0, 1, 0, 'm', 'd', 'a', 't'}, 100, rMP4Truncated},
		{"cut short", []byte{0, 0, 0}, 3, rMP4Truncated},
		{"largesize cut", []byte{0, 0, 0, 1, 'm', 'd', 'a', 't', 0, 0}, 10, rMP4Truncated},
		{"largesize huge", []byte{0, 0, 0, 1, 'm', 'd', 'a', 't', 0xff, 0, 0, 0, 0, 0, 0, 0}, 100, rMP4Box},
	}
	for _, tc := range tests {
		_, err := parseBoxHeader(tc.b, 0, tc.end)
		var be *boxError
		switch {
		case tc.rule == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.rule != "" && (!errors.As(err, &be) || be.rule != tc.rule):
			t.Errorf("%s: err = %v, want %s", tc.name, err, tc.rule)
		}
	}
}
