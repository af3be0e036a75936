package pipeline

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
)

// logTailLines is how many log lines a failed title's report keeps.
const logTailLines = 20

// logTail keeps the last log lines of one title, for its failure record.
type logTail struct {
	mu    sync.Mutex
	lines []string
}

func (t *logTail) add(line string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.lines = append(t.lines, line)
	if len(t.lines) > logTailLines {
		t.lines = t.lines[len(t.lines)-logTailLines:]
	}
}

func (t *logTail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.Join(t.lines, "\n")
}

// tailHandler passes records to the batch's handler and keeps Info and
// above in a logTail (also when the batch's handler drops them, --quiet).
type tailHandler struct {
	inner slog.Handler
	tail  *logTail
	attrs []slog.Attr
	group string
}

func newTailHandler(inner slog.Handler, tail *logTail) *tailHandler {
	return &tailHandler{inner: inner, tail: tail}
}

func (h *tailHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelInfo || h.inner.Enabled(ctx, l)
}

func (h *tailHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Level >= slog.LevelInfo {
		var buf bytes.Buffer
		th := slog.Handler(slog.NewTextHandler(&buf, &slog.HandlerOptions{
			ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
				if len(groups) == 0 && a.Key == slog.TimeKey {
					return slog.Attr{}
				}
				return a
			},
		}))
		if len(h.attrs) > 0 {
			th = th.WithAttrs(h.attrs)
		}
		if h.group != "" {
			th = th.WithGroup(h.group)
		}
		if th.Handle(ctx, r) == nil {
			h.tail.add(strings.TrimSpace(buf.String()))
		}
	}
	if h.inner.Enabled(ctx, r.Level) {
		return h.inner.Handle(ctx, r)
	}
	return nil
}

func (h *tailHandler) WithAttrs(as []slog.Attr) slog.Handler {
	c := *h
	c.inner = h.inner.WithAttrs(as)
	if h.group == "" {
		c.attrs = append(append([]slog.Attr(nil), h.attrs...), as...)
	}
	return &c
}

func (h *tailHandler) WithGroup(name string) slog.Handler {
	c := *h
	c.inner = h.inner.WithGroup(name)
	if c.group == "" {
		c.group = name
	}
	return &c
}
