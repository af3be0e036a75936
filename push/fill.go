package push

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"
)

// Edge is one edge cache to fill, with its budget.
type Edge struct {
	Store Store
	// CapacityBytes is what the edge may hold for this title; zero means
	// no limit. Manifests, package.json and audio/text tracks must fit;
	// video renditions are added in the Selection's order while they fit.
	CapacityBytes int64
	// RateBytesPerSecond limits the bytes sent to the edge (averaged over a
	// tenth of a second, see limiter); zero means no limit.
	RateBytesPerSecond int64
}

// FillOptions configure Fill.
type FillOptions struct {
	Selection Selection // zero value: all
	// Window, when set, is when filling may happen: outside it Fill copies
	// nothing (FillReport.OutsideWindow) unless IgnoreWindow, and a fill
	// that runs into its end starts no new object (EdgeReport.WindowClosed).
	Window       *Window
	IgnoreWindow bool
	// Concurrency bounds the objects in flight per edge; zero means 4.
	Concurrency int
	Verify      VerifyMode // "" is VerifyHash
	DryRun      bool
	Log         *slog.Logger
	// Progress is called with the bytes copied to all edges so far and in
	// total.
	Progress func(done, total int64)
	// Now is the clock (window, durations, rate limit); nil is time.Now.
	Now func() time.Time
	// Sleep waits for the rate limiter; nil sleeps for real. Tests use a
	// fake clock.
	Sleep func(ctx context.Context, d time.Duration) error
}

// FillReport says what Fill did, edge by edge.
type FillReport struct {
	Origin string `json:"origin"`
	// OutsideWindow is set when the fill did not start because the window
	// was closed; Message says when it opens.
	OutsideWindow bool         `json:"outside_window,omitempty"`
	Message       string       `json:"message,omitempty"`
	Edges         []EdgeReport `json:"edges"`
}

// EdgeReport is what one edge got.
type EdgeReport struct {
	Edge string `json:"edge"`
	// Renditions are the video renditions the edge holds after the fill;
	// Excluded were selected but did not fit its capacity.
	Renditions    []string `json:"renditions"`
	Excluded      []string `json:"excluded,omitempty"`
	Objects       int      `json:"objects"` // planned for the edge
	Copied        int      `json:"copied"`  // copied and verified
	Skipped       int      `json:"skipped"` // already there, unchanged
	Failed        int      `json:"failed"`
	Deleted       int      `json:"deleted"` // no longer selected
	Bytes         int64    `json:"bytes"`   // copied
	PlannedBytes  int64    `json:"planned_bytes"`
	CapacityBytes int64    `json:"capacity_bytes,omitempty"`
	DurationMs    int64    `json:"duration_ms"`
	WindowClosed  bool     `json:"window_closed,omitempty"`
	Error         string   `json:"error,omitempty"`
}

// ErrNoRecord is wrapped when the origin has no push record to fill from.
var ErrNoRecord = errors.New("origin has no push record (push the package there first)")

// ErrCapacity is wrapped when an edge's capacity cannot even hold the
// manifests and audio every fill needs.
var ErrCapacity = errors.New("capacity too small")

// Fill copies a published package from origin to each edge, so that the
// edges hold exactly the origin's bytes. What to copy and how to verify it
// comes from the origin's push record (written by Publish): every object
// read from the origin is checked against the record's SHA-256 before it
// is put on an edge, and verified there as Publish verifies (VerifyMode).
//
// Per edge: objects a previous fill left that are no longer planned are
// deleted first (an edge is a cache; this frees its capacity), then
// objects are copied class by class (media, playlists, manifests) and the
// edge's own record is written. Unchanged objects are skipped. Edges are
// filled in parallel; one failing does not stop the others, and the error
// (wrapping ErrFailed) names every edge that failed.
func Fill(ctx context.Context, origin Store, edges []Edge, opts FillOptions) (*FillReport, error) {
	opts = opts.withDefaults()
	rep := &FillReport{Origin: origin.String()}
	now := opts.Now()
	if opts.Window != nil && !opts.IgnoreWindow && !opts.Window.Contains(now) {
		rep.OutsideWindow = true
		opens := opts.Window.Opens(now)
		rep.Message = fmt.Sprintf("outside the fill window %s (now %s; it opens %s, in %s): nothing copied; use --now to fill anyway",
			opts.Window, now.In(opts.Window.Loc).Format("15:04"), opens.Format("2006-01-02 15:04 MST"),
			opens.Sub(now).Round(time.Minute))
		for _, e := range edges {
			rep.Edges = append(rep.Edges, EdgeReport{Edge: e.Store.String(), CapacityBytes: e.CapacityBytes})
		}
		return rep, nil
	}
	rec, ok, err := ReadRecord(ctx, origin)
	if err != nil {
		return rep, failed(ctx, "fill from "+origin.String(), err)
	}
	if !ok {
		return rep, failed(ctx, "fill from "+origin.String(), ErrNoRecord)
	}
	order, unknown := opts.Selection.order(rec.Tracks)
	if len(unknown) > 0 {
		opts.Log.Warn("popularity file names renditions the package does not have", "renditions", unknown)
	}

	plans := make([]edgePlan, len(edges))
	prog := &progress{fn: opts.Progress}
	rep.Edges = make([]EdgeReport, len(edges))
	for i, e := range edges {
		plans[i] = planEdge(rec, order, e)
		rep.Edges[i] = plans[i].report
	}
	var wg sync.WaitGroup
	errs := make([]error, len(edges))
	for i, e := range edges {
		if plans[i].err != nil {
			errs[i] = plans[i].err
			rep.Edges[i].Error = plans[i].err.Error()
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			f := &edgeFill{origin: origin, edge: e, plan: &plans[i], opts: opts, prog: prog, rep: &rep.Edges[i],
				log: opts.Log.With("store", e.Store.String())}
			errs[i] = f.run(ctx)
			if errs[i] != nil {
				rep.Edges[i].Error = errs[i].Error()
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return rep, err
	}
	var failedEdges []error
	for i, err := range errs {
		if err != nil {
			failedEdges = append(failedEdges, fmt.Errorf("edge %s: %w", edges[i].Store, err))
		}
	}
	if len(failedEdges) > 0 {
		return rep, failed(ctx, fmt.Sprintf("fill %d of %d edges", len(failedEdges), len(edges)), joinErrors(failedEdges))
	}
	return rep, nil
}

func (o FillOptions) withDefaults() FillOptions {
	if o.Selection.Mode == "" {
		o.Selection = SelectAll
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 4
	}
	if o.Verify == "" {
		o.Verify = VerifyHash
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Sleep == nil {
		o.Sleep = sleepCtx
	}
	return o
}

// edgePlan is what one edge should hold.
type edgePlan struct {
	objects []RecordObject // by class, then key
	tracks  []Track        // the tracks objects belong to
	report  EdgeReport
	err     error
}

// planEdge picks the objects for e: everything no video track owns, then
// the selected video renditions in order while they fit.
func planEdge(rec *Record, order []string, e Edge) edgePlan {
	p := edgePlan{report: EdgeReport{Edge: e.Store.String(), CapacityBytes: e.CapacityBytes}}
	video := make(map[string]bool)
	bytesOf := make(map[string]int64)
	for _, t := range rec.Tracks {
		if t.Type == "video" {
			video[t.ID] = true
		}
	}
	var base int64
	for _, o := range rec.Objects {
		if video[o.Track] {
			bytesOf[o.Track] += o.Size
		} else {
			base += o.Size
		}
	}
	if e.CapacityBytes > 0 && base > e.CapacityBytes {
		p.err = fmt.Errorf("%w: %s holds less than the %s of manifests and audio every fill needs",
			ErrCapacity, FormatBytes(e.CapacityBytes), FormatBytes(base))
		return p
	}
	used := base
	chosen := make(map[string]bool)
	for _, id := range order {
		if e.CapacityBytes > 0 && used+bytesOf[id] > e.CapacityBytes {
			p.report.Excluded = append(p.report.Excluded, id)
			continue
		}
		used += bytesOf[id]
		chosen[id] = true
		p.report.Renditions = append(p.report.Renditions, id)
	}
	for _, o := range rec.Objects {
		if !video[o.Track] || chosen[o.Track] {
			p.objects = append(p.objects, o)
		}
	}
	for _, t := range rec.Tracks {
		if !video[t.ID] || chosen[t.ID] {
			p.tracks = append(p.tracks, t)
		}
	}
	p.report.Objects = len(p.objects)
	p.report.PlannedBytes = used
	return p
}

// edgeFill is the fill of one edge.
type edgeFill struct {
	origin Store
	edge   Edge
	plan   *edgePlan
	opts   FillOptions
	prog   *progress
	rep    *EdgeReport
	log    *slog.Logger
	lim    *limiter
	mu     sync.Mutex
}

func (f *edgeFill) run(ctx context.Context) error {
	start := f.opts.Now()
	defer func() { f.rep.DurationMs = f.opts.Now().Sub(start).Milliseconds() }()
	if f.edge.RateBytesPerSecond > 0 {
		f.lim = newLimiter(f.edge.RateBytesPerSecond, f.opts.Now, f.opts.Sleep)
	}
	old, _, err := ReadRecord(ctx, f.edge.Store)
	if err != nil {
		return err
	}
	oldIdx := old.index()
	planned := make(map[string]bool, len(f.plan.objects))
	entries := make([]Entry, len(f.plan.objects))
	for i, o := range f.plan.objects {
		planned[o.Key] = true
		entries[i] = o.Entry
	}
	todo, stats, err := planUploads(ctx, f.edge.Store, entries, oldIdx, f.opts.Concurrency)
	if err != nil {
		return err
	}
	var total int64
	for i, o := range f.plan.objects {
		if todo[i] {
			total += o.Size
		}
	}
	f.prog.mu.Lock()
	f.prog.total += total
	f.prog.mu.Unlock()
	var stale []string
	for _, k := range append(recordKeys(old), old.Stale...) {
		if !planned[k] {
			stale = append(stale, k)
		}
	}
	if f.opts.DryRun {
		for i := range todo {
			if todo[i] {
				f.rep.Copied++
				f.rep.Bytes += f.plan.objects[i].Size
			} else {
				f.rep.Skipped++
			}
		}
		f.rep.Deleted = len(stale)
		return nil
	}
	// Free the capacity of what is no longer wanted first. The record is
	// rewritten without those objects only after the fill, so a fill cut
	// short deletes them again next time.
	for _, k := range stale {
		if err := f.edge.Store.Delete(ctx, k); err != nil {
			return err
		}
		f.rep.Deleted++
	}
	rec := &Record{Tracks: f.plan.tracks}
	for class := ClassMedia; class <= ClassManifest; class++ {
		var idx []int
		for i, o := range f.plan.objects {
			if o.Class == class {
				idx = append(idx, i)
			}
		}
		err := forEach(ctx, f.opts.Concurrency, idx, func(ctx context.Context, i int) error {
			o := f.plan.objects[i]
			etag := stats[i].ETag
			if todo[i] {
				if f.opts.Window != nil && !f.opts.IgnoreWindow && !f.opts.Window.Contains(f.opts.Now()) {
					f.mu.Lock()
					f.rep.WindowClosed = true
					f.mu.Unlock()
					return nil
				}
				st, err := f.copyObject(ctx, o)
				f.mu.Lock()
				defer f.mu.Unlock()
				if err != nil {
					if ctx.Err() == nil {
						f.rep.Failed++
					}
					return err
				}
				f.rep.Copied++
				f.rep.Bytes += o.Size
				etag = st.ETag
			} else {
				f.mu.Lock()
				defer f.mu.Unlock()
				f.rep.Skipped++
			}
			rec.Objects = append(rec.Objects, RecordObject{Entry: o.Entry, ETag: etag})
			return nil
		})
		if err != nil {
			return err
		}
		if f.rep.WindowClosed {
			// Playlists and manifests wait for the next window: nothing
			// names what was not copied.
			f.log.Info("fill window closed; the rest waits for the next window", "copied", f.rep.Copied)
			break
		}
	}
	if err := writeRecord(ctx, f.edge.Store, rec); err != nil {
		return err
	}
	f.log.Info("filled", "renditions", f.rep.Renditions, "copied", f.rep.Copied, "skipped", f.rep.Skipped,
		"deleted", f.rep.Deleted, "bytes", f.rep.Bytes)
	return nil
}

// copyObject copies one object from the origin to the edge: download
// (whole, retried by the origin's decorator), check against the record,
// upload through the rate limit, verify.
func (f *edgeFill) copyObject(ctx context.Context, o RecordObject) (Object, error) {
	rc, _, err := f.origin.Get(ctx, o.Key)
	if err != nil {
		return Object{}, err
	}
	defer rc.Close()
	body, ok := rc.(io.ReadSeeker)
	if !ok {
		s := newSpool(16 << 20)
		defer s.Close()
		if _, err := io.Copy(s, rc); err != nil {
			return Object{}, opErr("get", o.Key, err)
		}
		r, err := s.reader()
		if err != nil {
			return Object{}, opErr("get", o.Key, err)
		}
		body = r.(io.ReadSeeker)
	}
	n, sum, err := hashReader(body)
	if err != nil {
		return Object{}, opErr("get", o.Key, err)
	}
	if n != o.Size || sum != o.SHA256 {
		return Object{}, opErr("get", o.Key, fmt.Errorf("origin has %d bytes with sha256 %s, its push record says %d bytes with %s (push again): %w",
			n, sum, o.Size, o.SHA256, ErrChanged))
	}
	if _, err := body.Seek(0, io.SeekStart); err != nil {
		return Object{}, err
	}
	var r io.ReadSeeker = &countingReader{r: body, p: f.prog}
	if f.lim != nil {
		r = &limitedReader{ctx: ctx, r: r, l: f.lim}
	}
	obj := Object{Key: o.Key, Size: o.Size, SHA256: o.SHA256, ContentType: o.ContentType, CacheControl: o.CacheControl}
	var lastErr error
	for range 3 {
		if _, err := r.Seek(0, io.SeekStart); err != nil {
			return Object{}, err
		}
		if err := f.edge.Store.Put(ctx, obj, r); err != nil {
			return Object{}, err
		}
		st, err := verifyStored(ctx, f.edge.Store, o.Key, o.Size, o.SHA256, f.opts.Verify)
		if err == nil {
			return st, nil
		}
		if !errors.Is(err, ErrChanged) {
			return Object{}, err
		}
		lastErr = err
	}
	return Object{}, fmt.Errorf("%w (copied 3 times)", lastErr)
}

// joinedErrors is errors.Join on one line: the CLI prints an error as one.
type joinedErrors []error

func joinErrors(errs []error) error {
	if len(errs) == 1 {
		return errs[0]
	}
	return joinedErrors(errs)
}

func (j joinedErrors) Error() string {
	msgs := make([]string, len(j))
	for i, err := range j {
		msgs[i] = err.Error()
	}
	return strings.Join(msgs, "; ")
}

func (j joinedErrors) Unwrap() []error { return j }
