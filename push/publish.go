package push

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
)

// Default Cache-Control values: segments never change under their name,
// manifests may be republished.
const (
	DefaultSegmentCacheControl  = "public, max-age=31536000, immutable"
	DefaultManifestCacheControl = "public, max-age=60"
)

// PublishOptions configure Publish.
type PublishOptions struct {
	// Concurrency bounds the objects in flight; zero means 8.
	Concurrency int
	// Delete removes objects an earlier push published that the package no
	// longer has, once the new manifests are live.
	Delete bool
	// DryRun reads the package and the origin and reports what a push
	// would upload, skip and delete, changing nothing.
	DryRun bool
	// Verify is how each object is checked after upload; "" is VerifyHash.
	Verify VerifyMode
	// Cache-Control of media objects and of playlists/manifests; "" means
	// DefaultSegmentCacheControl and DefaultManifestCacheControl.
	SegmentCacheControl  string
	ManifestCacheControl string
	Log                  *slog.Logger // nil discards
	// Progress is called with bytes uploaded so far and in total.
	Progress func(done, total int64)
	// Now is the clock for durations; nil means time.Now.
	Now func() time.Time
}

// Report says what a Publish (or a dry run) did.
type Report struct {
	Store      string   `json:"store"`
	Objects    int      `json:"objects"`  // in the package
	Uploaded   int      `json:"uploaded"` // stored and verified
	Skipped    int      `json:"skipped"`  // already there, unchanged
	Deleted    int      `json:"deleted"`
	Failed     int      `json:"failed"`
	Bytes      int64    `json:"bytes"` // uploaded
	DurationMs int64    `json:"duration_ms"`
	DryRun     bool     `json:"dry_run,omitempty"`
	Actions    []Action `json:"actions,omitempty"` // dry run only: the plan
}

// Action is one planned step of a dry run.
type Action struct {
	Op   string `json:"op"` // upload, skip, delete
	Key  string `json:"key"`
	Size int64  `json:"size,omitempty"`
}

// Publish pushes the package folder dir to origin and returns what it did.
//
// Every file is hashed (SHA-256). Objects the origin already holds
// unchanged are skipped: same hash as reported by the store, or, for
// stores that keep none, same size and ETag as the push record (RecordKey)
// noted when it verified them. The rest are uploaded with their
// Content-Type and Cache-Control and verified (see VerifyMode) class by
// class: media, then media playlists, then the multivariant playlist, MPD
// and package.json; a class starts only when every object before it is
// verified, so no manifest is ever visible before what it names. The push
// record is written last; it also lists objects earlier pushes published
// that the package lacks (Record.Stale). With Delete those are deleted
// after the record (the new manifests being live), and the record is
// written again without them. A run interrupted anywhere converges when
// run again.
//
// Errors that mean objects were not published wrap ErrFailed; a package
// folder that cannot be published gives a *PackageError.
func Publish(ctx context.Context, dir string, origin Store, opts PublishOptions) (*Report, error) {
	opts = opts.withDefaults()
	log := opts.Log.With("store", origin.String())
	start := opts.Now()
	pkg, err := ReadPackage(ctx, dir)
	if err != nil {
		return nil, err
	}
	defer pkg.Close()
	for i := range pkg.Files {
		f := &pkg.Files[i]
		f.CacheControl = opts.ManifestCacheControl
		if f.Class == ClassMedia {
			f.CacheControl = opts.SegmentCacheControl
		}
	}
	rep := &Report{Store: origin.String(), Objects: len(pkg.Files), DryRun: opts.DryRun}
	defer func() { rep.DurationMs = opts.Now().Sub(start).Milliseconds() }()
	fail := func(err error) (*Report, error) {
		return rep, failed(ctx, "push to "+origin.String(), err)
	}

	old, _, err := ReadRecord(ctx, origin)
	if err != nil {
		return fail(err)
	}
	oldIdx := old.index()
	todo, stats, err := planUploads(ctx, origin, pkg.Files, oldIdx, opts.Concurrency)
	if err != nil {
		return fail(err)
	}
	inPkg := make(map[string]bool, len(pkg.Files))
	for _, f := range pkg.Files {
		inPkg[f.Key] = true
	}
	var stale []string
	seen := make(map[string]bool)
	for _, k := range append(recordKeys(old), old.Stale...) {
		if !inPkg[k] && !seen[k] && CheckKey(k) == nil {
			seen[k] = true
			stale = append(stale, k)
		}
	}
	var deletions []string
	if opts.Delete {
		deletions = stale
	}
	prog := &progress{fn: opts.Progress}
	for i, f := range pkg.Files {
		if todo[i] {
			prog.total += f.Size
		}
	}
	if opts.DryRun {
		for i, f := range pkg.Files {
			op := "skip"
			if todo[i] {
				op = "upload"
				rep.Bytes += f.Size
				rep.Uploaded++
			} else {
				rep.Skipped++
			}
			rep.Actions = append(rep.Actions, Action{Op: op, Key: f.Key, Size: f.Size})
		}
		for _, k := range deletions {
			rep.Actions = append(rep.Actions, Action{Op: "delete", Key: k})
		}
		rep.Deleted = len(deletions)
		return rep, nil
	}

	// Upload class by class; the record keeps what was verified.
	rec := &Record{Tracks: pkg.Tracks}
	var mu sync.Mutex
	for class := ClassMedia; class <= ClassManifest; class++ {
		var idx []int
		for i, f := range pkg.Files {
			if f.Class == class {
				idx = append(idx, i)
			}
		}
		err := forEach(ctx, opts.Concurrency, idx, func(ctx context.Context, i int) error {
			f := pkg.Files[i]
			etag := stats[i].ETag
			if todo[i] {
				st, err := uploadFile(ctx, origin, pkg, f, opts.Verify, prog)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					if ctx.Err() == nil {
						rep.Failed++
					}
					return err
				}
				rep.Uploaded++
				rep.Bytes += f.Size
				etag = st.ETag
				log.Debug("uploaded", "path", f.Key, "bytes", f.Size)
			} else {
				mu.Lock()
				defer mu.Unlock()
				rep.Skipped++
			}
			rec.Objects = append(rec.Objects, RecordObject{Entry: f, ETag: etag})
			return nil
		})
		if err != nil {
			return fail(err)
		}
	}
	rec.Stale = stale
	if err := writeRecord(ctx, origin, rec); err != nil {
		return fail(err)
	}
	if len(deletions) > 0 {
		for _, k := range deletions {
			if err := origin.Delete(ctx, k); err != nil {
				return fail(err)
			}
			rep.Deleted++
			log.Debug("deleted", "path", k)
		}
		rec.Stale = nil
		if err := writeRecord(ctx, origin, rec); err != nil {
			return fail(err)
		}
	}
	log.Info("pushed", "objects", rep.Objects, "uploaded", rep.Uploaded, "skipped", rep.Skipped,
		"deleted", rep.Deleted, "bytes", rep.Bytes)
	return rep, nil
}

func (o PublishOptions) withDefaults() PublishOptions {
	if o.Concurrency <= 0 {
		o.Concurrency = 8
	}
	if o.Verify == "" {
		o.Verify = VerifyHash
	}
	if o.SegmentCacheControl == "" {
		o.SegmentCacheControl = DefaultSegmentCacheControl
	}
	if o.ManifestCacheControl == "" {
		o.ManifestCacheControl = DefaultManifestCacheControl
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

func recordKeys(r *Record) []string {
	keys := make([]string, 0, len(r.Objects))
	for _, o := range r.Objects {
		keys = append(keys, o.Key)
	}
	return keys
}

// planUploads stats every entry on s and reports which must be uploaded,
// and what Stat said of the others.
func planUploads(ctx context.Context, s Store, files []Entry, rec map[string]*RecordObject, limit int) ([]bool, []Object, error) {
	todo := make([]bool, len(files))
	stats := make([]Object, len(files))
	idx := make([]int, len(files))
	for i := range idx {
		idx[i] = i
	}
	err := forEach(ctx, limit, idx, func(ctx context.Context, i int) error {
		f := files[i]
		st, err := s.Stat(ctx, f.Key)
		switch {
		case errors.Is(err, ErrNotFound):
			todo[i] = true
		case err != nil:
			return err
		default:
			todo[i] = !unchanged(st, f, rec[f.Key])
			stats[i] = st
		}
		return nil
	})
	return todo, stats, err
}

// uploadFile puts one package file and verifies it. A verification that
// fails (the bytes stored are not the file's) uploads again, twice at most.
func uploadFile(ctx context.Context, s Store, pkg *Package, f Entry, mode VerifyMode, prog *progress) (Object, error) {
	in, err := pkg.Open(f.Key)
	if err != nil {
		return Object{}, &PackageError{Dir: pkg.Dir, Err: err}
	}
	defer in.Close()
	body := &countingReader{r: in, p: prog}
	obj := Object{Key: f.Key, Size: f.Size, SHA256: f.SHA256, ContentType: f.ContentType, CacheControl: f.CacheControl}
	var lastErr error
	for range 3 {
		if _, err := body.Seek(0, 0); err != nil {
			return Object{}, err
		}
		if err := s.Put(ctx, obj, body); err != nil {
			return Object{}, err
		}
		st, err := verifyStored(ctx, s, f.Key, f.Size, f.SHA256, mode)
		if err == nil {
			return st, nil
		}
		if !errors.Is(err, ErrChanged) {
			return Object{}, err
		}
		lastErr = err
	}
	return Object{}, fmt.Errorf("%w (uploaded 3 times)", lastErr)
}

// forEach runs fn for every item with at most limit at once. The first
// error stops new items from starting and cancels those in flight; it is
// the error returned.
func forEach(ctx context.Context, limit int, items []int, fn func(ctx context.Context, i int) error) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(limit)
	for _, i := range items {
		if gctx.Err() != nil {
			break
		}
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			return fn(gctx, i)
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	return ctx.Err()
}
