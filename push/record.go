package push

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// RecordKey is where Publish keeps its push record on the origin, and Fill
// its fill record on each edge: hidden, under the store's prefix.
const RecordKey = ".vpack/push.json"

// RecordVersion is the version of the record's schema.
const RecordVersion = 1

// Record lists what a store holds after a push or fill: every object with
// its hash, size, class, owning track and the ETag the store gave it when
// it was verified. It is written after everything it lists, so a record
// never names an object that was not verified. Publish uses it to skip
// unchanged objects on stores that keep no hash (file, http: same size and
// ETag as recorded), to know what --delete may remove, and Fill reads the
// origin's to know what to copy and how to verify it.
type Record struct {
	Version int            `json:"version"`
	Tracks  []Track        `json:"tracks"`
	Objects []RecordObject `json:"objects"`
	// Stale lists objects earlier pushes published that the package no
	// longer has, still on the store: Publish with Delete removes them
	// (after the new manifests are live), and a push cut short before it
	// did leaves them here for the next one.
	Stale []string `json:"stale,omitempty"`
}

// RecordObject is one object of a Record.
type RecordObject struct {
	Entry
	ETag string `json:"etag,omitempty"`
}

func (r *Record) index() map[string]*RecordObject {
	m := make(map[string]*RecordObject, len(r.Objects))
	for i := range r.Objects {
		m[r.Objects[i].Key] = &r.Objects[i]
	}
	return m
}

// ReadRecord reads the record of s; a store without one gives an empty
// record and no error. Keys in it are checked: a record naming a key that
// leaves the prefix is refused.
func ReadRecord(ctx context.Context, s Store) (*Record, bool, error) {
	rc, _, err := s.Get(ctx, RecordKey)
	if errors.Is(err, ErrNotFound) {
		return &Record{Version: RecordVersion}, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, 256<<20))
	if err != nil {
		return nil, false, opErr("get", RecordKey, err)
	}
	var r Record
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, false, opErr("get", RecordKey, fmt.Errorf("not a push record: %w", err))
	}
	if r.Version != RecordVersion {
		return nil, false, opErr("get", RecordKey, fmt.Errorf("record version %d, want %d (a newer vpack wrote it?)", r.Version, RecordVersion))
	}
	for _, o := range r.Objects {
		if err := CheckKey(o.Key); err != nil || strings.HasPrefix(o.Key, ".vpack/") {
			return nil, false, opErr("get", RecordKey, fmt.Errorf("object %q: %w", o.Key, ErrInvalidKey))
		}
	}
	return &r, true, nil
}

// writeRecord stores r (objects sorted by key, for stable bytes).
func writeRecord(ctx context.Context, s Store, r *Record) error {
	r.Version = RecordVersion
	slices.SortFunc(r.Objects, func(a, b RecordObject) int { return strings.Compare(a.Key, b.Key) })
	slices.Sort(r.Stale)
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	data = append(data, '\n')
	sum := sha256.Sum256(data)
	return s.Put(ctx, Object{
		Key: RecordKey, Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:]),
		ContentType: "application/json", CacheControl: "no-cache",
	}, bytes.NewReader(data))
}
