// Package fillcmd implements `vpack fill`: copy a published package from
// its origin to edge caches, within each edge's capacity, rate limit and
// a fill window; and its subcommands over a whole catalog: `fill plan`
// (what goes on which edge, package fill), `fill apply` (execute a plan
// with push.FillPlan) and `fill simulate` (predict its hit ratio).
package fillcmd

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/vpack-dev/vpack/internal/cli/cmdutil"
	"github.com/vpack-dev/vpack/internal/cli/pushcmd"
	"github.com/vpack-dev/vpack/push"
)

// FillOptions are the inputs of `vpack fill`.
type FillOptions struct {
	IO      *cmdutil.IOStreams
	Factory *cmdutil.Factory
	JSON    bool

	Origin string
	Window string // HH:MM-HH:MM, local time; "" is any time
	Now    bool   // fill even outside the window
	DryRun bool
	Store  pushcmd.StoreFlags
	Fill   pushcmd.FillFlags
}

// NewCmdFill builds the command; runF replaces fillRun in tests.
func NewCmdFill(f *cmdutil.Factory, runF func(context.Context, *FillOptions) error) *cobra.Command {
	opts := &FillOptions{IO: f.IO, Factory: f}
	cmd := &cobra.Command{
		Use:   "fill --origin <url> --edge <url>...",
		Short: "Fill edge caches from an origin that vpack push published to",
		Long: `Fill pre-positions a published title on edge caches. It copies from the
origin, so edges hold exactly the origin's bytes: what to copy, and the
SHA-256 of every object, come from the origin's push record
(.vpack/push.json, written by vpack push). Each object read from the origin
is checked against it, then stored on the edge and verified there.

Each edge gets the manifests, package.json and every audio track, plus the
video renditions --renditions selects, in order, as long as they fit its
capacity:

  all          every video rendition, highest bit rate first (default)
  top:N        the N highest-bandwidth renditions
  FILE         a popularity file: JSON {"720p-3000k": 5120, ...} (views per
               rendition ID) or one rendition ID per line, most popular first

Renditions that do not fit are reported as over capacity; objects an
earlier fill left on the edge that are no longer selected are deleted
first, to make room. Objects go media first, playlists next, manifests
last, so an edge never serves a playlist naming what it lacks.

--window HH:MM-HH:MM (local time, may wrap midnight) is when filling may
happen. Outside it fill says when the window opens and copies nothing
(exit 0) unless --now; a fill that runs into the window's end starts no new
object, and the next run finishes the job. --rate limits the bytes per
second sent to each edge, averaged over a tenth of a second.

--capacity and --rate apply to every edge; an edge may override them:
--edge https://edge1.example/movie,capacity=2TB,rate=1Gbit/s.

Credentials: as for vpack push. Exit code 5 when an edge could not be
filled (the others still are).

For a whole catalog and many edges, vpack fill plan decides what each
edge holds (capacity, fill window, popularity per region), vpack fill
apply executes the plan and vpack fill simulate predicts its hit ratio.`,
		Example: `  vpack fill --origin s3://bucket/titles/movie --edge https://edge1.example/movie --renditions top:3 --window 02:00-06:00 --rate 200MB/s
  vpack fill --origin https://origin.example/movie --edge https://edge1.example/movie,capacity=20GB --edge https://edge2.example/movie,capacity=5GB
  vpack fill --origin s3://bucket/titles/movie --edge https://edge1.example/movie --renditions popularity.json --now`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.JSON = f.Flags.JSON
			if err := opts.check(); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return fillRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Origin, "origin", "", "origin URL the package was pushed to (required)")
	fl.StringVar(&opts.Window, "window", "", "fill window HH:MM-HH:MM in local time (default: any time)")
	fl.BoolVar(&opts.Now, "now", false, "fill now even outside --window")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "plan each edge and report it; change nothing")
	opts.Store.AddFlags(fl)
	opts.Fill.AddFlags(fl)
	cmd.AddCommand(NewCmdPlan(f, nil), NewCmdApply(f, nil), NewCmdSimulate(f, nil))
	return cmd
}

func (o *FillOptions) check() error {
	if o.Origin == "" {
		return cmdutil.FlagErrorf("--origin is required")
	}
	if len(o.Fill.Edges) == 0 {
		return cmdutil.FlagErrorf("--edge is required (one or more)")
	}
	if _, err := o.window(); err != nil {
		return err
	}
	if err := o.Store.Check(); err != nil {
		return err
	}
	_, _, err := o.Fill.Parse()
	return err
}

func (o *FillOptions) window() (*push.Window, error) {
	if o.Window == "" {
		return nil, nil
	}
	w, err := push.ParseWindow(o.Window, time.Local)
	if err != nil {
		return nil, cmdutil.FlagErrorf("--%v", err)
	}
	return &w, nil
}

func fillRun(ctx context.Context, opts *FillOptions) error {
	f := opts.Factory
	edges, sel, err := opts.Fill.Parse()
	if err != nil {
		return err
	}
	w, err := opts.window()
	if err != nil {
		return err
	}
	origin, err := opts.Store.Open(ctx, f, opts.Origin)
	if err != nil {
		return err
	}
	rep, err := pushcmd.Fill(ctx, f, &opts.Store, origin, edges, push.FillOptions{
		Selection: sel, Window: w, IgnoreWindow: opts.Now, DryRun: opts.DryRun,
	})
	if rep == nil {
		return err
	}
	if rep.OutsideWindow {
		// Not a failure (exit 0): a cron job outside its window has
		// nothing to do. The message goes to stderr, the result to stdout.
		fmt.Fprintln(opts.IO.ErrOut, "vpack fill: "+rep.Message)
	}
	if opts.JSON {
		if jerr := cmdutil.WriteJSON(opts.IO.Out, rep); jerr != nil {
			return jerr
		}
		return err
	}
	if rep.OutsideWindow {
		return nil
	}
	pushcmd.PrintFill(opts.IO, rep, opts.DryRun)
	return err
}
