package push

import (
	"context"
	"io"
	"strings"
)

// Sub returns the store of the keys under prefix in s: one title's folder
// on an origin or edge that holds many (vpack fill apply fills
// edge/<title path> from origin/<title path>). prefix must be a clean
// relative path (CheckKey); keys given to the returned store are checked
// the same way before they are joined, so nothing leaves the prefix.
// Errors name the full key.
func Sub(s Store, prefix string) (Store, error) {
	if err := CheckKey(prefix); err != nil {
		return nil, err
	}
	return &subStore{s: s, prefix: prefix + "/"}, nil
}

type subStore struct {
	s      Store
	prefix string // ends in "/"
}

func (b *subStore) key(op, key string) (string, error) {
	if err := CheckKey(key); err != nil {
		return "", opErr(op, key, err)
	}
	return b.prefix + key, nil
}

func (b *subStore) Put(ctx context.Context, obj Object, body io.ReadSeeker) error {
	k, err := b.key("put", obj.Key)
	if err != nil {
		return err
	}
	obj.Key = k
	return b.s.Put(ctx, obj, body)
}

func (b *subStore) Get(ctx context.Context, key string) (io.ReadCloser, Object, error) {
	k, err := b.key("get", key)
	if err != nil {
		return nil, Object{}, err
	}
	rc, obj, err := b.s.Get(ctx, k)
	obj.Key = strings.TrimPrefix(obj.Key, b.prefix)
	return rc, obj, err
}

func (b *subStore) Stat(ctx context.Context, key string) (Object, error) {
	k, err := b.key("stat", key)
	if err != nil {
		return Object{}, err
	}
	obj, err := b.s.Stat(ctx, k)
	obj.Key = strings.TrimPrefix(obj.Key, b.prefix)
	return obj, err
}

func (b *subStore) Delete(ctx context.Context, key string) error {
	k, err := b.key("delete", key)
	if err != nil {
		return err
	}
	return b.s.Delete(ctx, k)
}

func (b *subStore) IsPermanent(err error) bool { return b.s.IsPermanent(err) }

func (b *subStore) String() string {
	return strings.TrimSuffix(b.s.String(), "/") + "/" + strings.TrimSuffix(b.prefix, "/")
}
