package push

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"maps"
	"slices"
	"sync"
)

// Mem is an in-memory Store for tests and dry runs. It keeps each object's
// bytes, content type and cache control, and reports the SHA-256 it
// computes. The zero value is not usable; call NewMem.
type Mem struct {
	name string
	mu   sync.Mutex
	objs map[string]memObject
	gen  int
}

type memObject struct {
	data []byte
	obj  Object
}

// NewMem returns an empty store that String() calls name ("mem://origin").
func NewMem(name string) *Mem {
	return &Mem{name: name, objs: make(map[string]memObject)}
}

func (m *Mem) String() string { return m.name }

// Put implements Store.
func (m *Mem) Put(ctx context.Context, obj Object, body io.ReadSeeker) error {
	if err := CheckKey(obj.Key); err != nil {
		return opErr("put", obj.Key, err)
	}
	if err := ctx.Err(); err != nil {
		return opErr("put", obj.Key, err)
	}
	data, err := io.ReadAll(body)
	if err != nil {
		return opErr("put", obj.Key, err)
	}
	sum := sha256.Sum256(data)
	got := hex.EncodeToString(sum[:])
	if obj.Size >= 0 && int64(len(data)) != obj.Size {
		return opErr("put", obj.Key, fmt.Errorf("read %d bytes, want %d: %w", len(data), obj.Size, ErrChanged))
	}
	if obj.SHA256 != "" && obj.SHA256 != got {
		return opErr("put", obj.Key, fmt.Errorf("sha256 %s, want %s: %w", got, obj.SHA256, ErrChanged))
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.gen++
	obj.Size, obj.SHA256 = int64(len(data)), got
	obj.ETag = fmt.Sprintf(`"%s-%d"`, got[:16], m.gen)
	m.objs[obj.Key] = memObject{data: data, obj: obj}
	return nil
}

// Get implements Store.
func (m *Mem) Get(ctx context.Context, key string) (io.ReadCloser, Object, error) {
	o, err := m.lookup(ctx, "get", key)
	if err != nil {
		return nil, Object{}, err
	}
	return io.NopCloser(bytes.NewReader(o.data)), o.obj, nil
}

// Stat implements Store.
func (m *Mem) Stat(ctx context.Context, key string) (Object, error) {
	o, err := m.lookup(ctx, "stat", key)
	return o.obj, err
}

func (m *Mem) lookup(ctx context.Context, op, key string) (memObject, error) {
	if err := CheckKey(key); err != nil {
		return memObject{}, opErr(op, key, err)
	}
	if err := ctx.Err(); err != nil {
		return memObject{}, opErr(op, key, err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	o, ok := m.objs[key]
	if !ok {
		return memObject{}, opErr(op, key, ErrNotFound)
	}
	return o, nil
}

// Delete implements Store.
func (m *Mem) Delete(ctx context.Context, key string) error {
	if err := CheckKey(key); err != nil {
		return opErr("delete", key, err)
	}
	if err := ctx.Err(); err != nil {
		return opErr("delete", key, err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.objs, key)
	return nil
}

// IsPermanent implements Store: only cancellation, missing objects and bad
// keys fail a memory store.
func (m *Mem) IsPermanent(err error) bool {
	p, _ := isPermanentCommon(err)
	return p
}

// Keys returns every key held, sorted. For tests.
func (m *Mem) Keys() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Sorted(maps.Keys(m.objs))
}

// Bytes returns a copy of the object at key, or nil. For tests.
func (m *Mem) Bytes(key string) []byte {
	m.mu.Lock()
	defer m.mu.Unlock()
	o, ok := m.objs[key]
	if !ok {
		return nil
	}
	return bytes.Clone(o.data)
}
