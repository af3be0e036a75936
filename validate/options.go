package validate

import (
	"log/slog"
	"net/http"
	"runtime"
	"time"
)

// Options tune a validation. The zero value validates everything that can
// be checked without keys and without xmllint.
type Options struct {
	// Keys, when set, makes the validator decrypt a sample of the segments
	// of every encrypted track (DecryptSegments per track) with the key of
	// the track's default_KID, and check that the NAL structure of the
	// decrypted samples is intact (clear video tracks are checked the same
	// way). Without Keys no mdat payload is ever read.
	Keys []Key
	// DecryptSegments is how many segments per track Keys checks: the
	// first, the last and evenly spaced ones between. 0 means 3.
	DecryptSegments int

	// MPDSchema is the path of DASH-MPD.xsd. When set and xmllint is
	// found (XMLLint, else on PATH), MPDs are also validated against the
	// schema (rule DASH-XSD); the structural checks in Go run regardless.
	MPDSchema string
	XMLLint   string

	// Concurrency bounds the segments read at once: 0 means twice
	// GOMAXPROCS for local files and 8 over HTTP.
	Concurrency int

	// HTTPClient fetches http(s) targets; nil means a client with
	// HTTPTimeout per request that refuses redirects to other hosts.
	HTTPClient  *http.Client
	HTTPTimeout time.Duration // per request; 0 means 30 s

	// MaxManifestBytes bounds a playlist or MPD (0: 16 MiB);
	// MaxSegmentBytes bounds any media resource read whole or in part,
	// init segments, moof boxes and, with Keys, whole segments (0: 512 MiB).
	// Bigger resources are reported (REF-TOO-LARGE), never read.
	MaxManifestBytes int64
	MaxSegmentBytes  int64

	Log *slog.Logger // nil discards
	// Progress, when set, is called as media segments are checked, with
	// the count done and the total. Calls are serialised.
	Progress func(done, total int64)
}

const (
	defaultMaxManifestBytes = 16 << 20
	defaultMaxSegmentBytes  = 512 << 20
	defaultHTTPTimeout      = 30 * time.Second
	defaultHTTPConcurrency  = 8
	defaultDecryptSegments  = 3
)

func (o Options) withDefaults(remote bool) Options {
	if o.MaxManifestBytes <= 0 {
		o.MaxManifestBytes = defaultMaxManifestBytes
	}
	if o.MaxSegmentBytes <= 0 {
		o.MaxSegmentBytes = defaultMaxSegmentBytes
	}
	if o.HTTPTimeout <= 0 {
		o.HTTPTimeout = defaultHTTPTimeout
	}
	if o.DecryptSegments <= 0 {
		o.DecryptSegments = defaultDecryptSegments
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 2 * runtime.GOMAXPROCS(0)
		if remote {
			o.Concurrency = defaultHTTPConcurrency
		}
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return o
}
