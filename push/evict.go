package push

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"time"
)

// EvictOptions configure Evict.
type EvictOptions struct {
	DryRun bool
	// Concurrency bounds the deletions in flight; zero means 4.
	Concurrency int
	Log         *slog.Logger
	// Now is the clock for DurationMs; nil is time.Now.
	Now func() time.Time
}

// EvictReport says what Evict removed.
type EvictReport struct {
	Edge       string `json:"edge"`
	Deleted    int    `json:"deleted"` // objects, the record included
	Bytes      int64  `json:"bytes"`
	DurationMs int64  `json:"duration_ms"`
}

// Evict removes what fills put on edge (one title's store, as Fill filled
// it): every object its fill record lists, and those the record notes as
// stale. Manifests go first, then playlists, then media, and the record
// last, so that a player is never handed a manifest naming something
// already gone, and an eviction cut short is finished by the next one (the
// record still lists what is left). An edge without a record holds nothing
// vpack put there: nothing is deleted.
func Evict(ctx context.Context, edge Store, opts EvictOptions) (rep EvictReport, err error) {
	if opts.Concurrency <= 0 {
		opts.Concurrency = 4
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	start := opts.Now()
	rep = EvictReport{Edge: edge.String()}
	defer func() { rep.DurationMs = opts.Now().Sub(start).Milliseconds() }()
	rec, ok, err := ReadRecord(ctx, edge)
	if err != nil {
		return rep, failed(ctx, "evict "+edge.String(), err)
	}
	if !ok {
		return rep, nil
	}
	var mu sync.Mutex
	for class := ClassManifest; class >= ClassMedia; class-- {
		var idx []int
		for i, o := range rec.Objects {
			if o.Class == class {
				idx = append(idx, i)
			}
		}
		if class == ClassMedia {
			// Stale objects are media or anything else the package dropped.
			for _, k := range rec.Stale {
				if !slices.ContainsFunc(rec.Objects, func(o RecordObject) bool { return o.Key == k }) {
					rec.Objects = append(rec.Objects, RecordObject{Entry: Entry{Key: k, Class: ClassMedia}})
					idx = append(idx, len(rec.Objects)-1)
				}
			}
		}
		if opts.DryRun {
			for _, i := range idx {
				rep.Deleted++
				rep.Bytes += rec.Objects[i].Size
			}
			continue
		}
		err := forEach(ctx, opts.Concurrency, idx, func(ctx context.Context, i int) error {
			if err := edge.Delete(ctx, rec.Objects[i].Key); err != nil {
				return err
			}
			mu.Lock()
			rep.Deleted++
			rep.Bytes += rec.Objects[i].Size
			mu.Unlock()
			return nil
		})
		if err != nil {
			return rep, failed(ctx, "evict "+edge.String(), err)
		}
	}
	if opts.DryRun {
		rep.Deleted++
		return rep, nil
	}
	if err := edge.Delete(ctx, RecordKey); err != nil {
		return rep, failed(ctx, "evict "+edge.String(), err)
	}
	rep.Deleted++
	opts.Log.Info("evicted", "store", edge.String(), "deleted", rep.Deleted, "bytes", rep.Bytes)
	return rep, nil
}
