package push

import (
	"context"
	"io"
	"sync"
	"time"
)

// limiter is a token bucket over bytes: at most rate bytes per second on
// average, in bursts of at most burst bytes (a tenth of a second's worth,
// 32 KiB at least).
type limiter struct {
	rate  float64
	burst float64
	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error

	mu     sync.Mutex
	tokens float64
	last   time.Time
}

func newLimiter(bytesPerSecond int64, now func() time.Time, sleep func(context.Context, time.Duration) error) *limiter {
	burst := max(float64(bytesPerSecond)/10, 32<<10)
	return &limiter{rate: float64(bytesPerSecond), burst: burst, now: now, sleep: sleep, tokens: burst, last: now()}
}

// wait takes n bytes' worth of tokens, sleeping until they are there.
func (l *limiter) wait(ctx context.Context, n int) error {
	l.mu.Lock()
	now := l.now()
	if el := now.Sub(l.last).Seconds(); el > 0 {
		l.tokens = min(l.burst, l.tokens+el*l.rate)
	}
	l.last = now
	l.tokens -= float64(n)
	var d time.Duration
	if l.tokens < 0 {
		d = time.Duration(-l.tokens / l.rate * float64(time.Second))
	}
	l.mu.Unlock()
	if d > 0 {
		return l.sleep(ctx, d)
	}
	return nil
}

// limitedReader reads through a limiter, in chunks no larger than a burst.
type limitedReader struct {
	ctx context.Context
	r   io.ReadSeeker
	l   *limiter
}

func (lr *limitedReader) Read(p []byte) (int, error) {
	if len(p) > int(lr.l.burst) {
		p = p[:int(lr.l.burst)]
	}
	n, err := lr.r.Read(p)
	if n > 0 {
		if werr := lr.l.wait(lr.ctx, n); werr != nil {
			return n, werr
		}
	}
	return n, err
}

func (lr *limitedReader) Seek(off int64, whence int) (int64, error) { return lr.r.Seek(off, whence) }
