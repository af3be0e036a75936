package encode

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// The fixtures in testdata/progress are ffmpeg 5.1's stdout with
// -progress pipe:1 -nostats:
//   - ladder.txt: two x264 rungs and an AAC track of a 6 s source, one
//     process (Args' shape);
//   - av1.txt: one SVT-AV1 rung with -stats_period 0.2, whose first
//     blocks have bitrate=N/A and an out_time behind the frame count.
func TestParseProgressFixtures(t *testing.T) {
	tests := []struct {
		file string
		want []ProgressUpdate
	}{
		{
			file: "ladder.txt",
			want: []ProgressUpdate{
				{Frame: 1, BitrateKbps: 4.5, TotalSizeBytes: 48, OutTime: 85333 * time.Microsecond, Speed: 6.33},
				{Frame: 103, BitrateKbps: 0.1, TotalSizeBytes: 48, OutTime: 4181333 * time.Microsecond, Speed: 8.11},
				{Frame: 150, BitrateKbps: 962.4, TotalSizeBytes: 723722, OutTime: 6016 * time.Millisecond, Speed: 6.29, End: true},
			},
		},
		{
			file: "av1.txt",
			want: []ProgressUpdate{
				{Frame: 1, TotalSizeBytes: 48},
				{Frame: 56, BitrateKbps: 4923.1, TotalSizeBytes: 48, OutTime: 78 * time.Microsecond, Speed: 0.000358},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("testdata", "progress", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			var got []ProgressUpdate
			if err := ParseProgress(strings.NewReader(string(b)), func(u ProgressUpdate) { got = append(got, u) }); err != nil {
				t.Fatal(err)
			}
			if len(got) < len(tc.want) {
				t.Fatalf("got %d blocks, want at least %d", len(got), len(tc.want))
			}
			if tc.file == "av1.txt" {
				// Only the first blocks are pinned; the rest must end the run.
				if last := got[len(got)-1]; !last.End || last.Frame != 150 {
					t.Errorf("last block %+v, want the end at frame 150", last)
				}
				got = got[:len(tc.want)]
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ParseProgress (-want +got):\n%s", diff)
			}

			// The writer Run uses gives the same blocks, however the
			// bytes are split.
			for _, chunk := range []int{1, 3, 64, len(b)} {
				var viaWriter []ProgressUpdate
				w := newProgressWriter(func(u ProgressUpdate) { viaWriter = append(viaWriter, u) })
				for rest := b; len(rest) > 0; rest = rest[min(chunk, len(rest)):] {
					if n, err := w.Write(rest[:min(chunk, len(rest))]); err != nil || n != min(chunk, len(rest)) {
						t.Fatalf("Write = %d, %v", n, err)
					}
				}
				var all []ProgressUpdate
				_ = ParseProgress(strings.NewReader(string(b)), func(u ProgressUpdate) { all = append(all, u) })
				if diff := cmp.Diff(all, viaWriter); diff != "" {
					t.Errorf("writer with %d-byte writes (-parse +writer):\n%s", chunk, diff)
				}
			}
		})
	}
}

func TestParseProgress(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []ProgressUpdate
	}{
		{name: "empty", in: "", want: nil},
		{
			name: "out_time_ms is microseconds",
			in:   "out_time_ms=1500000\nprogress=continue\n",
			want: []ProgressUpdate{{OutTime: 1500 * time.Millisecond}},
		},
		{
			name: "out_time_us wins over the others",
			in:   "out_time=00:00:09.000000\nout_time_ms=2000000\nout_time_us=1000000\nprogress=continue\n",
			want: []ProgressUpdate{{OutTime: time.Second}},
		},
		{
			name: "clock only",
			in:   "out_time=01:02:03.250000\nprogress=end\n",
			want: []ProgressUpdate{{OutTime: time.Hour + 2*time.Minute + 3250*time.Millisecond, End: true}},
		},
		{
			name: "negative time at the start is zero",
			in:   "out_time_us=-23220\nout_time=-00:00:00.023220\nprogress=continue\n",
			want: []ProgressUpdate{{}},
		},
		{
			name: "N/A values are zero",
			in:   "frame=N/A\nbitrate=N/A\ntotal_size=N/A\nout_time_us=N/A\nout_time_ms=N/A\nout_time=N/A\nspeed=N/A\nprogress=continue\n",
			want: []ProgressUpdate{{}},
		},
		{
			name: "CRLF, blanks, junk and unknown keys",
			in:   "\r\nhello\r\nstream_0_0_q=28.0\r\nframe=7\r\nfps=3.5\r\ndup_frames=2\r\ndrop_frames=1\r\nspeed= 1.5x\r\nprogress=continue\r\n",
			want: []ProgressUpdate{{Frame: 7, FPS: 3.5, DupFrames: 2, DropFrames: 1, Speed: 1.5}},
		},
		{
			name: "fields do not leak into the next block",
			in:   "frame=7\nout_time_us=100\nprogress=continue\nspeed=2x\nprogress=end\n",
			want: []ProgressUpdate{{Frame: 7, OutTime: 100 * time.Microsecond}, {Speed: 2, End: true}},
		},
		{
			name: "unfinished last block is dropped",
			in:   "frame=1\nprogress=continue\nframe=2\nout_time_us=5",
			want: []ProgressUpdate{{Frame: 1}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []ProgressUpdate
			if err := ParseProgress(strings.NewReader(tc.in), func(u ProgressUpdate) { got = append(got, u) }); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestProgressWriterLongLine: a line longer than any progress line is
// dropped without failing the write.
func TestProgressWriterLongLine(t *testing.T) {
	var got []ProgressUpdate
	w := newProgressWriter(func(u ProgressUpdate) { got = append(got, u) })
	junk := strings.Repeat("x", maxProgressLine+10)
	for _, s := range []string{junk, junk, "\nframe=3\nprogress=continue\n"} {
		if n, err := w.Write([]byte(s)); err != nil || n != len(s) {
			t.Fatalf("Write = %d, %v", n, err)
		}
	}
	if diff := cmp.Diff([]ProgressUpdate{{Frame: 3}}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func FuzzParseProgress(f *testing.F) {
	for _, name := range []string{"ladder.txt", "av1.txt"} {
		b, err := os.ReadFile(filepath.Join("testdata", "progress", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		_ = ParseProgress(strings.NewReader(string(b)), func(u ProgressUpdate) {
			if u.OutTime < 0 {
				t.Errorf("negative OutTime %v", u.OutTime)
			}
		})
	})
}
