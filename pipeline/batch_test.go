package pipeline

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vpack-dev/vpack/encode"
	"github.com/vpack-dev/vpack/ladder"
	"github.com/vpack-dev/vpack/packager"
	"github.com/vpack-dev/vpack/push"
)

// fakeEncoder stands in for Encode: it writes a small package folder
// through OutDir and counts the titles it encoded.
type fakeEncoder struct {
	mu    sync.Mutex
	calls []string // inputs, in call order
	// subtitles are the side-car subtitles each input was encoded with.
	subtitles map[string][]packager.Subtitle
	fail      map[string]error
	// block, when set, is called inside the encode of an input (tests use
	// it to hold a title open).
	block func(ctx context.Context, input string) error
}

func (f *fakeEncoder) encode(ctx context.Context, _ encode.Runner, cfg EncodeConfig) (*EncodeResult, error) {
	f.mu.Lock()
	f.calls = append(f.calls, filepath.Base(cfg.Input))
	if f.subtitles == nil {
		f.subtitles = make(map[string][]packager.Subtitle)
	}
	f.subtitles[filepath.Base(cfg.Input)] = cfg.Package.Subtitles
	err := f.fail[filepath.Base(cfg.Input)]
	f.mu.Unlock()
	if cfg.Progress != nil {
		cfg.Progress("encode", 1, 2)
	}
	if err != nil {
		return nil, err
	}
	if f.block != nil {
		if err := f.block(ctx, filepath.Base(cfg.Input)); err != nil {
			return nil, err
		}
	}
	out, err := NewOutDir(cfg.Output, cfg.Force)
	if err != nil {
		return nil, err
	}
	defer out.Abort()
	src, err := os.ReadFile(cfg.Input)
	if err != nil {
		return nil, err
	}
	for name, data := range map[string]string{
		packager.SummaryFile: `{"version":1}`,
		"master.m3u8":        "#EXTM3U\n",
		"video/seg-1.m4s":    string(src) + " " + cfg.Preset,
	} {
		p := filepath.Join(out.Work, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			return nil, err
		}
	}
	if cfg.Progress != nil {
		cfg.Progress("package", 1, 1)
	}
	if err := out.Commit(); err != nil {
		return nil, err
	}
	return &EncodeResult{Output: out.Final, Ladder: ladder.Ladder{Video: []ladder.Rung{{Name: "180p-300k", Width: 320, Height: 180, BitrateKbps: 300}}}}, nil
}

func (f *fakeEncoder) encoded() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := slices.Clone(f.calls)
	slices.Sort(c)
	return c
}

func (f *fakeEncoder) reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = nil
}

type batchFixture struct {
	in, out string
	enc     *fakeEncoder
}

func newBatchFixture(t *testing.T, names ...string) *batchFixture {
	t.Helper()
	dir := t.TempDir()
	fx := &batchFixture{in: filepath.Join(dir, "mezzanine"), out: filepath.Join(dir, "packages"), enc: &fakeEncoder{}}
	mkfiles(t, fx.in, names...)
	return fx
}

func (fx *batchFixture) config() BatchConfig {
	return BatchConfig{
		Input:  fx.in,
		Output: fx.out,
		Jobs:   2,
		Encode: EncodeConfig{Ladder: "apple-h264", Preset: "ultrafast", SegmentDuration: time.Second},
		encode: fx.enc.encode,
	}
}

func statuses(rep *BatchReport) map[string]TitleStatus {
	m := make(map[string]TitleStatus)
	for _, t := range rep.Titles {
		m[t.ID] = t.Status
	}
	return m
}

func TestBatchResumeAndRedo(t *testing.T) {
	fx := newBatchFixture(t, "a.mp4", "b.mov", "shows/c.mkv")
	ctx := context.Background()
	var lines []string
	cfg := fx.config()
	cfg.OnTitle = func(tr TitleReport) { lines = append(lines, tr.ID+" "+string(tr.Status)) }
	var lastDone, lastTotal int64
	cfg.Progress = func(done, total int64) { lastDone, lastTotal = done, total }

	rep, err := Batch(ctx, nil, cfg)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]TitleStatus{"a": StatusDone, "b": StatusDone, "shows__c": StatusDone}
	if diff := cmp.Diff(want, statuses(rep)); diff != "" {
		t.Fatalf("first run (-want +got):\n%s", diff)
	}
	if len(lines) != 3 || lastDone != lastTotal || lastTotal != 3000 {
		t.Errorf("OnTitle lines %v, progress %d/%d", lines, lastDone, lastTotal)
	}
	for _, id := range []string{"a", "b", "shows__c"} {
		rec := readRecord(filepath.Join(fx.out, id))
		if rec == nil || rec.SettingsSHA256 != rep.SettingsSHA256 || len(rec.InputSHA256) != 64 {
			t.Fatalf("%s: record %+v", id, rec)
		}
	}
	a := rep.Titles[0]
	if a.OutputBytes == 0 || len(a.Ladder) != 1 || len(a.Stages) == 0 {
		t.Errorf("title report lacks details: %+v", a)
	}
	noLeftovers(t, fx.out)

	// Re-run: nothing to do, nothing encoded.
	fx.enc.reset()
	rep, err = Batch(ctx, nil, fx.config())
	if err != nil {
		t.Fatal(err)
	}
	if got := fx.enc.encoded(); len(got) != 0 {
		t.Fatalf("re-run encoded %v", got)
	}
	if rep.Counts.Skipped != 3 || rep.Titles[0].OutputBytes == 0 {
		t.Fatalf("re-run counts %+v", rep.Counts)
	}

	// Touching a file without changing it rehashes it but redoes nothing;
	// changing one redoes that title only.
	later := time.Now().Add(time.Hour)
	os.Chtimes(filepath.Join(fx.in, "a.mp4"), later, later)
	os.WriteFile(filepath.Join(fx.in, "b.mov"), []byte("new content"), 0o644)
	rep, err = Batch(ctx, nil, fx.config())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"b.mov"}, fx.enc.encoded()); diff != "" {
		t.Fatalf("after a change (-want +got):\n%s", diff)
	}
	seg, _ := os.ReadFile(filepath.Join(fx.out, "b", "video", "seg-1.m4s"))
	if !strings.HasPrefix(string(seg), "new content") {
		t.Errorf("b's package was not replaced: %q", seg)
	}
	noLeftovers(t, fx.out)

	// A side-car subtitle beside a title is packaged with it, and adding or
	// changing one redoes that title only.
	fx.enc.reset()
	os.WriteFile(filepath.Join(fx.in, "a.en.vtt"), []byte("WEBVTT\n\n00:00.000 --> 00:01.000\nhi\n"), 0o644)
	if _, err := Batch(ctx, nil, fx.config()); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"a.mp4"}, fx.enc.encoded()); diff != "" {
		t.Fatalf("after adding a side-car (-want +got):\n%s", diff)
	}
	if subs := fx.enc.subtitles["a.mp4"]; len(subs) != 1 || subs[0].Language != "en" {
		t.Errorf("a.mp4 encoded with subtitles %+v, want a.en.vtt", subs)
	}
	fx.enc.reset()
	if _, err := Batch(ctx, nil, fx.config()); err != nil || len(fx.enc.encoded()) != 0 {
		t.Fatalf("re-run with the same side-car encoded %v (%v)", fx.enc.encoded(), err)
	}
	os.WriteFile(filepath.Join(fx.in, "a.en.vtt"), []byte("WEBVTT\n\n00:00.000 --> 00:01.000\nhello\n"), 0o644)
	if _, err := Batch(ctx, nil, fx.config()); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"a.mp4"}, fx.enc.encoded()); diff != "" {
		t.Fatalf("after changing a side-car (-want +got):\n%s", diff)
	}

	// Other settings redo everything.
	fx.enc.reset()
	cfg = fx.config()
	cfg.Encode.Preset = "veryfast"
	if _, err := Batch(ctx, nil, cfg); err != nil {
		t.Fatal(err)
	}
	if got := fx.enc.encoded(); len(got) != 3 {
		t.Fatalf("new settings encoded %v, want all three", got)
	}
}

func TestBatchFailureIsolation(t *testing.T) {
	fx := newBatchFixture(t, "a.mp4", "broken.mp4", "c.mp4")
	fx.enc.fail = map[string]error{"broken.mp4": &encode.ToolError{Tool: encode.FFmpeg, ExitCode: 1,
		StderrTail: "line 1\nInvalid data found when processing input"}}
	rep, err := Batch(context.Background(), nil, fx.config())
	if !errors.Is(err, ErrTitlesFailed) {
		t.Fatalf("err = %v, want ErrTitlesFailed", err)
	}
	var te *encode.ToolError
	if errors.As(err, &te) {
		t.Error("the batch error must not expose a title's ToolError (exit code)")
	}
	want := map[string]TitleStatus{"a": StatusDone, "broken": StatusFailed, "c": StatusDone}
	if diff := cmp.Diff(want, statuses(rep)); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
	f := rep.Titles[1].Failure
	if f == nil || f.Stage != "encode" || !strings.Contains(f.LogTail, "Invalid data") || !strings.Contains(f.Error, "ffmpeg exited with status 1") {
		t.Errorf("failure = %+v", f)
	}
	if _, err := os.Stat(filepath.Join(fx.out, "broken")); err == nil {
		t.Error("a failed title left a package folder")
	}
	noLeftovers(t, fx.out)

	var buf bytes.Buffer
	if err := rep.WriteJUnit(&buf); err != nil {
		t.Fatal(err)
	}
	var suites struct {
		Suites []struct {
			Tests    int `xml:"tests,attr"`
			Failures int `xml:"failures,attr"`
			Cases    []struct {
				Name    string    `xml:"name,attr"`
				Failure *struct{} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(buf.Bytes(), &suites); err != nil {
		t.Fatalf("junit does not parse: %v\n%s", err, buf.String())
	}
	s := suites.Suites[0]
	if s.Tests != 3 || s.Failures != 1 || s.Cases[1].Name != "broken" || s.Cases[1].Failure == nil {
		t.Errorf("junit: %+v\n%s", s, buf.String())
	}
}

func TestBatchValidation(t *testing.T) {
	fx := newBatchFixture(t, "a.mp4", "bad.mp4")
	ctx := context.Background()
	// Without a validator the titles are done unvalidated.
	if _, err := Batch(ctx, nil, fx.config()); err != nil {
		t.Fatal(err)
	}
	fx.enc.reset()
	var validated []string
	cfg := fx.config()
	cfg.Jobs = 1
	cfg.Validate = func(_ context.Context, dir string) (ValidationSummary, error) {
		validated = append(validated, filepath.Base(dir))
		if strings.Contains(dir, "bad") {
			return ValidationSummary{Errors: 1, First: "master.m3u8: HLS-CODECS: wrong"}, nil
		}
		return ValidationSummary{Segments: 1}, nil
	}
	rep, err := Batch(ctx, nil, cfg)
	if !errors.Is(err, ErrTitlesFailed) {
		t.Fatalf("err = %v", err)
	}
	if got := fx.enc.encoded(); len(got) != 0 {
		t.Errorf("adding validation re-encoded %v; it must only validate", got)
	}
	if diff := cmp.Diff([]string{"a", "bad"}, validated); diff != "" {
		t.Errorf("validated (-want +got):\n%s", diff)
	}
	if f := rep.Titles[1].Failure; f == nil || f.Stage != "validate" || !strings.Contains(f.Error, "HLS-CODECS") {
		t.Errorf("bad: %+v", rep.Titles[1])
	}
	// Next run: a is done, bad is tried again (and fails again).
	validated = nil
	rep, _ = Batch(ctx, nil, cfg)
	if diff := cmp.Diff(map[string]TitleStatus{"a": StatusSkipped, "bad": StatusFailed}, statuses(rep)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"bad"}, validated); diff != "" {
		t.Errorf("validated (-want +got):\n%s", diff)
	}
}

// memStores opens one push.Mem per URL.
type memStores struct {
	mu sync.Mutex
	m  map[string]*push.Mem
}

func (s *memStores) open(_ context.Context, url string) (push.Store, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = make(map[string]*push.Mem)
	}
	if s.m[url] == nil {
		s.m[url] = push.NewMem(url)
	}
	return s.m[url], nil
}

func TestBatchPublish(t *testing.T) {
	fx := newBatchFixture(t, "a.mp4", "b.mp4")
	ctx := context.Background()
	stores := &memStores{}
	pub := &StorePublisher{BaseURL: "mem://origin/titles/", Open: stores.open}
	cfg := fx.config()
	cfg.Publish = pub
	rep, err := Batch(ctx, nil, cfg)
	if err != nil {
		t.Fatal(err)
	}
	p := rep.Titles[0].Push
	if p == nil || p.Uploaded == 0 || p.Target != "mem://origin/titles/a" {
		t.Fatalf("push summary %+v", p)
	}
	if _, err := stores.m["mem://origin/titles/a"].Stat(ctx, "master.m3u8"); err != nil {
		t.Fatalf("not published: %v", err)
	}
	rec := readRecord(filepath.Join(fx.out, "a"))
	if rec == nil || !slices.Contains(rec.Published, "mem://origin/titles/a") {
		t.Fatalf("record does not list the target: %+v", rec)
	}

	// A worker with an empty disk (another pod) skips what was published.
	fx.enc.reset()
	cfg.Output = filepath.Join(t.TempDir(), "elsewhere")
	rep, err = Batch(ctx, nil, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if got := fx.enc.encoded(); len(got) != 0 || rep.Counts.Skipped != 2 {
		t.Fatalf("encoded %v, counts %+v", got, rep.Counts)
	}
	if !strings.Contains(rep.Titles[0].Reason, "published earlier") {
		t.Errorf("reason = %q", rep.Titles[0].Reason)
	}

	// A new target publishes the existing packages without encoding.
	cfg.Output = fx.out
	cfg.Publish = &StorePublisher{BaseURL: "mem://cdn2", Open: stores.open}
	rep, err = Batch(ctx, nil, cfg)
	if err != nil || rep.Counts.Done != 2 || len(fx.enc.encoded()) != 0 {
		t.Fatalf("err %v, counts %+v, encoded %v", err, rep.Counts, fx.enc.encoded())
	}
}

// Two workers on the same titles at once (overlapping shards, a retried
// job): every title is encoded exactly once, and done by exactly one.
func TestBatchOverlappingWorkers(t *testing.T) {
	fx := newBatchFixture(t, "a.mp4", "b.mp4", "c.mp4", "d.mp4", "e.mp4", "f.mp4")
	var inFlight atomic.Int32
	fx.enc.block = func(ctx context.Context, _ string) error {
		if inFlight.Add(1) > 1 {
			// both workers are encoding: let the scheduler interleave
			time.Sleep(time.Millisecond)
		}
		inFlight.Add(-1)
		return nil
	}
	var wg sync.WaitGroup
	reps := make([]*BatchReport, 2)
	for w := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cfg := fx.config()
			cfg.Jobs = 1 + w
			rep, err := Batch(context.Background(), nil, cfg)
			if err != nil {
				t.Error(err)
			}
			reps[w] = rep
		}()
	}
	wg.Wait()
	got := fx.enc.encoded()
	if diff := cmp.Diff([]string{"a.mp4", "b.mp4", "c.mp4", "d.mp4", "e.mp4", "f.mp4"}, got); diff != "" {
		t.Fatalf("encoded (-want +got):\n%s", diff)
	}
	for _, id := range []string{"a", "b", "c", "d", "e", "f"} {
		s0, s1 := statuses(reps[0])[id], statuses(reps[1])[id]
		if (s0 == StatusDone) == (s1 == StatusDone) {
			t.Errorf("%s: %s and %s, want done by exactly one worker", id, s0, s1)
		}
	}
	noLeftovers(t, fx.out)
}

func TestBatchInterrupted(t *testing.T) {
	fx := newBatchFixture(t, "a.mp4", "b.mp4", "c.mp4")
	ctx, cancel := context.WithCancel(context.Background())
	fx.enc.block = func(ctx context.Context, input string) error {
		if input == "b.mp4" {
			cancel()
			<-ctx.Done()
			return ctx.Err()
		}
		return nil
	}
	cfg := fx.config()
	cfg.Jobs = 1
	rep, err := Batch(ctx, nil, cfg)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	want := map[string]TitleStatus{"a": StatusDone, "b": StatusCancelled, "c": StatusCancelled}
	if diff := cmp.Diff(want, statuses(rep)); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
	noLeftovers(t, fx.out)
	if _, err := os.Stat(filepath.Join(fx.out, leaseDir, "b.lease")); err == nil {
		t.Error("an interrupted title kept its lease")
	}

	// A worker killed mid-title leaves its work folder: the next run
	// removes it and finishes.
	stale := filepath.Join(fx.out, tmpPrefix+"b"+stageSep+"deadbeef")
	mkfiles(t, stale, "package/junk")
	fx.enc.block = nil
	fx.enc.reset()
	rep, err = Batch(context.Background(), nil, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"b.mp4", "c.mp4"}, fx.enc.encoded()); diff != "" {
		t.Errorf("resumed (-want +got):\n%s", diff)
	}
	noLeftovers(t, fx.out)
}

func TestBatchSetupErrors(t *testing.T) {
	fx := newBatchFixture(t, "notes.txt")
	_, err := Batch(context.Background(), nil, fx.config())
	var ie *encode.InputError
	if !errors.As(err, &ie) || !strings.Contains(err.Error(), "no media files") {
		t.Errorf("no titles: err = %v", err)
	}
	cfg := fx.config()
	cfg.Encode.Ladder = "no-such-ladder"
	if _, err := Batch(context.Background(), nil, cfg); !errors.Is(err, ladder.ErrUnknownLadder) {
		t.Errorf("bad ladder: err = %v", err)
	}
	cfg = fx.config()
	cfg.Shard = Shard{Index: 4, Total: 3}
	if _, err := Batch(context.Background(), nil, cfg); !errors.Is(err, ErrBadShard) {
		t.Errorf("bad shard: err = %v", err)
	}
}

func TestSplitCores(t *testing.T) {
	tests := []struct{ jobs, threads, titles, cores, wantJobs, wantThreads int }{
		{0, 0, 10, 2, 1, 0},
		{0, 0, 10, 16, 4, 4},
		{0, 0, 2, 16, 2, 8},
		{3, 0, 10, 8, 3, 2},
		{2, 5, 10, 8, 2, 5},
		{0, 0, 100, 128, 16, 8},
		{4, 0, 0, 8, 1, 0},
	}
	for _, tc := range tests {
		j, th := splitCores(tc.jobs, tc.threads, tc.titles, tc.cores)
		if j != tc.wantJobs || th != tc.wantThreads {
			t.Errorf("splitCores(%d, %d, %d titles, %d cores) = %d, %d; want %d, %d",
				tc.jobs, tc.threads, tc.titles, tc.cores, j, th, tc.wantJobs, tc.wantThreads)
		}
	}
}

func TestWithThreads(t *testing.T) {
	got := withThreads([]string{"-y", "-i", "file:in.mp4", "-filter_complex", "x", "-map", "[v0]", "-c:v", "libx264", "file:a.mp4", "-map", "0:1", "file:b.mp4"}, 3)
	want := []string{"-filter_complex_threads", "3", "-y", "-threads", "3", "-i", "file:in.mp4", "-filter_complex", "x",
		"-threads", "3", "-map", "[v0]", "-c:v", "libx264", "file:a.mp4", "-threads", "3", "-map", "0:1", "file:b.mp4"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestSettingsDigest(t *testing.T) {
	base := EncodeConfig{Ladder: "apple-h264", Preset: "fast", SegmentDuration: 4 * time.Second}
	d := func(c EncodeConfig) string {
		s, err := settingsDigest(c, nil)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	same := base
	same.Input, same.Output, same.Force = "x", "y", true
	same.Progress = func(string, int64, int64) {}
	if d(base) != d(same) {
		t.Error("per-title fields changed the settings digest")
	}
	other := base
	other.Package.SingleFile = true
	if d(base) == d(other) {
		t.Error("a packaging option did not change the settings digest")
	}
	l1 := ladder.Ladder{Video: []ladder.Rung{{Width: 320, Height: 180, BitrateKbps: 300}}}
	l2 := ladder.Ladder{Video: []ladder.Rung{{Width: 320, Height: 180, BitrateKbps: 400}}}
	s1, _ := settingsDigest(base, &l1)
	s2, _ := settingsDigest(base, &l2)
	if s1 == s2 {
		t.Error("the ladder's content did not change the settings digest")
	}
}

// noLeftovers fails if dir holds a work folder (.vpack-tmp-*).
func noLeftovers(t *testing.T, dir string) {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), tmpPrefix) {
			t.Errorf("work folder left behind: %s", e.Name())
		}
	}
	leases, _ := os.ReadDir(filepath.Join(dir, leaseDir))
	for _, e := range leases {
		t.Errorf("lease left behind: %s", e.Name())
	}
}

// notMediaRunner is ffprobe failing on every file as on a text file.
type notMediaRunner struct{ calls atomic.Int32 }

func (r *notMediaRunner) Run(_ context.Context, tool encode.Tool, args []string, _ io.Writer) error {
	r.calls.Add(1)
	input := args[len(args)-1]
	return &encode.ToolError{Tool: tool, Args: args, ExitCode: 1, StderrTail: input + ": Invalid data found when processing input"}
}

// A file of unknown type that ffprobe cannot read is not a title: it is
// neither packaged nor reported, and a file with a media extension is.
func TestBatchProbesUnknownFiles(t *testing.T) {
	fx := newBatchFixture(t, "a.mp4", "README", "clip.weird")
	r := &notMediaRunner{}
	rep, err := Batch(context.Background(), r, fx.config())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]TitleStatus{"a": StatusDone}, statuses(rep)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if rep.Discovered != 3 || rep.Counts.Titles != 1 || r.calls.Load() != 2 {
		t.Errorf("discovered %d, titles %d, ffprobe runs %d", rep.Discovered, rep.Counts.Titles, r.calls.Load())
	}
}
