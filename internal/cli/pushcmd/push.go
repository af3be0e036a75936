// Package pushcmd implements `vpack push`: publish a package folder to an
// origin, then fill edge caches from it. StoreFlags, FillFlags and Fill
// are shared with `vpack fill` (internal/cli/fillcmd).
package pushcmd

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/vpack-dev/vpack/internal/cli/cmdutil"
	"github.com/vpack-dev/vpack/push"
)

// PushOptions are the inputs of `vpack push`.
type PushOptions struct {
	IO      *cmdutil.IOStreams
	Factory *cmdutil.Factory
	JSON    bool

	Dir    string
	Origin string
	Delete bool
	DryRun bool
	Store  StoreFlags
	Fill   FillFlags
}

// PushResult is what `vpack push --json` prints.
type PushResult struct {
	Origin *push.Report     `json:"origin"`
	Fill   *push.FillReport `json:"fill,omitempty"`
}

// NewCmdPush builds the command; runF replaces pushRun in tests.
func NewCmdPush(f *cmdutil.Factory, runF func(context.Context, *PushOptions) error) *cobra.Command {
	opts := &PushOptions{IO: f.IO, Factory: f}
	cmd := &cobra.Command{
		Use:   "push <package-folder> --origin <url>",
		Short: "Publish a package to an origin and fill edge caches",
		Long: `Push publishes a package folder (what vpack package writes) to an origin:

  s3://bucket/prefix      AWS S3 or any S3-compatible server
  https://host/prefix     HTTP PUT or WebDAV ingest (http:// too)
  file:///folder          a local folder

Every file is hashed (SHA-256) and objects the origin already holds
unchanged are skipped, so a push run again after any interruption only
sends what is missing. Media segments go first, media playlists next, the
multivariant playlist, MPD and package.json last, each class verified
(size and hash) before the next starts: a player never sees a manifest
that points at a missing object. Objects get their Content-Type
(application/vnd.apple.mpegurl, application/dash+xml, video/iso.segment,
video/mp4, audio/mp4) and Cache-Control (segments immutable for a year,
manifests 60 s) where the store keeps them (s3). A push record,
.vpack/push.json, is written last.

--delete removes objects earlier pushes published that the package no
longer has, after the new manifests are live. --dry-run prints the plan
(uploads and deletions) and changes nothing; it fills no edge.

With --edge, the edges are then filled from the origin (see vpack fill):
every rendition (--renditions), within --capacity, at --rate.

Credentials never go on the command line. S3: the AWS environment and
config files (AWS_ACCESS_KEY_ID, AWS_PROFILE, roles; AWS_REGION;
AWS_ENDPOINT_URL_S3 for an S3-compatible server, which then gets path-style
addressing unless VPACK_S3_PATH_STYLE=false). HTTP: a netrc file
(--netrc-file or $NETRC), else VPACK_HTTP_TOKEN (bearer), else
VPACK_HTTP_USER and VPACK_HTTP_PASSWORD. Credentials over plain http://
need --insecure.

Exit codes: 5 when objects could not be published after retries, 6 when
the folder is not a complete package.`,
		Example: `  vpack push out/ --origin s3://bucket/titles/movie
  vpack push out/ --origin https://ingest.example/live/movie
  vpack push out/ --origin file:///srv/origin/movie --delete
  vpack push out/ --origin s3://bucket/titles/movie --edge https://edge1.example/movie --edge https://edge2.example/movie,capacity=20GB
  vpack push out/ --origin s3://bucket/titles/movie --dry-run --json`,
		Args: cmdutil.ExactArgs(1, "one package folder"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Dir = args[0]
			opts.JSON = f.Flags.JSON
			if err := opts.check(); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return pushRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Origin, "origin", "", "origin URL: s3://, https://, http:// or file:// (required)")
	fl.BoolVar(&opts.Delete, "delete", false, "delete objects an earlier push published that the package no longer has")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "print what would be uploaded, skipped and deleted; change nothing")
	opts.Store.AddFlags(fl)
	opts.Fill.AddFlags(fl)
	return cmd
}

func (o *PushOptions) check() error {
	if o.Origin == "" {
		return cmdutil.FlagErrorf("--origin is required")
	}
	if err := o.Store.Check(); err != nil {
		return err
	}
	_, _, err := o.Fill.Parse()
	return err
}

func pushRun(ctx context.Context, opts *PushOptions) error {
	f := opts.Factory
	edges, sel, err := opts.Fill.Parse()
	if err != nil {
		return err
	}
	origin, err := opts.Store.Open(ctx, f, opts.Origin)
	if err != nil {
		return err
	}
	var progress *cmdutil.Progress
	start := f.Now()
	rep, err := push.Publish(ctx, opts.Dir, origin, push.PublishOptions{
		Concurrency: opts.Store.Concurrency, Delete: opts.Delete, DryRun: opts.DryRun,
		Verify: opts.Store.VerifyMode(), Log: f.Logger(), Now: f.Now,
		Progress: func(done, total int64) {
			if progress == nil {
				progress = f.NewProgress("push")
			}
			progress.Update(done, total, byteSpeed(done, start, f.Now))
		},
	})
	if progress != nil {
		progress.Finish()
	}
	if err != nil {
		return err
	}
	res := PushResult{Origin: rep}
	if len(edges) > 0 && !opts.DryRun {
		res.Fill, err = Fill(ctx, f, &opts.Store, origin, edges, push.FillOptions{Selection: sel})
		if err != nil && res.Fill == nil {
			return err
		}
	}
	if opts.JSON {
		if jerr := cmdutil.WriteJSON(opts.IO.Out, res); jerr != nil {
			return jerr
		}
		return err
	}
	if rep.DryRun {
		for _, a := range rep.Actions {
			if a.Op != "skip" {
				fmt.Fprintf(opts.IO.Out, "%s %s\n", a.Op, a.Key)
			}
		}
	}
	verb := "pushed"
	if rep.DryRun {
		verb = "would push"
	}
	fmt.Fprintf(opts.IO.Out, "%s %s to %s: %d objects, %d uploaded (%s), %d unchanged, %d deleted\n", verb, opts.Dir,
		rep.Store, rep.Objects, rep.Uploaded, push.FormatBytes(rep.Bytes), rep.Skipped, rep.Deleted)
	if res.Fill != nil {
		PrintFill(opts.IO, res.Fill, false)
	}
	return err
}
