package pushcmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/vpack-dev/vpack/internal/cli/cmdutil"
	"github.com/vpack-dev/vpack/push"
)

// StoreFlags are the flags of every command that opens stores (push,
// fill): how to reach and retry them. Credentials are never flags: they
// come from the AWS environment (s3), VPACK_HTTP_* or a netrc file (http).
type StoreFlags struct {
	Retries     int
	Insecure    bool
	NetrcFile   string
	Concurrency int
	Verify      string

	// OpenStore opens a store URL; nil means push.Open with these flags.
	// Tests replace it.
	OpenStore func(ctx context.Context, url string) (push.Store, error)
}

// AddFlags registers the flags on fs.
func (s *StoreFlags) AddFlags(fs *pflag.FlagSet) {
	fs.IntVar(&s.Retries, "retries", 4, "retries of each failed request (transient errors only), with exponential backoff")
	fs.BoolVar(&s.Insecure, "insecure", false, "allow HTTP credentials over plain http:// URLs")
	fs.StringVar(&s.NetrcFile, "netrc-file", "", "netrc file with per-host HTTP credentials (default: $NETRC)")
	fs.IntVar(&s.Concurrency, "concurrency", 8, "objects transferred at once (per store)")
	fs.StringVar(&s.Verify, "verify", "hash", "check after upload: hash (size and SHA-256; reads back from stores that keep no hash) or size")
}

// Check validates the flags.
func (s *StoreFlags) Check() error {
	if s.Retries < 0 || s.Retries > 20 {
		return cmdutil.FlagErrorf("--retries must be between 0 and 20, not %d", s.Retries)
	}
	if s.Concurrency < 1 || s.Concurrency > 64 {
		return cmdutil.FlagErrorf("--concurrency must be between 1 and 64, not %d", s.Concurrency)
	}
	if _, err := push.ParseVerifyMode(s.Verify); err != nil {
		return cmdutil.FlagErrorf("--verify must be hash or size, not %q", s.Verify)
	}
	return nil
}

// VerifyMode is the parsed --verify.
func (s *StoreFlags) VerifyMode() push.VerifyMode {
	m, _ := push.ParseVerifyMode(s.Verify)
	return m
}

// Open opens the store at url with retries, credentials from the
// environment and the netrc file, and the logger. A URL vpack cannot use
// (unknown scheme, credentials in it, credentials over http without
// --insecure) is a usage error.
func (s *StoreFlags) Open(ctx context.Context, f *cmdutil.Factory, url string) (push.Store, error) {
	if s.OpenStore != nil {
		return s.OpenStore(ctx, url)
	}
	var netrc []byte
	path := s.NetrcFile
	if path == "" {
		path = os.Getenv(push.EnvNetrc)
	}
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil && (s.NetrcFile != "" || !errors.Is(err, os.ErrNotExist)) {
			return nil, cmdutil.FlagErrorf("netrc file: %v", err)
		}
		netrc = data
	}
	creds, err := push.HTTPCredentials(os.Getenv, netrc)
	if err != nil {
		return nil, cmdutil.FlagErrorf("%s: %v", path, err)
	}
	st, err := push.Open(ctx, url, push.OpenOptions{
		HTTPCredentials: creds,
		HTTP:            push.HTTPOptions{Insecure: s.Insecure},
		Retry:           push.RetryPolicy{Attempts: s.Retries + 1, Log: f.Logger()},
	})
	if err != nil {
		return nil, &cmdutil.FlagError{Err: err}
	}
	return st, nil
}

// EdgeSpec is one --edge: URL[,capacity=SIZE][,rate=RATE].
type EdgeSpec struct {
	URL                string
	CapacityBytes      int64
	RateBytesPerSecond int64
}

// ParseEdge parses an --edge value; capacity and rate default to the
// --capacity and --rate flags.
func ParseEdge(spec string, capacity, rate int64) (EdgeSpec, error) {
	e := EdgeSpec{URL: spec, CapacityBytes: capacity, RateBytesPerSecond: rate}
	for {
		i := strings.LastIndexByte(e.URL, ',')
		if i < 0 {
			break
		}
		k, v, ok := strings.Cut(e.URL[i+1:], "=")
		if !ok || (k != "capacity" && k != "rate") {
			break
		}
		var err error
		if k == "capacity" {
			e.CapacityBytes, err = push.ParseSize(v)
		} else {
			e.RateBytesPerSecond, err = push.ParseRate(v)
		}
		if err != nil {
			return EdgeSpec{}, cmdutil.FlagErrorf("--edge %s: %v", spec, err)
		}
		e.URL = e.URL[:i]
	}
	if e.URL == "" {
		return EdgeSpec{}, cmdutil.FlagErrorf("--edge %q: no URL", spec)
	}
	return e, nil
}

// FillFlags are the edge-fill flags of push --edge and fill.
type FillFlags struct {
	Edges      []string
	Renditions string
	Capacity   string
	Rate       string
}

// AddFlags registers the flags on fs.
func (ff *FillFlags) AddFlags(fs *pflag.FlagSet) {
	fs.StringArrayVar(&ff.Edges, "edge", nil, "edge cache to fill from the origin: URL[,capacity=SIZE][,rate=RATE] (repeatable)")
	fs.StringVar(&ff.Renditions, "renditions", "all", "video renditions for the edges: all, top:N or a popularity file")
	fs.StringVar(&ff.Capacity, "capacity", "", "what each edge may hold for this title, e.g. 20GB (default: no limit)")
	fs.StringVar(&ff.Rate, "rate", "", "bytes per second to each edge, e.g. 200MB/s or 1Gbit/s (default: no limit)")
}

// Parse checks the flags and returns the edges and the selection.
func (ff *FillFlags) Parse() ([]EdgeSpec, push.Selection, error) {
	var capacity, rate int64
	var err error
	if ff.Capacity != "" {
		if capacity, err = push.ParseSize(ff.Capacity); err != nil {
			return nil, push.Selection{}, cmdutil.FlagErrorf("--capacity: %v", err)
		}
	}
	if ff.Rate != "" {
		if rate, err = push.ParseRate(ff.Rate); err != nil {
			return nil, push.Selection{}, cmdutil.FlagErrorf("--rate: %v", err)
		}
	}
	var edges []EdgeSpec
	seen := make(map[string]bool)
	for _, spec := range ff.Edges {
		e, err := ParseEdge(spec, capacity, rate)
		if err != nil {
			return nil, push.Selection{}, err
		}
		if seen[e.URL] {
			return nil, push.Selection{}, cmdutil.FlagErrorf("--edge %s given twice", e.URL)
		}
		seen[e.URL] = true
		edges = append(edges, e)
	}
	sel, err := push.ParseSelection(ff.Renditions, os.ReadFile)
	if err != nil {
		return nil, push.Selection{}, cmdutil.FlagErrorf("--renditions: %v", err)
	}
	return edges, sel, nil
}

// Fill opens the edges and fills them from origin.
func Fill(ctx context.Context, f *cmdutil.Factory, sf *StoreFlags, origin push.Store, specs []EdgeSpec, opts push.FillOptions) (*push.FillReport, error) {
	var edges []push.Edge
	for _, e := range specs {
		s, err := sf.Open(ctx, f, e.URL)
		if err != nil {
			return nil, err
		}
		edges = append(edges, push.Edge{Store: s, CapacityBytes: e.CapacityBytes, RateBytesPerSecond: e.RateBytesPerSecond})
	}
	opts.Concurrency, opts.Verify, opts.Log, opts.Now = sf.Concurrency, sf.VerifyMode(), f.Logger(), f.Now
	var progress *cmdutil.Progress
	start := f.Now()
	opts.Progress = func(done, total int64) {
		if progress == nil {
			progress = f.NewProgress("fill")
		}
		progress.Update(done, total, byteSpeed(done, start, f.Now))
	}
	rep, err := push.Fill(ctx, origin, edges, opts)
	if progress != nil {
		progress.Finish()
	}
	return rep, err
}

// byteSpeed formats bytes per second for the progress display.
func byteSpeed(done int64, start time.Time, now func() time.Time) func(time.Duration) string {
	return func(time.Duration) string {
		el := now().Sub(start).Seconds()
		if el <= 0 {
			return ""
		}
		return push.FormatBytes(int64(float64(done)/el)) + "/s"
	}
}

// PrintFill writes one line per edge to the command's output.
func PrintFill(io *cmdutil.IOStreams, rep *push.FillReport, dryRun bool) {
	verb := "filled"
	if dryRun {
		verb = "would fill"
	}
	for _, e := range rep.Edges {
		line := fmt.Sprintf("%s %s: %d copied (%s), %d unchanged, %d deleted", verb, e.Edge, e.Copied,
			push.FormatBytes(e.Bytes), e.Skipped, e.Deleted)
		if len(e.Renditions) > 0 {
			line += "; renditions " + strings.Join(e.Renditions, ",")
		}
		if len(e.Excluded) > 0 {
			line += "; over capacity " + strings.Join(e.Excluded, ",")
		}
		if e.WindowClosed {
			line += "; window closed, the rest waits for the next window"
		}
		if e.Error != "" {
			line = fmt.Sprintf("failed %s: %s", e.Edge, e.Error)
		}
		fmt.Fprintln(io.Out, line)
	}
}
