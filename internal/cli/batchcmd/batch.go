// Package batchcmd implements `vpack batch`: a folder of mezzanine files in,
// one validated (and optionally published) package per title out —
// resumable, failure-isolated, reported, and sharded across the workers of
// an existing job engine.
package batchcmd

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/vpack-dev/vpack/encode"
	"github.com/vpack-dev/vpack/internal/cli/cmdutil"
	"github.com/vpack-dev/vpack/ladder"
	"github.com/vpack-dev/vpack/pipeline"
	"github.com/vpack-dev/vpack/push"
	"github.com/vpack-dev/vpack/validate"
)

// BatchOptions are the inputs of `vpack batch`.
type BatchOptions struct {
	IO      *cmdutil.IOStreams
	Factory *cmdutil.Factory
	JSON    bool

	Input            string
	Output           string
	Include, Exclude []string
	ShardFlag        string         // --shard as given
	Shard            pipeline.Shard // resolved from --shard or the environment
	ShardFrom        string         // "--shard", an environment variable, or "" (all)
	Jobs             int
	Threads          int
	Report           string // JSON report path ({shard}, {shards} expanded)
	JUnit            string // JUnit XML path (the same)
	Push             string // base URL; titles go to <url>/<title-id>
	NoValidate       bool
	LeaseTTL         time.Duration

	Ladder          string
	Codec           string
	Preset          string
	SegmentDuration time.Duration
	AudioCodec      string
	Surround        string
	KeepRenditions  bool
	Package         pipeline.PackageOptions
	Encrypt         cmdutil.EncryptFlags
	Subtitles       cmdutil.SubtitleFlags // only Format: side-cars are found beside each title
	Thumbnails      cmdutil.ThumbnailFlags
	// NoSourceSubtitles leaves the titles' own text streams out.
	NoSourceSubtitles bool
	// ThumbnailConfig is Thumbnails resolved by check; nil without --thumbnails.
	ThumbnailConfig *encode.ThumbnailConfig
}

// NewCmdBatch builds the command; runF replaces batchRun in tests.
func NewCmdBatch(f *cmdutil.Factory, runF func(context.Context, *BatchOptions) error) *cobra.Command {
	opts := &BatchOptions{IO: f.IO, Factory: f}
	cmd := &cobra.Command{
		Use:   "batch <mezzanine-folder> -o <packages-folder>",
		Short: "Package every title of a folder: resumable, reported, shardable across machines",
		Long: `Batch finds the media files under a folder (recursively; hidden files,
sidecars, pictures and audio-only files are skipped; files with an unknown
extension are probed) and packages each title into <packages-folder>/<title-id>
through the same pipeline as vpack encode, then validates it and, with --push,
publishes it to <url>/<title-id>.

Title IDs come from the path relative to the folder, without the extension:
"Shows/Ep 1.mov" becomes "Shows__Ep-1".

Resumable: a title is done when its package holds a completion record
(.vpack-batch.json) matching the SHA-256 of its input and the settings. A
re-run skips done titles without running ffmpeg, redoes titles whose input or
settings changed, and finishes titles an interrupted run left. Each title is
built in a hidden folder and moved into place only when complete and
validated, under a lease (<packages-folder>/.vpack-batch/leases), so workers
that end up on the same title never mix their files.

Failure-isolated: a title that fails (broken file, ffmpeg error, validation
errors) is reported with its stage, error and log tail, and the batch goes on.
The exit code is 0 when no title failed, 7 when some did, 130 when
interrupted.

Sharding: with --shard K/N this worker takes the titles whose ID hashes to
shard K of N (rendezvous hashing: stable as titles are added, and going to
N+1 shards moves only 1/(N+1) of them). Without --shard the shard comes from
the job engine's environment:
  VPACK_SHARD=K/N
  JOB_COMPLETION_INDEX + VPACK_SHARD_TOTAL     Kubernetes Indexed Job (index from 0)
  CI_NODE_INDEX + CI_NODE_TOTAL                GitLab parallel, CI matrices (from 1)
  AWS_BATCH_JOB_ARRAY_INDEX + VPACK_SHARD_TOTAL AWS Batch array job (from 0)
Use --shard 1/1 to ignore the environment. See deploy/ for examples.

Reports: a line per finished title on stdout (the whole report with --json),
progress on stderr; --report writes the JSON report and --junit a JUnit XML
file with one test case per title. In both paths {shard} and {shards} are
replaced by the shard's index and total.

Encryption: --encrypt cenc|cbcs with --keys, --cpix or VPACK_KEYS / VPACK_KEY
protects every title with the same keys, as vpack encode does; the keys are
part of the settings (hashed, never stored), so new keys redo the titles.

Parallelism: --jobs titles at once (default: a quarter of the cores), and
ffmpeg threads per title (--threads, default: the cores divided by --jobs).`,
		Example: `  vpack batch mezzanine/ -o packages/
  vpack batch mezzanine/ -o packages/ --jobs 2 --ladder ladder.json --push s3://bucket/vod
  vpack batch mezzanine/ -o packages/ --shard 3/8 --report reports/{shard}.json --junit reports/{shard}.xml
  vpack batch mezzanine/ -o packages/ --include '*.mxf' --exclude 'trailers/**'
  VPACK_KEYS="$(cat keys.json)" vpack batch mezzanine/ -o packages/ --encrypt cbcs --drm widevine,fairplay`,
		Args: cmdutil.ExactArgs(1, "one mezzanine folder"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Input = args[0]
			opts.JSON = f.Flags.JSON
			if err := opts.check(); err != nil {
				return err
			}
			s, from, err := ResolveShard(opts.ShardFlag, os.Getenv)
			if err != nil {
				return err
			}
			opts.Shard, opts.ShardFrom = s, from
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return batchRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.Output, "output", "o", "", "packages folder: one <title-id> folder per title (required)")
	fl.StringArrayVar(&opts.Include, "include", nil, "only files matching this glob (repeatable; * ? [..] **; without a / it matches file names)")
	fl.StringArrayVar(&opts.Exclude, "exclude", nil, "skip files matching this glob (repeatable)")
	fl.StringVar(&opts.ShardFlag, "shard", "", "take shard K of N (K/N, 1-based); default: from the environment (see above)")
	fl.IntVar(&opts.Jobs, "jobs", 0, "titles at once (0: a quarter of the cores)")
	fl.IntVar(&opts.Threads, "threads", 0, "ffmpeg threads per title (0: the cores divided by --jobs)")
	fl.StringVar(&opts.Report, "report", "", "write the JSON report here ({shard} and {shards} are replaced)")
	fl.StringVar(&opts.JUnit, "junit", "", "write a JUnit XML report here, one test case per title")
	fl.StringVar(&opts.Push, "push", "", "publish each title to <url>/<title-id> (s3://, https://, file:///)")
	fl.BoolVar(&opts.NoValidate, "no-validate", false, "do not validate packages before they count as done")
	fl.DurationVar(&opts.LeaseTTL, "lease-ttl", pipeline.DefaultLeaseTTL, "a title held by a worker that stopped renewing its lease this long is taken over")

	fl.StringVar(&opts.Ladder, "ladder", "apple-h264", "ladder: apple-h264, apple-hevc or a JSON file")
	fl.StringVar(&opts.Codec, "codec", "", "video codec for every rung: h264, hevc or av1 (default: the ladder's)")
	fl.StringVar(&opts.Preset, "preset", "medium", "speed/quality preset: ultrafast, veryfast, faster, fast, medium, slow, slower")
	fl.DurationVar(&opts.SegmentDuration, "segment-duration", 4*time.Second, "segment duration; every rung has a keyframe at each boundary")
	fl.StringVar(&opts.AudioCodec, "audio-codec", "aac", "stereo audio codec: aac or opus")
	fl.StringVar(&opts.Surround, "surround", "none", "extra 5.1 rendition for surround sources: eac3 or none")
	fl.BoolVar(&opts.KeepRenditions, "keep-renditions", false, "keep the encoded MP4 renditions in each package's renditions folder")
	cmdutil.AddPackageFlags(fl, &opts.Package)
	cmdutil.AddEncryptFlags(fl, &opts.Encrypt)
	fl.StringVar(&opts.Subtitles.Format, "subtitle-format", "",
		"text tracks: wvtt (default), stpp or sidecar; side-car files beside a title (movie.en.vtt, movie.de.forced.srt) and its own text streams are packaged")
	fl.BoolVar(&opts.NoSourceSubtitles, "no-source-subtitles", false, "leave out the subtitle streams of the inputs")
	cmdutil.AddThumbnailFlags(fl, &opts.Thumbnails)
	return cmd
}

func (o *BatchOptions) check() error {
	if o.Output == "" {
		return cmdutil.FlagErrorf("--output (-o) is required")
	}
	if filepath.Clean(o.Output) == filepath.Clean(o.Input) {
		return cmdutil.FlagErrorf("--output must not be the mezzanine folder itself")
	}
	if o.Jobs < 0 || o.Jobs > 256 {
		return cmdutil.FlagErrorf("--jobs must be between 0 (auto) and 256, not %d", o.Jobs)
	}
	if o.Threads < 0 || o.Threads > 256 {
		return cmdutil.FlagErrorf("--threads must be between 0 (auto) and 256, not %d", o.Threads)
	}
	for _, g := range append(slices.Clone(o.Include), o.Exclude...) {
		if err := pipeline.CheckGlob(g); err != nil {
			return cmdutil.FlagErrorf("--include/--exclude: %v", err)
		}
	}
	if o.LeaseTTL < 10*time.Second {
		return cmdutil.FlagErrorf("--lease-ttl must be at least 10s, not %s", o.LeaseTTL)
	}
	if o.Push != "" {
		u, err := url.Parse(o.Push)
		if err != nil || u.Scheme == "" {
			return cmdutil.FlagErrorf("--push must be a URL (s3://bucket/prefix, https://host/path, file:///folder), not %q", o.Push)
		}
	}
	if err := cmdutil.CheckEncodeFlags(o.Codec, o.Preset, o.SegmentDuration, o.AudioCodec, o.Surround); err != nil {
		return err
	}
	if err := cmdutil.CheckPackageFlags(o.Package); err != nil {
		return err
	}
	if err := cmdutil.CheckEncryptFlags(o.Encrypt, os.Getenv); err != nil {
		return err
	}
	_, format, err := o.Subtitles.Resolve()
	if err != nil {
		return err
	}
	o.Package.SubtitleFormat = format
	if o.ThumbnailConfig, err = o.Thumbnails.Resolve(); err != nil {
		return err
	}
	return nil
}

// config turns the options into the stage's config (without callbacks).
func (o *BatchOptions) config() pipeline.BatchConfig {
	cfg := pipeline.BatchConfig{
		Input:    o.Input,
		Output:   o.Output,
		Include:  o.Include,
		Exclude:  o.Exclude,
		Shard:    o.Shard,
		Jobs:     o.Jobs,
		Threads:  o.Threads,
		LeaseTTL: o.LeaseTTL,
		Encode: pipeline.EncodeConfig{
			Ladder:          o.Ladder,
			Codec:           ladder.Codec(o.Codec),
			Preset:          o.Preset,
			SegmentDuration: o.SegmentDuration,
			AudioCodec:      ladder.Codec(o.AudioCodec),
			Surround:        o.Surround == "eac3",
			KeepRenditions:  o.KeepRenditions,
			Package:         o.Package,
			Thumbnails:      o.ThumbnailConfig,

			NoSourceSubtitles: o.NoSourceSubtitles,
		},
	}
	if !o.NoValidate {
		cfg.Validate = pipeline.ValidateDir(validate.Options{})
	}
	if o.Push != "" {
		// TODO(#8): take the store from the Factory (credentials from the
		// environment or netrc, as vpack push does) once it has one.
		cfg.Publish = &pipeline.StorePublisher{
			BaseURL: o.Push,
			Open: func(ctx context.Context, u string) (push.Store, error) {
				return push.Open(ctx, u, push.OpenOptions{})
			},
		}
	}
	return cfg
}

func batchRun(ctx context.Context, opts *BatchOptions) error {
	f := opts.Factory
	// Keys are read and checked once, before any title: a bad key file
	// must not fail every title.
	enc, err := cmdutil.LoadEncryption(opts.Encrypt, cmdutil.SystemKeySource(f.Logger()))
	if err != nil {
		return err
	}
	opts.Package.Encryption = enc
	runner, err := f.FFmpeg()
	if err != nil {
		return err
	}
	log := f.Logger()
	if opts.ShardFrom != "" {
		log.Info("shard", "shard", describeShard(opts.Shard, opts.ShardFrom))
	}
	progress := f.NewProgress("batch")
	defer progress.Finish()
	lines := &titleLines{w: opts.IO.Out, clearBar: f.IO.IsStderrTTY() && !f.Flags.Quiet, errOut: f.IO.ErrOut}
	cfg := opts.config()
	cfg.Log = log
	cfg.Now = f.Now
	cfg.Progress = func(done, total int64) {
		progress.Update(done, total, func(time.Duration) string { return lines.counter(total / 1000) })
	}
	if !opts.JSON {
		cfg.OnTitle = lines.print
	} else {
		cfg.OnTitle = lines.count
	}
	rep, err := pipeline.Batch(ctx, runner, cfg)
	progress.Finish()
	if rep == nil {
		return err
	}
	werr := writeReports(rep, opts)
	if opts.JSON {
		werr = errors.Join(werr, rep.WriteJSON(opts.IO.Out))
	}
	if err != nil {
		return err // the batch's outcome decides the exit code
	}
	return werr
}

// writeReports writes --report and --junit, each atomically.
func writeReports(rep *pipeline.BatchReport, opts *BatchOptions) error {
	var errs []error
	for _, r := range []struct {
		path  string
		write func(io.Writer) error
	}{{opts.Report, rep.WriteJSON}, {opts.JUnit, rep.WriteJUnit}} {
		if r.path == "" {
			continue
		}
		var buf bytes.Buffer
		if err := r.write(&buf); err != nil {
			errs = append(errs, err)
			continue
		}
		p := expandShard(r.path, opts.Shard)
		if err := writeFileAtomic(p, buf.Bytes()); err != nil {
			errs = append(errs, fmt.Errorf("write report %s: %w", p, err))
		}
	}
	return errors.Join(errs...)
}

// titleLines prints a line per finished title on stdout.
type titleLines struct {
	mu       sync.Mutex
	w        io.Writer
	errOut   io.Writer
	clearBar bool
	finished int64
}

func (l *titleLines) count(pipeline.TitleReport) {
	l.mu.Lock()
	l.finished++
	l.mu.Unlock()
}

func (l *titleLines) counter(total int64) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return fmt.Sprintf("%d/%d titles", l.finished, total)
}

// print writes "<status> <title-id>  <detail>": the package folder and
// time when done, the reason when skipped, busy or cancelled, the stage
// and error when failed.
func (l *titleLines) print(t pipeline.TitleReport) {
	l.count(t)
	var detail string
	switch t.Status {
	case pipeline.StatusDone:
		detail = fmt.Sprintf("%s (%s)", t.Output, (time.Duration(t.DurationMs) * time.Millisecond).Round(100*time.Millisecond))
	case pipeline.StatusFailed:
		if t.Failure != nil {
			detail = t.Failure.Stage + ": " + oneLine(t.Failure.Error)
		}
	case pipeline.StatusSkipped:
		detail = t.Output + " (" + t.Reason + ")"
	default:
		detail = t.Reason
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.clearBar {
		fmt.Fprint(l.errOut, "\r\033[K") // the bar redraws itself below the line
	}
	fmt.Fprintf(l.w, "%-9s %s  %s\n", t.Status, t.ID, detail)
}

func oneLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = strings.TrimSpace(s[:i]) + " …"
	}
	return s
}

// writeFileAtomic writes data to a temporary file beside name and renames
// it into place, creating name's folder if needed.
func writeFileAtomic(name string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".tmp-")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), name)
}
