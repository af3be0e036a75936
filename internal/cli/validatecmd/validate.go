// Package validatecmd implements `vpack validate`: the HLS, DASH and CMAF
// conformance checker of package validate, on a package folder, one
// manifest, or a URL.
package validatecmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/vpack-dev/vpack/internal/cli/cmdutil"
	"github.com/vpack-dev/vpack/validate"
)

// ValidateOptions are the inputs of `vpack validate`.
type ValidateOptions struct {
	IO      *cmdutil.IOStreams
	Factory *cmdutil.Factory
	JSON    bool

	Target      string
	Rules       bool   // list the rule catalogue instead
	Strict      bool   // warnings fail too
	JUnit       string // write a JUnit XML report to this file
	Keys        string // key file: decrypt a sample of segments
	MPDSchema   string // DASH-MPD.xsd for xmllint
	Concurrency int
	HTTPTimeout time.Duration
}

// NewCmdValidate builds the command; runF replaces validateRun in tests.
func NewCmdValidate(f *cmdutil.Factory, runF func(context.Context, *ValidateOptions) error) *cobra.Command {
	opts := &ValidateOptions{IO: f.IO, Factory: f}
	cmd := &cobra.Command{
		Use:   "validate <folder | manifest | URL>",
		Short: "Check an HLS/DASH/CMAF package against the specs and its own media",
		Long: `Validate checks a package the way players and CDNs will meet it: the
playlists and the MPD against RFC 8216 and ISO/IEC 23009-1 (and the MPD
schema), and every manifest against the media it points to: init segments
and the moof of every segment (CMAF, ISO/IEC 23000-19), timing, keyframes,
bit rates, codecs, encryption boxes (ISO/IEC 23001-7), HLS against DASH.
Text tracks (WebVTT segments and X-TIMESTAMP-MAP, fMP4 wvtt and stpp) are
checked cue by cue against their segments, thumbnail tiles against their
declared size, count and layout, and languages across HLS and DASH.

The target is a package folder (its master.m3u8 and manifest.mpd), one
manifest and everything it references, or an http(s) URL. References that
leave the package folder (../, absolute paths, other hosts) are reported and
never read.

Every finding has a rule ID, a severity, the spec clause and a location
(file:line, an MPD element path, or a box path and sample number): --rules
lists them all. Output is one line per finding on stdout (--json for the
report as JSON); --junit also writes JUnit XML for CI.

Exit code 0 when there are no errors (warnings are allowed unless --strict),
3 when there are. --keys <file> decrypts a few segments of every encrypted
track and checks the NAL structure of the samples; the keys never appear in
the output. The MPD is also checked with xmllint against DASH-MPD.xsd when
--mpd-schema (default $VPACK_MPD_SCHEMA, or $VPACK_SHARED/schemas/) names it.`,
		Example: `  vpack validate out/
  vpack validate out/master.m3u8
  vpack validate https://cdn.example/title/manifest.mpd
  vpack validate out/ --json --strict
  vpack validate out/ --junit report.xml --keys keys.json
  vpack validate --rules`,
		Args: func(cmd *cobra.Command, args []string) error {
			if opts.Rules {
				if len(args) > 0 {
					return cmdutil.FlagErrorf("--rules takes no target")
				}
				return nil
			}
			return cmdutil.ExactArgs(1, "one folder, manifest or URL")(cmd, args)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.Target = args[0]
			}
			opts.JSON = f.Flags.JSON
			if opts.Concurrency < 0 {
				return cmdutil.FlagErrorf("--concurrency must not be negative")
			}
			if opts.HTTPTimeout < 0 {
				return cmdutil.FlagErrorf("--http-timeout must not be negative")
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return validateRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&opts.Rules, "rules", false, "list the rule catalogue (ID, severity, spec clause) and exit")
	fl.BoolVar(&opts.Strict, "strict", false, "fail (exit 3) on warnings too")
	fl.StringVar(&opts.JUnit, "junit", "", "also write a JUnit XML report to this file")
	fl.StringVar(&opts.Keys, "keys", "", "JSON key file (KID → key): decrypt a sample of segments and check them")
	fl.StringVar(&opts.MPDSchema, "mpd-schema", defaultSchema(), "DASH-MPD.xsd for an xmllint check of MPDs (\"\" to skip)")
	fl.IntVar(&opts.Concurrency, "concurrency", 0, "segments read at once (0: 2×CPUs for files, 8 over HTTP)")
	fl.DurationVar(&opts.HTTPTimeout, "http-timeout", 30*time.Second, "timeout of each HTTP request")
	return cmd
}

// defaultSchema is $VPACK_MPD_SCHEMA, else DASH-MPD.xsd in
// $VPACK_SHARED/schemas when it exists.
func defaultSchema() string {
	if s := os.Getenv("VPACK_MPD_SCHEMA"); s != "" {
		return s
	}
	if d := os.Getenv("VPACK_SHARED"); d != "" {
		p := filepath.Join(d, "schemas", "DASH-MPD.xsd")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

// FileError blames a file the user named (the target, the key file): the
// CLI exits with its bad-input code.
type FileError struct {
	Path string
	Err  error
}

func (e *FileError) Error() string     { return e.Path + ": " + e.Err.Error() }
func (e *FileError) Unwrap() error     { return e.Err }
func (e *FileError) InputFile() string { return e.Path }

func validateRun(ctx context.Context, opts *ValidateOptions) error {
	if opts.Rules {
		return printRules(opts.IO.Out, opts.JSON)
	}
	vopts := validate.Options{MPDSchema: opts.MPDSchema, Concurrency: opts.Concurrency, HTTPTimeout: opts.HTTPTimeout}
	if opts.Factory != nil {
		vopts.Log = opts.Factory.Logger()
		// A bar on a terminal only: validation takes seconds, progress
		// log lines would only be noise.
		if opts.IO.IsStderrTTY() {
			progress := opts.Factory.NewProgress("validate")
			defer progress.Finish()
			vopts.Progress = func(done, total int64) { progress.Update(done, total, nil) }
		}
	}
	if opts.Keys != "" {
		data, err := os.ReadFile(opts.Keys)
		if err != nil {
			return &FileError{opts.Keys, err}
		}
		if vopts.Keys, err = validate.ParseKeys(data); err != nil {
			return &FileError{opts.Keys, err}
		}
	}
	report, err := validate.Target(ctx, opts.Target, vopts)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) {
			return &FileError{opts.Target, unwrapAll(err)}
		}
		return err
	}
	if opts.JUnit != "" {
		if err := writeJUnit(opts.JUnit, report, opts.Strict); err != nil {
			return err
		}
	}
	if opts.JSON {
		if err := cmdutil.WriteJSON(opts.IO.Out, report); err != nil {
			return err
		}
	} else if err := report.WriteText(opts.IO.Out); err != nil {
		return err
	}
	return report.Check(opts.Strict)
}

// unwrapAll keeps the innermost error: "no such file or directory".
func unwrapAll(err error) error {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err
		}
		err = next
	}
}

// writeJUnit writes the JUnit report through a temporary file in the same
// folder, so that CI never reads half a report.
func writeJUnit(path string, r *validate.Report, strict bool) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".vpack-junit-*")
	if err != nil {
		return fmt.Errorf("junit: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := r.WriteJUnit(tmp, strict); err != nil {
		tmp.Close()
		return fmt.Errorf("junit: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("junit: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("junit: %w", err)
	}
	return nil
}

func printRules(w io.Writer, asJSON bool) error {
	rules := validate.Rules()
	if asJSON {
		return cmdutil.WriteJSON(w, rules)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RULE\tSEVERITY\tMEANING\tSPEC")
	for _, r := range rules {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.ID, r.Severity, r.Title, r.Spec)
	}
	return tw.Flush()
}
