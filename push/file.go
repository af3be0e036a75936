package push

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
	"syscall"
)

// tempMarker is in the name of every file the file backend writes before
// renaming it into place: ".<name>.vpack-tmp-<random>". A process killed
// mid-write leaves one behind; it is never a key.
const tempMarker = ".vpack-tmp-"

// File is the filesystem backend: objects are files under a root folder,
// written to a temporary file in the same folder, synced, and renamed into
// place, so a reader (a web server over the folder) sees the old file or
// the new one, never a partial one. All access goes through os.Root, so no
// key and no symlink in the folder can reach outside it.
type File struct {
	dir  string
	root *os.Root
}

// NewFile opens (creating when missing) the folder dir as a store.
func NewFile(dir string) (*File, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("file store: %w", err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("file store: %w", err)
	}
	return &File{dir: dir, root: root}, nil
}

func (f *File) String() string { return "file://" + f.dir }

// Close releases the folder.
func (f *File) Close() error { return f.root.Close() }

// Put implements Store: temp file, fsync, rename. It hashes what it writes
// and refuses (ErrChanged) a body whose size or SHA-256 differ from obj's.
func (f *File) Put(ctx context.Context, obj Object, body io.ReadSeeker) (err error) {
	key := obj.Key
	if err := CheckKey(key); err != nil {
		return opErr("put", key, err)
	}
	if err := ctx.Err(); err != nil {
		return opErr("put", key, err)
	}
	dir, base := path.Split(key)
	if strings.Contains(base, tempMarker) {
		return opErr("put", key, fmt.Errorf("%q looks like a temporary file: %w", key, ErrInvalidKey))
	}
	if dir != "" {
		if err := f.root.MkdirAll(strings.TrimSuffix(dir, "/"), 0o755); err != nil {
			return opErr("put", key, err)
		}
	}
	tmp, out, err := f.createTemp(dir, base)
	if err != nil {
		return opErr("put", key, err)
	}
	defer func() {
		if err != nil {
			out.Close()
			_ = f.root.Remove(tmp)
		}
	}()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(out, h), ctxReader{ctx, body})
	if err != nil {
		return opErr("put", key, err)
	}
	if obj.Size >= 0 && n != obj.Size {
		return opErr("put", key, fmt.Errorf("read %d bytes, want %d: %w", n, obj.Size, ErrChanged))
	}
	if got := hex.EncodeToString(h.Sum(nil)); obj.SHA256 != "" && got != obj.SHA256 {
		return opErr("put", key, fmt.Errorf("sha256 %s, want %s: %w", got, obj.SHA256, ErrChanged))
	}
	if err := out.Sync(); err != nil {
		return opErr("put", key, err)
	}
	if err := out.Close(); err != nil {
		return opErr("put", key, err)
	}
	if err := f.root.Rename(tmp, key); err != nil {
		return opErr("put", key, err)
	}
	return nil
}

func (f *File) createTemp(dir, base string) (string, *os.File, error) {
	for range 100 {
		var b [6]byte
		_, _ = rand.Read(b[:])
		name := dir + "." + base + tempMarker + hex.EncodeToString(b[:])
		out, err := f.root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		return name, out, err
	}
	return "", nil, errors.New("no free temporary file name")
}

// Get implements Store.
func (f *File) Get(ctx context.Context, key string) (io.ReadCloser, Object, error) {
	if err := CheckKey(key); err != nil {
		return nil, Object{}, opErr("get", key, err)
	}
	if err := ctx.Err(); err != nil {
		return nil, Object{}, opErr("get", key, err)
	}
	in, err := f.root.Open(key)
	if err != nil {
		return nil, Object{}, opErr("get", key, notFound(err))
	}
	fi, err := in.Stat()
	if err == nil && !fi.Mode().IsRegular() {
		err = fmt.Errorf("not a regular file: %w", ErrNotFound)
	}
	if err != nil {
		in.Close()
		return nil, Object{}, opErr("get", key, err)
	}
	return in, fileObject(key, fi), nil
}

// Stat implements Store. It reads no content, so SHA256 is empty; ETag is
// modification time and size, as nginx makes it.
func (f *File) Stat(ctx context.Context, key string) (Object, error) {
	if err := CheckKey(key); err != nil {
		return Object{}, opErr("stat", key, err)
	}
	if err := ctx.Err(); err != nil {
		return Object{}, opErr("stat", key, err)
	}
	fi, err := f.root.Stat(key)
	if err != nil {
		return Object{}, opErr("stat", key, notFound(err))
	}
	if !fi.Mode().IsRegular() {
		return Object{}, opErr("stat", key, fmt.Errorf("not a regular file: %w", ErrNotFound))
	}
	return fileObject(key, fi), nil
}

func fileObject(key string, fi fs.FileInfo) Object {
	return Object{Key: key, Size: fi.Size(), ETag: fmt.Sprintf(`"%x-%x"`, fi.ModTime().UnixNano(), fi.Size())}
}

// Delete implements Store.
func (f *File) Delete(ctx context.Context, key string) error {
	if err := CheckKey(key); err != nil {
		return opErr("delete", key, err)
	}
	if err := ctx.Err(); err != nil {
		return opErr("delete", key, err)
	}
	if err := f.root.Remove(key); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return opErr("delete", key, err)
	}
	return nil
}

// IsPermanent implements Store: local filesystem errors (permissions, no
// space, a file where a folder should be) do not go away on their own;
// only interrupted system calls are retried.
func (f *File) IsPermanent(err error) bool {
	if p, known := isPermanentCommon(err); known {
		return p
	}
	return !errors.Is(err, syscall.EINTR) && !errors.Is(err, syscall.EAGAIN)
}

func notFound(err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	return err
}

// ctxReader stops a copy when ctx is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
