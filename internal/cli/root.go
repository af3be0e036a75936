// Package cli is vpack's command line: the root command, global flags,
// error printing and exit codes. Each verb lives in its own package
// (internal/cli/<verb>cmd); shared plumbing lives in internal/cli/cmdutil.
package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/vpack-dev/vpack/encode"
	"github.com/vpack-dev/vpack/internal/cli/batchcmd"
	"github.com/vpack-dev/vpack/internal/cli/cmdutil"
	"github.com/vpack-dev/vpack/internal/cli/encodecmd"
	"github.com/vpack-dev/vpack/internal/cli/fillcmd"
	"github.com/vpack-dev/vpack/internal/cli/keyscmd"
	"github.com/vpack-dev/vpack/internal/cli/laddercmd"
	"github.com/vpack-dev/vpack/internal/cli/packagecmd"
	"github.com/vpack-dev/vpack/internal/cli/probecmd"
	"github.com/vpack-dev/vpack/internal/cli/pushcmd"
	"github.com/vpack-dev/vpack/internal/cli/validatecmd"
	"github.com/vpack-dev/vpack/internal/version"
)

// Main runs vpack with the process's arguments and returns its exit code.
func Main() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return Run(ctx, cmdutil.New(cmdutil.System()), os.Args[1:])
}

// Run executes one vpack invocation with f's streams and returns the exit
// code. Errors are printed here, once, as one line on stderr.
func Run(ctx context.Context, f *cmdutil.Factory, args []string) int {
	root := NewCmdRoot(f)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	if strings.HasPrefix(err.Error(), "unknown command") {
		err = &cmdutil.FlagError{Err: err} // cobra's own usage error
	}
	code := ExitCode(err)
	msg := err.Error()
	if code == ExitInterrupted {
		msg = "interrupted"
	}
	fmt.Fprintf(f.IO.ErrOut, "vpack: %s\n", oneLine(msg))
	var toolErr *encode.ToolError
	if f.Flags.Debug && errors.As(err, &toolErr) {
		fmt.Fprintf(f.IO.ErrOut, "--- %s %q\n%s\n", toolErr.Tool, toolErr.Args, toolErr.StderrTail)
	}
	var flagErr *cmdutil.FlagError
	if errors.As(err, &flagErr) {
		if cmd, _, ferr := root.Find(args); ferr == nil && cmd != nil {
			fmt.Fprintf(f.IO.ErrOut, "\n%s", cmd.UsageString())
		}
	}
	return code
}

// NewCmdRoot builds the root command with every verb.
func NewCmdRoot(f *cmdutil.Factory) *cobra.Command {
	root := &cobra.Command{
		Use:   "vpack <command>",
		Short: "Turn a mezzanine file into a streaming-ready HLS/DASH package",
		Long: `vpack drives ffmpeg to encode a bitrate ladder with aligned keyframes, segments
it into CMAF and writes HLS and DASH manifests.

Results go to stdout (--json for machine-readable output); logs, progress and
errors go to stderr. Exit codes: 0 ok, 1 unexpected, 2 usage, 3 validation,
4 ffmpeg/ffprobe missing or failed, 5 push, 6 bad input file, 7 some titles
failed (batch), 130 interrupted.`,
		SilenceErrors: true,
		SilenceUsage:  true,
		Version:       version.String(),
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			return f.Flags.Validate()
		},
	}
	root.SetOut(f.IO.Out)
	root.SetErr(f.IO.ErrOut)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &cmdutil.FlagError{Err: err} })
	root.SetVersionTemplate("vpack {{.Version}}\n")

	pf := root.PersistentFlags()
	pf.StringVar(&f.Flags.LogLevel, "log-level", "info", "log level: debug, info, warn, error")
	pf.StringVar(&f.Flags.LogFormat, "log-format", "text", "log format on stderr: text or json")
	pf.BoolVarP(&f.Flags.Quiet, "quiet", "q", false, "no progress display; only warnings and errors")
	pf.BoolVar(&f.Flags.JSON, "json", false, "print the result as JSON on stdout")
	pf.BoolVar(&f.Flags.Debug, "debug", false, "debug logs, and ffmpeg's stderr with errors")

	root.AddCommand(
		probecmd.NewCmdProbe(f, nil),
		laddercmd.NewCmdLadder(f, nil),
		encodecmd.NewCmdEncode(f, nil),
		packagecmd.NewCmdPackage(f, nil),
		pushcmd.NewCmdPush(f, nil),
		fillcmd.NewCmdFill(f, nil),
		validatecmd.NewCmdValidate(f, nil),
		keyscmd.NewCmdKeys(f),
		batchcmd.NewCmdBatch(f, nil),
		newCmdVersion(f),
	)
	return root
}

func newCmdVersion(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print vpack's version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if f.Flags.JSON {
				return cmdutil.WriteJSON(f.IO.Out, map[string]string{"version": version.String()})
			}
			_, err := fmt.Fprintf(f.IO.Out, "vpack %s\n", version.String())
			return err
		},
	}
}
