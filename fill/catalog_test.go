package fill

import (
	"errors"
	"io/fs"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// fakeFiles serves package.json files to ParseCatalog.
func fakeFiles(files map[string]string) func(string) ([]byte, error) {
	return func(name string) ([]byte, error) {
		if s, ok := files[name]; ok {
			return []byte(s), nil
		}
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
}

const pkgJSON = `{"version": 1, "tracks": [
  {"id": "720p-3000k", "type": "video", "bandwidth_bps": 3300000, "bytes": 1700, "codecs": "avc1"},
  {"id": "360p-730k", "type": "video", "bandwidth_bps": 800000, "bytes": 400},
  {"id": "audio-en", "type": "audio", "bandwidth_bps": 130000, "bytes": 90}]}`

func TestParseCatalog(t *testing.T) {
	files := fakeFiles(map[string]string{"m1/package.json": pkgJSON, "bad/package.json": `{"version": 1, "tracks": [`})
	tests := []struct {
		name    string
		json    string
		want    []Title // when no error
		wantErr string
		is      error
	}{
		{
			name: "renditions from package.json",
			json: `{"version": 1, "titles": [{"id": "m1", "package": "m1/package.json", "popularity": {"eu": 10}}]}`,
			want: []Title{{ID: "m1", Package: "m1/package.json", BaseBytes: 90, Popularity: map[string]float64{"eu": 10},
				Renditions: []Rendition{{"720p-3000k", 3300000, 1700}, {"360p-730k", 800000, 400}}}},
		},
		{
			name: "a subset of the package, one size overridden",
			json: `{"titles": [{"id": "m1", "package": "m1/package.json", "base_bytes": 5,
			         "renditions": [{"id": "360p-730k", "bytes": 444}]}]}`,
			want: []Title{{ID: "m1", Package: "m1/package.json", BaseBytes: 5, Renditions: []Rendition{{"360p-730k", 800000, 444}}}},
		},
		{
			name: "inline renditions",
			json: `{"titles": [{"id": "t", "path": "vod/t", "renditions": [{"id": "r", "bandwidth_bps": 1, "bytes": 2}]}]}`,
			want: []Title{{ID: "t", Path: "vod/t", Renditions: []Rendition{{"r", 1, 2}}}},
		},
		{name: "unknown rendition", json: `{"titles": [{"id": "m1", "package": "m1/package.json", "renditions": [{"id": "4k"}]}]}`,
			wantErr: `title "m1": rendition "4k" is not a video track of m1/package.json (it has 720p-3000k, 360p-730k): unknown rendition`,
			is:      ErrUnknownRendition},
		{name: "empty catalog", json: `{"version": 1, "titles": []}`, wantErr: "catalog lists no title", is: ErrEmptyCatalog},
		{name: "empty file", json: ``, wantErr: "empty file"},
		{name: "malformed JSON", json: "{\"titles\": [\n  {\"id\": \"t\",}\n]}", wantErr: "line 2, column 14: malformed JSON: invalid character '}'"},
		{name: "truncated JSON", json: `{"titles": [`, wantErr: "malformed JSON: unexpected end"},
		{name: "wrong type", json: `{"titles": [{"id": 7}]}`, wantErr: "line 1, column 20: titles.id: want string, not JSON number"},
		{name: "unknown field", json: `{"titles": [], "tittles": []}`, wantErr: `unknown field "tittles"`},
		{name: "trailing data", json: `{"titles": []} {}`, wantErr: "data after the JSON object"},
		{name: "negative bytes", json: `{"titles": [{"id": "t", "renditions": [{"id": "r", "bandwidth_bps": 1, "bytes": -2}]}]}`,
			wantErr: `title "t": rendition "r": bytes -2: negative value`, is: ErrNegative},
		{name: "negative popularity", json: `{"titles": [{"id": "t", "renditions": [{"id": "r", "bandwidth_bps": 1}], "popularity": {"eu": -1}}]}`,
			wantErr: `title "t": popularity in eu is -1: negative value`, is: ErrNegative},
		{name: "no bandwidth", json: `{"titles": [{"id": "t", "renditions": [{"id": "r", "bytes": 2}]}]}`,
			wantErr: `rendition "r": bandwidth_bps must be above zero`},
		{name: "no renditions", json: `{"titles": [{"id": "t"}]}`, wantErr: `title "t" has no video rendition`},
		{name: "duplicate title", json: `{"titles": [{"id": "t", "renditions": [{"id": "r", "bandwidth_bps": 1}]}, {"id": "t"}]}`,
			wantErr: `title "t" listed twice`},
		{name: "path climbs out", json: `{"titles": [{"id": "t", "path": "../x", "renditions": [{"id": "r", "bandwidth_bps": 1}]}]}`,
			wantErr: `title "t": path: "../x" is not a clean relative path`},
		{name: "missing package", json: `{"titles": [{"id": "t", "package": "nope.json"}]}`, wantErr: `title "t": open nope.json: file does not exist`},
		{name: "malformed package", json: `{"titles": [{"id": "t", "package": "bad/package.json"}]}`,
			wantErr: `title "t": package bad/package.json: line 1, column 26: malformed JSON: unexpected end`},
		{name: "bad abr", json: `{"abr": {"safety": 2}, "titles": [{"id": "t", "renditions": [{"id": "r", "bandwidth_bps": 1}]}]}`,
			wantErr: "abr: safety 2: want a fraction in (0, 1]"},
		{name: "newer version", json: `{"version": 2, "titles": []}`, wantErr: "catalog version 2, want 1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cat, err := ParseCatalog("catalog.json", []byte(tc.json), files)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tc.wantErr)
				}
				var fe *FileError
				if !errors.As(err, &fe) || fe.InputFile() != "catalog.json" || !strings.HasPrefix(err.Error(), "catalog.json: ") {
					t.Errorf("err = %#v, want a *FileError naming catalog.json", err)
				}
				if tc.is != nil && !errors.Is(err, tc.is) {
					t.Errorf("err = %v, want one wrapping %v", err, tc.is)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, cat.Titles); diff != "" {
				t.Errorf("titles (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseEdges(t *testing.T) {
	tests := []struct {
		name    string
		json    string
		want    []Edge
		wantErr string
	}{
		{
			name: "units and numbers",
			json: `{"version": 1, "edges": [
			  {"id": "a", "region": "eu", "capacity": "2TB", "fill_rate": "8Gbit/s", "fill_window": "22:00-02:00"},
			  {"id": "b", "region": "us", "url": "https://b.example/vod", "capacity": 512, "fill_rate": 1000, "weight": 2.5}]}`,
			want: []Edge{
				{ID: "a", Region: "eu", Capacity: 2e12, FillRate: 1e9, FillWindow: "22:00-02:00"},
				{ID: "b", Region: "us", URL: "https://b.example/vod", Capacity: 512, FillRate: 1000, Weight: 2.5},
			},
		},
		{name: "negative capacity", json: `{"edges": [{"id": "a", "region": "eu", "capacity": -5}]}`, wantErr: `edge "a": negative capacity -5`},
		{name: "negative capacity string", json: `{"edges": [{"id": "a", "region": "eu", "capacity": "-5GB"}]}`,
			wantErr: `edge "a": negative capacity -5000000000`},
		{name: "negative rate", json: `{"edges": [{"id": "a", "region": "eu", "capacity": 1, "fill_rate": "-1MB/s"}]}`,
			wantErr: `edge "a": negative fill_rate -1000000`},
		{name: "bad size", json: `{"edges": [{"id": "a", "region": "eu", "capacity": "lots"}]}`,
			wantErr: `size "lots": want a number of bytes like 500MB`},
		{name: "bad size type", json: `{"edges": [{"id": "a", "region": "eu", "capacity": true}]}`,
			wantErr: `want a number or a string like "40TB"`},
		{name: "bad window", json: `{"edges": [{"id": "a", "region": "eu", "capacity": 1, "fill_window": "2-6"}]}`,
			wantErr: `edge "a": fill_window "2-6": want HH:MM-HH:MM`},
		{name: "no region", json: `{"edges": [{"id": "a", "capacity": 1}]}`, wantErr: `edge "a": no region`},
		{name: "duplicate", json: `{"edges": [{"id": "a", "region": "x"}, {"id": "a", "region": "x"}]}`, wantErr: `edge "a" listed twice`},
		{name: "no edges", json: `{"edges": []}`, wantErr: "no edges"},
		{name: "malformed", json: `{"edges": [}`, wantErr: "line 1, column 12: malformed JSON"},
		{name: "negative weight", json: `{"edges": [{"id": "a", "region": "eu", "weight": -1}]}`, wantErr: `edge "a": weight -1`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			edges, err := ParseEdges("edges.json", []byte(tc.json))
			if tc.wantErr != "" {
				var fe *FileError
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !errors.As(err, &fe) || fe.InputFile() != "edges.json" {
					t.Fatalf("err = %v, want a *FileError naming edges.json containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, edges); diff != "" {
				t.Errorf("edges (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFillBudgetBytes(t *testing.T) {
	for _, tc := range []struct {
		e    Edge
		want int64
	}{
		{Edge{}, 0},
		{Edge{FillRate: 1000}, 1000 * 86400},
		{Edge{FillRate: 1000, FillWindow: "02:00-06:00"}, 1000 * 4 * 3600},
		{Edge{FillRate: 1000, FillWindow: "23:30-00:30"}, 1000 * 3600},
	} {
		if got := tc.e.FillBudgetBytes(); got != tc.want {
			t.Errorf("%+v: FillBudgetBytes = %d, want %d", tc.e, got, tc.want)
		}
	}
}

func TestReadTestdata(t *testing.T) {
	cat, err := ReadCatalog("testdata/catalog.json")
	if err != nil {
		t.Fatal(err)
	}
	if got := cat.Titles[0].Renditions; len(got) != 3 || got[0].ID != "1080p-6000k" || got[2].Bytes != 418500000 ||
		cat.Titles[0].BaseBytes != 86400000 {
		t.Errorf("movie-1 from its package.json: %+v, base %d", got, cat.Titles[0].BaseBytes)
	}
	if _, err := ReadEdges("testdata/edges.json"); err != nil {
		t.Fatal(err)
	}
	_, err = ReadCatalog("testdata/nope.json")
	var fe *FileError
	if !errors.As(err, &fe) || fe.InputFile() != "testdata/nope.json" {
		t.Errorf("missing catalog: %v", err)
	}
}
