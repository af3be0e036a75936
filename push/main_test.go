package push_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vpack-dev/vpack/push"
	"github.com/vpack-dev/vpack/push/pushtest"
)

// TestMain doubles as the push child of TestPublishKilled: with
// VPACK_PUSH_CHILD set, the test binary publishes and gets killed.
func TestMain(m *testing.M) {
	if os.Getenv("VPACK_PUSH_CHILD") != "" {
		os.Exit(pushChild())
	}
	code := m.Run()
	pushtest.Cleanup()
	os.Exit(code)
}

// pushChild publishes VPACK_PUSH_CHILD_DIR to VPACK_PUSH_CHILD_ORIGIN.
// After VPACK_PUSH_CHILD_STOP_AFTER puts, the next put reads half its body,
// prints "stopped" and blocks until the parent kills the process.
func pushChild() int {
	stopAfter, _ := strconv.Atoi(os.Getenv("VPACK_PUSH_CHILD_STOP_AFTER"))
	ctx := context.Background()
	s, err := push.Open(ctx, os.Getenv("VPACK_PUSH_CHILD_ORIGIN"), push.OpenOptions{Retry: fastRetry})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	_, err = push.Publish(ctx, os.Getenv("VPACK_PUSH_CHILD_DIR"), &stopper{Store: s, after: int64(stopAfter)},
		push.PublishOptions{Concurrency: 2})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

type stopper struct {
	push.Store
	after int64
	n     atomic.Int64
}

func (s *stopper) Put(ctx context.Context, obj push.Object, body io.ReadSeeker) error {
	if s.n.Add(1) > s.after {
		return s.Store.Put(ctx, obj, &halfThenBlock{r: body, limit: obj.Size / 2})
	}
	return s.Store.Put(ctx, obj, body)
}

type halfThenBlock struct {
	r     io.ReadSeeker
	limit int64
	read  int64
}

var stopped atomic.Bool

func (h *halfThenBlock) Read(p []byte) (int, error) {
	if h.read >= h.limit {
		if stopped.CompareAndSwap(false, true) {
			fmt.Println("stopped")
		}
		time.Sleep(time.Hour) // until killed
	}
	p = p[:min(int64(len(p)), h.limit-h.read)]
	n, err := h.r.Read(p)
	h.read += int64(n)
	return n, err
}

func (h *halfThenBlock) Seek(off int64, whence int) (int64, error) { return h.r.Seek(off, whence) }
