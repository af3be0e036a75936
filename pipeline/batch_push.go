package pipeline

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/vpack-dev/vpack/push"
)

// BatchRecordKey is where StorePublisher keeps a title's completion record
// in the title's store, beside push's own record.
const BatchRecordKey = ".vpack/batch.json"

// StorePublisher publishes each title of a batch with push.Publish to
// <BaseURL>/<title-id>, and stores the title's completion record there
// last (BatchRecordKey), so that workers without a shared folder (pods
// with their own disk) skip titles another worker already published.
//
// Publishing is idempotent (push skips unchanged objects and writes
// manifests last), so two workers that publish the same title leave a
// consistent package. TODO(#8): lease titles on the store too, with
// conditional writes (S3 If-None-Match), once push.Store offers them.
type StorePublisher struct {
	BaseURL string
	// Open opens the store of one title's URL (push.Open in the CLI).
	Open    func(ctx context.Context, url string) (push.Store, error)
	Options push.PublishOptions
}

// Target implements Publisher.
func (p *StorePublisher) Target(id string) string {
	return strings.TrimSuffix(p.BaseURL, "/") + "/" + id
}

// Publish implements Publisher.
func (p *StorePublisher) Publish(ctx context.Context, id, dir string, record []byte) (PushSummary, error) {
	st, err := p.Open(ctx, p.Target(id))
	if err != nil {
		return PushSummary{}, err
	}
	rep, err := push.Publish(ctx, dir, st, p.Options)
	if err != nil {
		return PushSummary{}, err
	}
	sum := sha256.Sum256(record)
	obj := push.Object{Key: BatchRecordKey, Size: int64(len(record)), SHA256: hex.EncodeToString(sum[:]),
		ContentType: "application/json", CacheControl: "no-cache"}
	if err := st.Put(ctx, obj, bytes.NewReader(record)); err != nil {
		return PushSummary{}, fmt.Errorf("push to %s: record: %w: %w", st, push.ErrFailed, err)
	}
	return PushSummary{Target: st.String(), Objects: rep.Objects, Uploaded: rep.Uploaded, Skipped: rep.Skipped,
		Bytes: rep.Bytes, DurationMs: rep.DurationMs}, nil
}

// Record implements Publisher.
func (p *StorePublisher) Record(ctx context.Context, id string) ([]byte, error) {
	st, err := p.Open(ctx, p.Target(id))
	if err != nil {
		return nil, err
	}
	rc, _, err := st.Get(ctx, BatchRecordKey)
	if errors.Is(err, push.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(io.LimitReader(rc, 1<<20))
}
