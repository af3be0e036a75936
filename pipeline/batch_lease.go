package pipeline

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"
)

// DefaultLeaseTTL is how long a title's lease outlives its last heartbeat.
// A worker renews its leases every quarter of it; a worker that stops
// renewing (killed, frozen, cut off from the shared folder) loses its
// titles to the next worker that wants them after this long. A dead worker
// on the same host is detected at once by its process ID.
const DefaultLeaseTTL = 2 * time.Minute

// leaseDir holds the leases, inside the output folder.
const leaseDir = ".vpack-batch/leases"

// LeaseHolder says who holds a title's lease.
type LeaseHolder struct {
	Token    string    `json:"token"` // random, per worker process
	Host     string    `json:"host"`
	PID      int       `json:"pid"`
	Acquired time.Time `json:"acquired"`
}

func (h LeaseHolder) String() string { return fmt.Sprintf("%s pid %d", h.Host, h.PID) }

// LeaseBusyError means another live worker holds the title: overlapping
// shards or a retried job. The title is left to it.
type LeaseBusyError struct {
	Title  string
	Holder LeaseHolder
}

func (e *LeaseBusyError) Error() string {
	return fmt.Sprintf("%s: being processed by %s", e.Title, e.Holder)
}

// ErrLeaseLost means a worker's lease was taken over before it could
// publish its work (it did not renew it within the TTL); the work is
// discarded, the other worker's result stands.
var ErrLeaseLost = errors.New("lease lost to another worker")

// lease is a worker's exclusive claim on one title: a small JSON file in
// <output>/.vpack-batch/leases/<id>.lease. It is created with link(2) from
// a complete temporary file, which is atomic and fails when the name
// exists, also on NFS, so at most one worker holds a title at a time. Its
// modification time is its heartbeat.
//
// A stale lease (holder dead on this host, or no heartbeat for the TTL) is
// removed only by the contender that first creates <id>.lease.steal (the
// same way), after checking that the lease is still the stale one it
// inspected; then every contender races to create the lease again and one
// wins.
type lease struct {
	path  string
	self  LeaseHolder
	ttl   time.Duration
	lost  atomic.Bool
	stop  chan struct{}
	ended chan struct{}
}

// newToken returns a random worker token.
func newToken() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// acquireLease takes the lease of title id in dir, or returns a
// *LeaseBusyError naming the live holder.
func acquireLease(dir, id string, self LeaseHolder, ttl time.Duration) (*lease, error) {
	if ttl <= 0 {
		ttl = DefaultLeaseTTL
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("lease %s: %w", id, err)
	}
	p := filepath.Join(dir, id+".lease")
	self.Acquired = time.Now().UTC()
	data, err := json.Marshal(self)
	if err != nil {
		return nil, err
	}
	var holder LeaseHolder
	for range 3 {
		err := linkNew(p, data)
		if err == nil {
			l := &lease{path: p, self: self, ttl: ttl, stop: make(chan struct{}), ended: make(chan struct{})}
			go l.heartbeat()
			return l, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("lease %s: %w", id, err)
		}
		var fi fs.FileInfo
		holder, fi, err = readLease(p)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			continue // released meanwhile
		case err != nil:
			return nil, fmt.Errorf("lease %s: %w", id, err)
		case !leaseStale(holder, fi, self.Host, ttl):
			return nil, &LeaseBusyError{Title: id, Holder: holder}
		}
		if err := removeStaleLease(p, holder.Token, data, ttl); err != nil {
			if errors.Is(err, fs.ErrExist) {
				return nil, &LeaseBusyError{Title: id, Holder: holder} // another worker is taking it over
			}
			return nil, fmt.Errorf("lease %s: take over: %w", id, err)
		}
	}
	return nil, &LeaseBusyError{Title: id, Holder: holder}
}

// removeStaleLease removes the lease p if it still has token, holding p.steal
// meanwhile; it fails with fs.ErrExist when another worker holds p.steal.
// A p.steal older than ttl (its worker died while taking over) is removed.
func removeStaleLease(p, token string, data []byte, ttl time.Duration) error {
	steal := p + ".steal"
	if err := linkNew(steal, data); err != nil {
		if fi, serr := os.Stat(steal); serr == nil && time.Since(fi.ModTime()) > ttl {
			_ = os.Remove(steal)
		}
		return err
	}
	defer os.Remove(steal)
	h, _, err := readLease(p)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return err
	case h.Token != token:
		return nil // replaced meanwhile; the next round looks again
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// linkNew writes data to a temporary file beside p and links it to p,
// failing with fs.ErrExist when p exists. On file systems without hard
// links (some FUSE and SMB mounts) it falls back to an exclusive create,
// which is as exclusive but shows an empty lease for an instant.
func linkNew(p string, data []byte) error {
	err := linkTemp(p, data)
	var le *os.LinkError
	if err == nil || errors.Is(err, fs.ErrExist) || !errors.As(err, &le) {
		return err
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	_, werr := f.Write(data)
	if err := errors.Join(werr, f.Sync(), f.Close()); err != nil {
		os.Remove(p)
		return err
	}
	return nil
}

func linkTemp(p string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(p), ".tmp-lease-")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Link(tmp.Name(), p)
}

// readLease reads a lease file; a file that does not parse (damaged) is
// reported as an anonymous holder, so only its age can free it.
func readLease(p string) (LeaseHolder, fs.FileInfo, error) {
	fi, err := os.Stat(p)
	if err != nil {
		return LeaseHolder{}, nil, err
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return LeaseHolder{}, nil, err
	}
	var h LeaseHolder
	if json.Unmarshal(data, &h) != nil {
		h = LeaseHolder{Host: "unknown"}
	}
	return h, fi, nil
}

// leaseStale reports whether a holder can be taken over: it did not renew
// the lease within ttl, or it was a process of this host that is gone.
func leaseStale(h LeaseHolder, fi fs.FileInfo, host string, ttl time.Duration) bool {
	if time.Since(fi.ModTime()) > ttl {
		return true
	}
	return h.Host == host && h.PID > 0 && !processAlive(h.PID)
}

// heartbeat renews the lease every quarter TTL until release, and notes
// when the file is no longer ours.
func (l *lease) heartbeat() {
	defer close(l.ended)
	t := time.NewTicker(l.ttl / 4)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
			if !l.held() {
				l.lost.Store(true)
				return
			}
			now := time.Now()
			_ = os.Chtimes(l.path, now, now)
		}
	}
}

// held reports whether the lease file is still this worker's.
func (l *lease) held() bool {
	if l.lost.Load() {
		return false
	}
	h, _, err := readLease(l.path)
	return err == nil && h.Token == l.self.Token
}

// release stops the heartbeat and removes the lease if it is still ours.
func (l *lease) release() error {
	close(l.stop)
	<-l.ended
	if !l.held() {
		return nil
	}
	if err := os.Remove(l.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("release lease: %w", err)
	}
	return nil
}
