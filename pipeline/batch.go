package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/vpack-dev/vpack/encode"
	"github.com/vpack-dev/vpack/ladder"
)

// BatchConfig is the input of Batch.
type BatchConfig struct {
	Input  string // the mezzanine folder
	Output string // the packages folder: one <title-id> folder per title
	// Include and Exclude filter the files of Input (see Discover).
	Include, Exclude []string
	// Shard selects this worker's titles (see ShardOf); zero means all.
	Shard Shard
	// Jobs is how many titles are worked on at once; 0 means a quarter of
	// the cores (at least 1, at most 16). Threads caps ffmpeg's threads per
	// filter graph, decoder and encoder of one title; 0 means the cores
	// divided by Jobs when Jobs > 1, and ffmpeg's own choice otherwise.
	// Cores is the number of cores to share (0: GOMAXPROCS, which follows
	// the container's CPU limit).
	Jobs, Threads, Cores int
	// Encode is the template for every title: Input, Output, Force, Log
	// and Progress are set per title; everything else (ladder, codec,
	// preset, packaging and encryption options) applies to all.
	Encode EncodeConfig
	// Validate checks a title's package folder before it is published; a
	// title whose package has errors fails at stage "validate". nil skips
	// validation (and titles count as done unvalidated).
	Validate ValidateFunc
	// Publish, when set, publishes each title's package after validation;
	// titles also count as done when the publisher holds their record.
	Publish Publisher
	// LeaseTTL is how long a title's lease outlives its holder's last
	// heartbeat (DefaultLeaseTTL when 0).
	LeaseTTL time.Duration
	Log      *slog.Logger
	// Progress reports the batch's progress in thousandths of a title:
	// done of total (titles of this shard × 1000), one call at a time.
	Progress func(done, total int64)
	// OnTitle is called as each title of this shard ends, one call at a
	// time, in the order they end.
	OnTitle func(TitleReport)
	// Now is the clock for reports; nil means time.Now.
	Now func() time.Time

	// encode replaces Encode in tests.
	encode func(context.Context, encode.Runner, EncodeConfig) (*EncodeResult, error)
}

// ValidateFunc checks a package folder. It returns an error only when the
// check could not run; problems found are counted in the summary.
type ValidateFunc func(ctx context.Context, dir string) (ValidationSummary, error)

// ValidationSummary is what a title's validation found.
type ValidationSummary struct {
	Errors   int    `json:"errors"`
	Warnings int    `json:"warnings"`
	Infos    int    `json:"infos"`
	Segments int    `json:"segments_checked"`
	First    string `json:"first,omitempty"` // the first error, else the first warning
}

// Publisher publishes the packages of a batch, one target per title.
type Publisher interface {
	// Target names where title id is published (a URL without
	// credentials), for records and reports.
	Target(id string) string
	// Publish publishes the package folder dir of title id and then
	// stores record (the title's completion record, JSON) beside it.
	Publish(ctx context.Context, id, dir string, record []byte) (PushSummary, error)
	// Record returns the record an earlier Publish of title id stored, or
	// nil when there is none.
	Record(ctx context.Context, id string) ([]byte, error)
}

// PushSummary is what publishing one title did.
type PushSummary struct {
	Target     string `json:"target"`
	Objects    int    `json:"objects"`
	Uploaded   int    `json:"uploaded"`
	Skipped    int    `json:"skipped"`
	Bytes      int64  `json:"bytes"`
	DurationMs int64  `json:"duration_ms"`
}

// TitleStatus is how a title of a batch ended.
type TitleStatus string

const (
	// StatusDone: the title was packaged (or its missing steps, such as
	// publishing, were completed) by this run.
	StatusDone TitleStatus = "done"
	// StatusSkipped: an earlier run completed it for the same input and
	// settings; nothing ran.
	StatusSkipped TitleStatus = "skipped"
	// StatusFailed: a stage failed; see the failure. The batch went on.
	StatusFailed TitleStatus = "failed"
	// StatusBusy: another live worker holds the title (overlapping shards
	// or a retried job); it is left to that worker.
	StatusBusy TitleStatus = "busy"
	// StatusCancelled: the batch was interrupted before the title ended.
	StatusCancelled TitleStatus = "cancelled"

	// statusIgnored: a file of unknown type that is not a video; not a
	// title after all, and not reported.
	statusIgnored TitleStatus = "ignored"
)

// TitleReport is one title's line in the batch report.
type TitleReport struct {
	ID     string      `json:"id"`
	Input  string      `json:"input"`  // relative to the mezzanine folder
	Output string      `json:"output"` // the package folder
	Status TitleStatus `json:"status"`
	// Reason says why a title was skipped or left to another worker.
	Reason     string        `json:"reason,omitempty"`
	Failure    *TitleFailure `json:"failure,omitempty"`
	DurationMs int64         `json:"duration_ms"`
	// Stages are the stages this run went through, in order, with their
	// wall-clock time: hash, probe, encode, package, validate, publish.
	Stages []StageTime `json:"stages,omitempty"`
	// CPUSeconds is the CPU time (user + system) of the ffmpeg and
	// ffprobe processes of this title in this run.
	CPUSeconds  float64            `json:"cpu_seconds"`
	InputBytes  int64              `json:"input_bytes"`
	OutputBytes int64              `json:"output_bytes,omitempty"`
	Ladder      []ladder.Rung      `json:"ladder,omitempty"`
	Validation  *ValidationSummary `json:"validation,omitempty"`
	Push        *PushSummary       `json:"push,omitempty"`
}

// TitleFailure says where and why a title failed.
type TitleFailure struct {
	Stage string `json:"stage"` // hash, probe, encode, package, validate, publish, lease
	Error string `json:"error"`
	// LogTail is ffmpeg's last stderr lines when ffmpeg failed, else the
	// title's last log lines.
	LogTail string `json:"log_tail,omitempty"`
}

// StageTime is the wall-clock time of one stage of a title.
type StageTime struct {
	Stage      string `json:"stage"`
	DurationMs int64  `json:"duration_ms"`
}

// BatchReport is the result of Batch: the --report file.
type BatchReport struct {
	Version int    `json:"version"`
	Input   string `json:"input"`
	Output  string `json:"output"`
	Shard   Shard  `json:"shard"`
	// SettingsSHA256 identifies the settings; titles whose record has
	// another are redone.
	SettingsSHA256 string    `json:"settings_sha256"`
	Jobs           int       `json:"jobs"`
	Threads        int       `json:"threads"` // 0: ffmpeg's default
	Started        time.Time `json:"started"`
	Finished       time.Time `json:"finished"`
	DurationMs     int64     `json:"duration_ms"`
	// Discovered counts the files of the whole batch that may be titles
	// (files of unknown type are counted before they are probed); Titles
	// lists this shard's titles, sorted by ID.
	Discovered int           `json:"discovered"`
	Counts     BatchCounts   `json:"counts"`
	CPUSeconds float64       `json:"cpu_seconds"`
	Titles     []TitleReport `json:"titles"`
}

// BatchCounts counts this shard's titles by status.
type BatchCounts struct {
	Titles    int `json:"titles"`
	Done      int `json:"done"`
	Skipped   int `json:"skipped"`
	Failed    int `json:"failed"`
	Busy      int `json:"busy"`
	Cancelled int `json:"cancelled"`
}

// ReportVersion is the version of the report's schema. Fields are only
// ever added within a version.
const ReportVersion = 1

// ErrTitlesFailed is matched (errors.Is) by the error Batch returns when
// some titles failed and the others completed.
var ErrTitlesFailed = errors.New("some titles failed")

// BatchError is Batch's error when titles failed: the batch itself ran to
// its end, and the report says which titles failed and why.
type BatchError struct {
	Failed, Titles int
}

func (e *BatchError) Error() string {
	return fmt.Sprintf("%d of %d titles failed (see the report)", e.Failed, e.Titles)
}

// Is makes errors.Is(err, ErrTitlesFailed) true. A BatchError wraps
// nothing else, so a title's ffmpeg error never decides the exit code of
// the batch.
func (e *BatchError) Is(target error) bool { return target == ErrTitlesFailed }

// Batch packages every title of this shard of cfg.Input into
// cfg.Output/<title-id>, through the same pipeline as Encode, then
// validates and publishes each when configured.
//
// A title is done when its package folder holds a completion record
// (TitleRecord) matching the input's SHA-256 and the settings; such titles
// are skipped without running any tool, changed ones are redone, and ones
// an interrupted run left unfinished are started again. Each title is
// worked on under a lease (see lease), in a hidden folder of its own in
// cfg.Output that is moved into place (replacing an older package) only
// when the package is complete, validated and the lease still held; so two
// workers on one title never mix their files. A failed title is recorded
// with its stage, error and log tail, and the batch goes on.
//
// Batch returns the report and: nil when no title failed; a *BatchError
// (errors.Is ErrTitlesFailed) when some did; the context's error
// (wrapped) when interrupted, with titles not finished marked cancelled.
// Errors that stop the batch before any title runs (a missing folder, bad
// settings, ffmpeg missing) come with a nil report.
func Batch(ctx context.Context, r encode.Runner, cfg BatchConfig) (*BatchReport, error) {
	b, titles, err := newBatch(ctx, r, cfg)
	if err != nil {
		return nil, err
	}
	rep := b.report
	if len(titles) == 0 {
		b.log.Info("no titles in this shard", "shard", cfg.Shard.String(), "discovered", rep.Discovered)
	} else {
		b.log.Info("batch", "titles", len(titles), "discovered", rep.Discovered, "shard", cfg.Shard.String(),
			"jobs", rep.Jobs, "threads", rep.Threads)
	}

	results := make([]TitleReport, len(titles))
	started := make([]bool, len(titles))
	var g errgroup.Group
	g.SetLimit(rep.Jobs)
	for i, t := range titles {
		if ctx.Err() != nil {
			break
		}
		started[i] = true
		g.Go(func() error {
			tr := b.runTitle(ctx, t, i)
			results[i] = tr
			b.finished(i, tr)
			return nil
		})
	}
	_ = g.Wait()
	for i, t := range titles {
		if !started[i] {
			results[i] = TitleReport{ID: t.ID, Input: t.Input, Output: b.final(t), Status: StatusCancelled,
				InputBytes: t.Size, Reason: "not started"}
		}
	}
	return b.finish(ctx, results)
}

// batch is the state of one Batch call.
type batch struct {
	cfg      BatchConfig
	runner   encode.Runner
	log      *slog.Logger
	now      func() time.Time
	self     LeaseHolder
	leases   string
	settings string
	meter    *cpuMeter
	report   *BatchReport
	encode   func(context.Context, encode.Runner, EncodeConfig) (*EncodeResult, error)

	mu       sync.Mutex // serialises progress and OnTitle
	progress []int64    // per title, in thousandths
	total    int64
}

func newBatch(ctx context.Context, r encode.Runner, cfg BatchConfig) (*batch, []Title, error) {
	b := &batch{cfg: cfg, runner: r, log: cfg.Log, now: cfg.Now, encode: cfg.encode}
	if b.log == nil {
		b.log = slog.New(slog.DiscardHandler)
	}
	if b.now == nil {
		b.now = time.Now
	}
	if b.encode == nil {
		b.encode = Encode
	}
	if cfg.Input == "" || cfg.Output == "" {
		return nil, nil, errors.New("batch: input and output folders are required")
	}
	if err := cfg.Shard.Check(); err != nil {
		return nil, nil, err
	}
	if err := cfg.Encode.Package.check(); err != nil {
		return nil, nil, err
	}
	// The ladder is resolved once: a bad ladder stops the batch instead of
	// failing every title, and its content is part of the settings.
	// A per-title ladder ("auto") is made per title; its settings are in
	// the encode template.
	var lad *ladder.Ladder
	l, err := ladder.Resolve(cfg.Encode.Ladder)
	switch {
	case cfg.Encode.Ladder == ladder.AutoName && !errors.Is(err, ladder.ErrAutoNotAvailable):
	case err != nil:
		return nil, nil, err
	default:
		lad = &l
	}
	settings, err := settingsDigest(cfg.Encode, lad)
	if err != nil {
		return nil, nil, err
	}
	b.settings = settings
	all, err := Discover(ctx, cfg.Input, cfg.Include, cfg.Exclude, cfg.Output)
	if err != nil {
		return nil, nil, err
	}
	if len(all) == 0 {
		return nil, nil, &encode.InputError{Path: cfg.Input, Reason: "no media files found (check --include/--exclude)"}
	}
	var titles []Title
	for _, t := range all {
		if cfg.Shard.Owns(t.ID) {
			titles = append(titles, t)
		}
	}
	if len(titles) > 0 {
		if err := checkTools(r); err != nil {
			return nil, nil, err
		}
	}
	if err := os.MkdirAll(cfg.Output, 0o755); err != nil {
		return nil, nil, &OutputError{Path: cfg.Output, Err: err}
	}
	host, _ := os.Hostname()
	b.self = LeaseHolder{Token: newToken(), Host: host, PID: os.Getpid()}
	b.leases = filepath.Join(cfg.Output, filepath.FromSlash(leaseDir))
	b.meter = newCPUMeter()
	cores := cfg.Cores
	if cores <= 0 {
		cores = runtime.GOMAXPROCS(0)
	}
	jobs, threads := splitCores(cfg.Jobs, cfg.Threads, len(titles), cores)
	b.progress = make([]int64, len(titles))
	b.total = int64(len(titles)) * 1000
	b.report = &BatchReport{Version: ReportVersion, Input: cfg.Input, Output: cfg.Output, Shard: cfg.Shard.orWhole(),
		SettingsSHA256: settings, Jobs: jobs, Threads: threads, Started: b.now().UTC(), Discovered: len(all)}
	return b, titles, nil
}

// checkTools fails early when ffmpeg or ffprobe is missing, rather than
// failing every title.
func checkTools(r encode.Runner) error {
	lp, ok := r.(interface {
		LookPath(encode.Tool) (string, error)
	})
	if !ok {
		return nil
	}
	for _, tool := range []encode.Tool{encode.FFprobe, encode.FFmpeg} {
		if _, err := lp.LookPath(tool); err != nil {
			return err
		}
	}
	return nil
}

// splitCores chooses the titles at once and the ffmpeg threads of each
// (see BatchConfig.Jobs).
func splitCores(jobs, threads, titles, cores int) (int, int) {
	if jobs <= 0 {
		jobs = min(max(1, cores/4), 16)
	}
	jobs = max(1, min(jobs, titles))
	if threads <= 0 && jobs > 1 {
		threads = max(1, cores/jobs)
	}
	return jobs, max(threads, 0)
}

func (b *batch) final(t Title) string { return filepath.Join(b.cfg.Output, t.ID) }

// setProgress records title i's progress (thousandths) and reports the
// batch's.
func (b *batch) setProgress(i int, permille int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	permille = min(max(permille, b.progress[i]), 1000)
	if permille == b.progress[i] {
		return
	}
	b.progress[i] = permille
	if b.cfg.Progress != nil {
		var done int64
		for _, p := range b.progress {
			done += p
		}
		b.cfg.Progress(done, b.total)
	}
}

func (b *batch) finished(i int, tr TitleReport) {
	defer b.setProgress(i, 1000) // after OnTitle, so a display counts the title
	b.mu.Lock()
	defer b.mu.Unlock()
	if tr.Status == statusIgnored {
		return
	}
	attrs := []any{"title", tr.ID, "status", string(tr.Status), "duration", time.Duration(tr.DurationMs) * time.Millisecond}
	if tr.Failure != nil {
		attrs = append(attrs, "stage", tr.Failure.Stage, "err", tr.Failure.Error)
		b.log.Warn("title failed", attrs...)
	} else {
		b.log.Info("title", attrs...)
	}
	if b.cfg.OnTitle != nil {
		b.cfg.OnTitle(tr)
	}
}

func (b *batch) finish(ctx context.Context, results []TitleReport) (*BatchReport, error) {
	rep := b.report
	rep.Titles = []TitleReport{}
	var cpu float64
	for _, tr := range results {
		if tr.Status == statusIgnored {
			continue
		}
		rep.Titles = append(rep.Titles, tr)
		cpu += tr.CPUSeconds
		c := &rep.Counts
		c.Titles++
		switch tr.Status {
		case StatusDone:
			c.Done++
		case StatusSkipped:
			c.Skipped++
		case StatusFailed:
			c.Failed++
		case StatusBusy:
			c.Busy++
		case StatusCancelled:
			c.Cancelled++
		}
	}
	rep.CPUSeconds = cpu
	rep.Finished = b.now().UTC()
	rep.DurationMs = rep.Finished.Sub(rep.Started).Milliseconds()
	c := rep.Counts
	b.log.Info("batch finished", "titles", c.Titles, "done", c.Done, "skipped", c.Skipped, "failed", c.Failed,
		"busy", c.Busy, "cancelled", c.Cancelled)
	if err := ctx.Err(); err != nil {
		return rep, fmt.Errorf("batch: %w", err)
	}
	if c.Failed > 0 {
		return rep, &BatchError{Failed: c.Failed, Titles: c.Titles}
	}
	return rep, nil
}

// titleRun is the state of one title's run.
type titleRun struct {
	b      *batch
	t      Title
	i      int
	log    *slog.Logger
	tail   *logTail
	runner *titleRunner
	rep    TitleReport
	start  time.Time

	mu         sync.Mutex // stage is set from progress callbacks
	stage      string
	stageStart time.Time
}

// enter starts stage name, closing the current one.
func (tr *titleRun) enter(name string) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	if tr.stage == name {
		return
	}
	now := time.Now()
	if tr.stage != "" {
		tr.rep.Stages = append(tr.rep.Stages, StageTime{Stage: tr.stage, DurationMs: now.Sub(tr.stageStart).Milliseconds()})
	}
	tr.stage, tr.stageStart = name, now
}

func (tr *titleRun) current() string {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return tr.stage
}

// end closes the last stage and fills in the totals.
func (tr *titleRun) end(status TitleStatus) TitleReport {
	tr.enter("")
	tr.rep.Status = status
	tr.rep.DurationMs = time.Since(tr.start).Milliseconds()
	tr.rep.CPUSeconds = tr.runner.CPU().Seconds()
	return tr.rep
}

// fail ends the title as failed in the current stage, or as cancelled when
// the batch was interrupted.
func (tr *titleRun) fail(ctx context.Context, err error) TitleReport {
	stage := tr.current()
	if ctx.Err() != nil {
		tr.rep.Reason = "interrupted during " + stage
		return tr.end(StatusCancelled)
	}
	f := &TitleFailure{Stage: stage, Error: err.Error(), LogTail: tr.tail.String()}
	var te *encode.ToolError
	if errors.As(err, &te) && strings.TrimSpace(te.StderrTail) != "" {
		f.LogTail = strings.TrimSpace(te.StderrTail)
	}
	tr.rep.Failure = f
	return tr.end(StatusFailed)
}

// runTitle takes one title from wherever an earlier run left it to done.
func (b *batch) runTitle(ctx context.Context, t Title, i int) TitleReport {
	tail := &logTail{}
	tr := &titleRun{b: b, t: t, i: i, tail: tail, start: time.Now(),
		log:    slog.New(newTailHandler(b.log.Handler(), tail)).With("title", t.ID),
		runner: &titleRunner{r: b.runner, threads: b.report.Threads, meter: b.meter},
		rep:    TitleReport{ID: t.ID, Input: t.Input, Output: b.final(t), InputBytes: t.Size},
	}
	if ctx.Err() != nil {
		tr.rep.Reason = "not started"
		return tr.end(StatusCancelled)
	}
	// Fast path, without the lease: is the title done already?
	st, err := b.state(ctx, tr)
	if err != nil {
		return tr.fail(ctx, err)
	}
	if st.done() {
		return tr.skipped(st)
	}
	// A file of unknown type is a title only if ffprobe finds a video
	// stream in it (checked after the record, so done titles run nothing).
	if t.NeedsProbe && st.rec == nil {
		tr.enter("probe")
		probe, err := encode.ProbeFile(ctx, tr.runner, t.Path)
		var ie *encode.InputError
		switch {
		case errors.As(err, &ie) && ctx.Err() == nil:
			tr.log.Debug("not a video file; skipped", "path", t.Path, "err", err)
			return tr.end(statusIgnored)
		case err != nil:
			return tr.fail(ctx, err)
		}
		if _, err := probe.PrimaryVideo(); err != nil {
			tr.log.Debug("no video stream; skipped", "path", t.Path)
			return tr.end(statusIgnored)
		}
	}

	tr.enter("lease")
	l, err := acquireLease(b.leases, t.ID, b.self, b.cfg.LeaseTTL)
	var busy *LeaseBusyError
	if errors.As(err, &busy) {
		tr.rep.Reason = "held by " + busy.Holder.String()
		return tr.end(StatusBusy)
	}
	if err != nil {
		return tr.fail(ctx, err)
	}
	defer func() {
		if err := l.release(); err != nil {
			tr.log.Warn("release lease", "err", err)
		}
	}()
	// Another worker may have completed the title since the fast path.
	st, err = b.state(ctx, tr)
	if err != nil {
		return tr.fail(ctx, err)
	}
	if st.done() {
		return tr.skipped(st)
	}
	b.removeStale(tr)

	rec := st.rec
	if rec == nil {
		if rec, err = b.build(ctx, tr, l, st.digest); err != nil {
			return tr.fail(ctx, err)
		}
	} else {
		tr.rep.OutputBytes, tr.rep.Ladder = rec.OutputBytes, rec.Ladder
		if st.needValidate {
			if err := b.validateFinal(ctx, tr, rec); err != nil {
				return tr.fail(ctx, err)
			}
		}
	}
	if b.cfg.Publish != nil && !slices.Contains(rec.Published, b.cfg.Publish.Target(t.ID)) {
		if err := b.publish(ctx, tr, rec); err != nil {
			return tr.fail(ctx, err)
		}
	}
	return tr.end(StatusDone)
}

func (tr *titleRun) skipped(st titleState) TitleReport {
	rec := st.rec
	tr.rep.Reason = "done earlier for the same input and settings"
	if st.remote {
		tr.rep.Reason = "published earlier for the same input and settings"
	}
	tr.rep.OutputBytes, tr.rep.Ladder, tr.rep.Validation = rec.OutputBytes, rec.Ladder, rec.Validation
	tr.mu.Lock()
	tr.rep.Stages, tr.stage = nil, "" // checking the record is not a stage
	tr.mu.Unlock()
	return tr.end(StatusSkipped)
}

// titleState is how far earlier runs took a title.
type titleState struct {
	rec          *TitleRecord // matches the input and settings; nil: build
	digest       string       // input SHA-256, when computed
	sidecars     string       // side-car subtitles' digest (sidecarsDigest), when computed
	needValidate bool
	needPublish  bool
	remote       bool // done according to the publisher's record
}

func (s titleState) done() bool {
	return s.rec != nil && (s.remote || !s.needValidate && !s.needPublish)
}
