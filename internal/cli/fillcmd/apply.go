package fillcmd

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/vpack-dev/vpack/fill"
	"github.com/vpack-dev/vpack/internal/cli/cmdutil"
	"github.com/vpack-dev/vpack/internal/cli/pushcmd"
	"github.com/vpack-dev/vpack/push"
)

// ApplyOptions are the inputs of `vpack fill apply`.
type ApplyOptions struct {
	IO      *cmdutil.IOStreams
	Factory *cmdutil.Factory
	JSON    bool

	Plan    string
	Origin  string
	EdgeMap string // edges file or {"id": "url"}; "" uses the plan's URLs
	All     bool   // fill every placed title, not only the changes
	Now     bool   // ignore the edges' fill windows
	DryRun  bool
	Store   pushcmd.StoreFlags
}

// NewCmdApply builds `vpack fill apply`; runF replaces applyRun in tests.
func NewCmdApply(f *cmdutil.Factory, runF func(context.Context, *ApplyOptions) error) *cobra.Command {
	opts := &ApplyOptions{IO: f.IO, Factory: f}
	cmd := &cobra.Command{
		Use:   "apply <plan.json> --origin <url> [--edge-map <edges.json>]",
		Short: "Execute a fill plan: copy and evict titles on the edges",
		Long: `Apply executes a plan from vpack fill plan with vpack fill's machinery.
--origin is where vpack push published the titles, each under its path
(the catalog's path, or its id): a title's origin is <origin>/<path>, its
copy on an edge <edge URL>/<path>. Edge URLs come from the plan (the edges
file's url fields) or from --edge-map: an edges file, or a JSON object of
edge id to URL.

First every eviction the plan's changes list (each object the edge's fill
record lists, manifests first), then every title a change adds or trims,
most valuable first: the renditions the edge holds after the fill, from
the origin's push record, verified (size and SHA-256) on the edge. Titles
the plan does not change are not touched (--all fills every placed title
again, skipping what is already there: a repair).

Each edge is worked on only inside its fill window (the plan's, from the
edges file, local time), at its fill rate; once the window closes, the
rest waits for the next run, which picks it up (run apply again: what is
done is skipped). --now ignores the windows. Exit code 5 when a title
could not be filled on an edge (the others still are).`,
		Example: `  vpack fill apply plan.json --origin s3://bucket/titles
  vpack fill apply plan.json --origin https://origin.example/vod --edge-map edges.json --now --dry-run
  vpack fill apply plan.json --origin s3://bucket/titles --all --json`,
		Args: cmdutil.ExactArgs(1, "a plan file"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.JSON = f.Flags.JSON
			opts.Plan = args[0]
			if opts.Origin == "" {
				return cmdutil.FlagErrorf("--origin is required")
			}
			if err := opts.Store.Check(); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return applyRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Origin, "origin", "", "URL the titles were pushed under: <origin>/<title path> (required)")
	fl.StringVar(&opts.EdgeMap, "edge-map", "", "edge URLs: an edges file, or JSON {\"edge-id\": \"url\"} (default: the plan's)")
	fl.BoolVar(&opts.All, "all", false, "fill every title of the placements, not only the changes (repair)")
	fl.BoolVar(&opts.Now, "now", false, "fill now even outside the edges' fill windows")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "say what would be copied and deleted; change nothing")
	opts.Store.AddFlags(fl)
	return cmd
}

// planEdges opens the plan's edges: their URLs, rates and windows.
func planEdges(ctx context.Context, opts *ApplyOptions, p *fill.Plan) ([]push.PlanEdge, error) {
	urls := make(map[string]string)
	if opts.EdgeMap != "" {
		m, err := fill.ReadEdgeMap(opts.EdgeMap)
		if err != nil {
			return nil, err
		}
		urls = m
	}
	edges := make([]push.PlanEdge, len(p.Edges))
	for i, e := range p.Edges {
		u := urls[e.ID]
		if u == "" {
			u = e.URL
		}
		if u == "" {
			return nil, cmdutil.FlagErrorf("edge %s has no URL in %s: give --edge-map", e.ID, opts.Plan)
		}
		s, err := opts.Store.Open(ctx, opts.Factory, u)
		if err != nil {
			return nil, err
		}
		edges[i] = push.PlanEdge{Store: s, RateBytesPerSecond: e.FillRateBytesPerSecond}
		if e.FillWindow != "" {
			w, err := push.ParseWindow(e.FillWindow, time.Local)
			if err != nil {
				return nil, &fill.FileError{File: opts.Plan, Err: fmt.Errorf("edge %s: %w", e.ID, err)}
			}
			edges[i].Window = &w
		}
	}
	return edges, nil
}

func applyRun(ctx context.Context, opts *ApplyOptions) error {
	f := opts.Factory
	p, err := fill.ReadPlan(opts.Plan)
	if err != nil {
		return err
	}
	edges, err := planEdges(ctx, opts, p)
	if err != nil {
		return err
	}
	origin, err := opts.Store.Open(ctx, f, opts.Origin)
	if err != nil {
		return err
	}
	var progress *cmdutil.Progress
	rep, err := push.FillPlan(ctx, origin, edges, p.PushTitles(opts.All), push.FillOptions{
		IgnoreWindow: opts.Now, DryRun: opts.DryRun, Concurrency: opts.Store.Concurrency,
		Verify: opts.Store.VerifyMode(), Log: f.Logger(), Now: f.Now,
		Progress: func(done, total int64) {
			if progress == nil {
				progress = f.NewProgress("fill")
			}
			progress.UpdateBytes(done, total)
		},
	})
	if progress != nil {
		progress.Finish()
	}
	if rep == nil || errors.Is(err, context.Canceled) {
		return err
	}
	outside := 0
	for _, e := range rep.Edges {
		if e.OutsideWindow {
			outside++
		}
	}
	if outside > 0 {
		// Not a failure: a cron job outside the windows has nothing to do.
		fmt.Fprintf(opts.IO.ErrOut, "vpack fill apply: %d of %d edges outside their fill window: left for the next run (--now fills anyway)\n",
			outside, len(rep.Edges))
	}
	if opts.JSON {
		if jerr := cmdutil.WriteJSON(opts.IO.Out, rep); jerr != nil {
			return jerr
		}
		return err
	}
	verb := "filled"
	if opts.DryRun {
		verb = "would fill"
	}
	for _, e := range rep.Edges {
		switch {
		case e.OutsideWindow:
			fmt.Fprintf(opts.IO.Out, "skipped %s: outside its fill window\n", e.Edge)
			continue
		case e.Failed > 0:
			fmt.Fprintf(opts.IO.Out, "failed %s: %s, first: %s\n", e.Edge, plural(e.Failed, "title"), e.Errors[0])
		}
		line := fmt.Sprintf("%s %s: %s, %d evicted; %d copied (%s), %d unchanged, %d deleted", verb, e.Edge,
			plural(e.Titles, "title"), e.Evicted, e.Copied, push.FormatBytes(e.Bytes), e.Skipped, e.Deleted)
		if e.WindowClosed {
			line += "; window closed, the rest waits for the next run"
		}
		fmt.Fprintln(opts.IO.Out, line)
	}
	return err
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
