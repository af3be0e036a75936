package pushtest

import (
	"context"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// Fault is a kind of failure the proxy injects.
type Fault int

const (
	// Fault5xx answers 500, 502 or 503 without forwarding (or, half the
	// time, after forwarding: the server did the work, the client does
	// not know).
	Fault5xx Fault = iota
	// FaultReset closes the client's connection with a TCP RST, before or
	// after forwarding.
	FaultReset
	// FaultTimeout holds the request without answering until the client
	// gives up or Faults.Hold passes, then drops the connection.
	FaultTimeout
	// FaultTruncate cuts a body short: an upload reaches the server
	// truncated (and the client's connection is reset), a download
	// reaches the client truncated under a full Content-Length.
	FaultTruncate
	// FaultSlow forwards the request but moves the bodies in small chunks
	// with pauses (slow reads and writes).
	FaultSlow
	numFaults
)

var faultNames = []string{"5xx", "reset", "timeout", "truncate", "slow"}

func (f Fault) String() string { return faultNames[f] }

// Faults configure a FaultProxy. Injection is random but seeded, and
// bounded: at most Max faults, each held at most Hold.
type Faults struct {
	Seed uint64
	// Rate is the share of requests that get a fault, 0..1.
	Rate float64
	// Max bounds the faults injected in all; after that the proxy only
	// forwards. Zero means 50.
	Max int
	// Kinds are the faults to draw from; nil means all.
	Kinds []Fault
	// Hold bounds FaultTimeout; zero means 2s.
	Hold time.Duration
	// SlowChunk and SlowPause shape FaultSlow; zero means 16 KiB and 2ms.
	SlowChunk int
	SlowPause time.Duration
}

// FaultProxy is an HTTP proxy on 127.0.0.1 that forwards to one upstream
// server (nginx, versitygw, an httptest server) and injects faults. The
// Host header is kept, so S3 request signatures stay valid.
type FaultProxy struct {
	URL string // http://127.0.0.1:port

	target string
	f      Faults
	srv    *http.Server
	tr     *http.Transport

	mu       sync.Mutex
	rng      *rand.Rand
	injected [numFaults]int
	total    int
	requests int
}

// NewFaultProxy starts a proxy to target (http://host:port) and stops it
// when the test ends.
func NewFaultProxy(t testing.TB, target string, f Faults) *FaultProxy {
	t.Helper()
	if f.Max == 0 {
		f.Max = 50
	}
	if f.Kinds == nil {
		for k := range numFaults {
			f.Kinds = append(f.Kinds, k)
		}
	}
	if f.Hold == 0 {
		f.Hold = 2 * time.Second
	}
	if f.SlowChunk == 0 {
		f.SlowChunk = 16 << 10
	}
	if f.SlowPause == 0 {
		f.SlowPause = 2 * time.Millisecond
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &FaultProxy{
		URL: "http://" + ln.Addr().String(), target: strings.TrimSuffix(target, "/"), f: f,
		rng: rand.New(rand.NewPCG(f.Seed, f.Seed+1)),
		tr: &http.Transport{Proxy: nil, DisableCompression: true, MaxIdleConnsPerHost: 32,
			ResponseHeaderTimeout: 30 * time.Second},
	}
	p.srv = &http.Server{Handler: p, ReadHeaderTimeout: 10 * time.Second}
	go p.srv.Serve(ln)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = p.srv.Shutdown(ctx)
		p.srv.Close()
		p.tr.CloseIdleConnections()
	})
	return p
}

// Injected returns how many faults of each kind were injected, by name,
// and the number of requests seen.
func (p *FaultProxy) Injected() (map[string]int, int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	m := make(map[string]int)
	for k, n := range p.injected {
		if n > 0 {
			m[Fault(k).String()] = n
		}
	}
	return m, p.requests
}

// Total is the number of faults injected.
func (p *FaultProxy) Total() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.total
}

// draw decides the fate of one request: a fault, or -1; and a coin.
func (p *FaultProxy) draw() (Fault, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.requests++
	coin := p.rng.IntN(2) == 0
	if p.total >= p.f.Max || p.rng.Float64() >= p.f.Rate {
		return -1, coin
	}
	k := p.f.Kinds[p.rng.IntN(len(p.f.Kinds))]
	p.injected[k]++
	p.total++
	return k, coin
}

func (p *FaultProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	fault, coin := p.draw()
	switch fault {
	case Fault5xx:
		if coin {
			resp, err := p.forward(r, r.Body)
			if err == nil {
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		} else {
			_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, 1<<20))
		}
		code := []int{500, 502, 503}[int(r.ContentLength&1)+boolInt(coin)]
		http.Error(w, "injected fault", code)
		return
	case FaultReset:
		if coin {
			if resp, err := p.forward(r, r.Body); err == nil {
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}
		reset(w)
		return
	case FaultTimeout:
		t := time.NewTimer(p.f.Hold)
		defer t.Stop()
		select {
		case <-r.Context().Done():
		case <-t.C:
		}
		reset(w)
		return
	case FaultTruncate:
		if r.ContentLength > 1 {
			// The server gets half the declared body, then EOF.
			if resp, err := p.forward(r, io.LimitReader(r.Body, r.ContentLength/2)); err == nil {
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
			reset(w)
			return
		}
		resp, err := p.forward(r, r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		copyHeader(w.Header(), resp.Header)
		w.WriteHeader(resp.StatusCode)
		if resp.ContentLength > 1 && r.Method != http.MethodHead {
			_, _ = io.CopyN(w, resp.Body, resp.ContentLength/2)
			panic(http.ErrAbortHandler) // drop the connection mid-body
		}
		_, _ = io.Copy(w, resp.Body)
		return
	}
	slow := fault == FaultSlow
	var body io.Reader = r.Body
	if slow {
		body = &slowReader{r: r.Body, chunk: p.f.SlowChunk, pause: p.f.SlowPause}
	}
	resp, err := p.forward(r, body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	copyHeader(w.Header(), resp.Header)
	w.WriteHeader(resp.StatusCode)
	var rb io.Reader = resp.Body
	if slow {
		rb = &slowReader{r: resp.Body, chunk: p.f.SlowChunk, pause: p.f.SlowPause}
	}
	_, _ = io.Copy(w, rb)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// forward sends r upstream with body, keeping the Host header.
func (p *FaultProxy) forward(r *http.Request, body io.Reader) (*http.Response, error) {
	out, err := http.NewRequestWithContext(r.Context(), r.Method, p.target+r.URL.RequestURI(), body)
	if err != nil {
		return nil, err
	}
	copyHeader(out.Header, r.Header)
	out.Header.Del("Expect")
	out.Host = r.Host
	out.ContentLength = r.ContentLength
	if r.ContentLength == 0 && body != nil {
		out.Body = http.NoBody
	}
	if r.ContentLength < 0 {
		out.TransferEncoding = []string{"chunked"}
	}
	return p.tr.RoundTrip(out)
}

var hopHeaders = map[string]bool{
	"Connection": true, "Keep-Alive": true, "Proxy-Connection": true, "Transfer-Encoding": true,
	"Te": true, "Trailer": true, "Upgrade": true, "Content-Length": true,
}

func copyHeader(dst, src http.Header) {
	for k, vs := range src {
		if hopHeaders[http.CanonicalHeaderKey(k)] {
			continue
		}
		dst[k] = append([]string(nil), vs...)
	}
	if cl := src.Get("Content-Length"); cl != "" {
		dst.Set("Content-Length", cl)
	}
}

// reset closes the client connection with RST (SO_LINGER 0).
func reset(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	conn.Close()
}

type slowReader struct {
	r     io.Reader
	chunk int
	pause time.Duration
}

func (s *slowReader) Read(b []byte) (int, error) {
	time.Sleep(s.pause)
	if len(b) > s.chunk {
		b = b[:s.chunk]
	}
	return s.r.Read(b)
}
