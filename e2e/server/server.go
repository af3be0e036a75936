package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// clearKeyPrefix marks URLs whose playlists get the org.w3.clearkey key line
// hls.js needs (see addClearKeyLines). Relative URIs in a playlist keep the
// prefix, so one prefix on the multivariant playlist covers the whole package.
const clearKeyPrefix = "/ck/"

// identityPrefix, followed by a grant token and "/", marks URLs whose playlists
// get KEYFORMAT="identity" key lines pointing at /key/<token>/<kid>, the way
// shaka-player plays HLS with ClearKey (see identityLine).
const identityPrefix = "/ik/"

// maxLicenceBody bounds a licence request; a ClearKey request is a few hundred bytes.
const maxLicenceBody = 64 << 10

// mimeTypes maps file extensions to the Content-Type players expect
// (RFC 8216 §4 for playlists, ISO/IEC 23009-1 Annex C for the MPD,
// RFC 4337 / ISO/IEC 23000-19 for CMAF segments).
var mimeTypes = map[string]string{
	".m3u8": "application/vnd.apple.mpegurl",
	".mpd":  "application/dash+xml",
	".mp4":  "video/mp4",
	".m4v":  "video/mp4",
	".m4a":  "audio/mp4",
	".m4s":  "video/iso.segment",
	".cmfv": "video/mp4",
	".cmfa": "audio/mp4",
	".vtt":  "text/vtt; charset=utf-8",
	".html": "text/html; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".mjs":  "text/javascript; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".json": "application/json",
	".map":  "application/json",
	".png":  "image/png",
	".txt":  "text/plain; charset=utf-8",
}

// mimeType returns the Content-Type for a file name.
func mimeType(name string) string {
	if t, ok := mimeTypes[strings.ToLower(path.Ext(name))]; ok {
		return t
	}
	return "application/octet-stream"
}

// LicenceRequest is one ClearKey licence request the server answered, as
// reported by /_e2e/licences/<case>. KIDs are lowercase hex.
type LicenceRequest struct {
	Time      time.Time `json:"time"`
	Kind      string    `json:"kind"` // "clearkey" (a W3C licence) or "identity" (raw key bytes)
	Mode      string    `json:"mode"`
	KeyFile   string    `json:"key_file"`
	Requested []string  `json:"requested"`
	Answered  []string  `json:"answered"`
	Status    int       `json:"status"`
	Error     string    `json:"error,omitempty"`
}

// Server serves one folder for the player tests. It is an http.Handler.
type Server struct {
	// MaxRequests bounds the requests served; past it every request gets 503
	// and OnLimit is called once. Zero means no bound.
	MaxRequests int64
	OnLimit     func()

	root     string
	log      *slog.Logger
	requests atomic.Int64
	limitHit atomic.Bool

	mu       sync.Mutex
	licences map[string][]LicenceRequest
}

// NewServer serves the folder root. A nil log discards.
func NewServer(root string, log *slog.Logger) *Server {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Server{root: root, log: log, licences: map[string][]LicenceRequest{}}
}

// LimitReached reports whether MaxRequests was exceeded.
func (s *Server) LimitReached() bool { return s.limitHit.Load() }

// ServeHTTP routes a request; the routes are listed in the package doc.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := s.requests.Add(1)
	if s.MaxRequests > 0 && n > s.MaxRequests {
		if !s.limitHit.Swap(true) && s.OnLimit != nil {
			s.OnLimit()
		}
		http.Error(w, "request limit reached", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	p := r.URL.Path
	s.log.Debug("request", "method", r.Method, "path", p, "range", r.Header.Get("Range"))
	switch {
	case strings.HasPrefix(p, "/license/"):
		s.serveLicence(w, r, strings.TrimPrefix(p, "/license/"))
	case strings.HasPrefix(p, "/_e2e/licences/"):
		s.serveLicenceLog(w, r, strings.TrimPrefix(p, "/_e2e/licences/"))
	case strings.HasPrefix(p, clearKeyPrefix):
		s.serveFile(w, r, strings.TrimPrefix(p, clearKeyPrefix), addClearKeyLines)
	case strings.HasPrefix(p, identityPrefix):
		tok, name, _ := strings.Cut(strings.TrimPrefix(p, identityPrefix), "/")
		if _, err := parseGrant(tok); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		s.serveFile(w, r, name, func(b []byte) []byte {
			return addKeyLines(b, identityFormat, identityLine(func(kid ID16) string { return "/key/" + tok + "/" + kid.String() }))
		})
	case strings.HasPrefix(p, "/key/"):
		s.serveIdentityKey(w, r, strings.TrimPrefix(p, "/key/"))
	default:
		s.serveFile(w, r, strings.TrimPrefix(p, "/"), nil)
	}
}

// serveFile serves name (slash-separated, relative to the root) with Range
// support. A non-nil rewrite is applied to playlists (.m3u8).
func (s *Server) serveFile(w http.ResponseWriter, r *http.Request, name string, rewrite func([]byte) []byte) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	name = path.Clean("/" + name)[1:]
	if name == "" || strings.HasSuffix(name, "/") {
		http.NotFound(w, r)
		return
	}
	data, modTime, err := s.readFile(name)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			http.NotFound(w, r)
			return
		}
		s.log.Warn("read file", "path", name, "err", err)
		http.Error(w, "cannot read file", http.StatusInternalServerError)
		return
	}
	if rewrite != nil && path.Ext(name) == ".m3u8" {
		data = rewrite(data)
	}
	w.Header().Set("Content-Type", mimeType(name))
	http.ServeContent(w, r, name, modTime, bytes.NewReader(data))
}

// readFile reads a file under the root; os.Root refuses paths that leave it.
func (s *Server) readFile(name string) ([]byte, time.Time, error) {
	root, err := os.OpenRoot(s.root)
	if err != nil {
		return nil, time.Time{}, err
	}
	defer root.Close()
	f, err := root.Open(name)
	if err != nil {
		return nil, time.Time{}, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, time.Time{}, err
	}
	if st.IsDir() {
		return nil, time.Time{}, fs.ErrNotExist
	}
	data, err := io.ReadAll(f)
	return data, st.ModTime(), err
}

// serveLicence answers a W3C ClearKey licence request (Encrypted Media
// Extensions §9.1.4 "License Request Format", §9.1.5 "License Format").
func (s *Server) serveLicence(w http.ResponseWriter, r *http.Request, caseID string) {
	rec := LicenceRequest{Time: time.Now(), Kind: "clearkey", Mode: r.URL.Query().Get("mode"), KeyFile: r.URL.Query().Get("keys")}
	if rec.Mode == "" {
		rec.Mode = "ok"
	}
	status, body := s.answerLicence(r, &rec)
	rec.Status = status
	if caseID != "" {
		s.mu.Lock()
		s.licences[caseID] = append(s.licences[caseID], rec)
		s.mu.Unlock()
	}
	s.log.Info("licence", "case", caseID, "mode", rec.Mode, "requested", len(rec.Requested), "answered", len(rec.Answered), "status", status)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func (s *Server) answerLicence(r *http.Request, rec *LicenceRequest) (int, []byte) {
	fail := func(status int, err error) (int, []byte) {
		rec.Error = err.Error()
		b, _ := json.Marshal(map[string]string{"error": err.Error()})
		return status, b
	}
	if r.Method != http.MethodPost {
		return fail(http.StatusMethodNotAllowed, errors.New("licence requests are POST"))
	}
	if rec.Mode != "ok" && rec.Mode != "wrong" {
		return fail(http.StatusBadRequest, errors.New("mode must be ok or wrong"))
	}
	raw, err := io.ReadAll(io.LimitReader(r.Body, maxLicenceBody+1))
	if err != nil {
		return fail(http.StatusBadRequest, err)
	}
	if len(raw) > maxLicenceBody {
		return fail(http.StatusRequestEntityTooLarge, errors.New("licence request too large"))
	}
	kids, err := parseLicenceRequest(raw)
	if err != nil {
		return fail(http.StatusBadRequest, err)
	}
	for _, kid := range kids {
		rec.Requested = append(rec.Requested, kid.String())
	}
	keys, status, err := s.loadKeys(rec.KeyFile)
	if err != nil {
		return fail(status, err)
	}
	resp := licenceResponse(kids, keys, rec.Mode == "wrong")
	for _, k := range resp.Keys {
		id, _ := parseID16(k.KID)
		rec.Answered = append(rec.Answered, id.String())
	}
	if len(resp.Keys) == 0 {
		return fail(http.StatusNotFound, errors.New("no key for the requested KIDs"))
	}
	b, err := json.Marshal(resp)
	if err != nil {
		return fail(http.StatusInternalServerError, err)
	}
	return http.StatusOK, b
}

// loadKeys reads a key file under the root; the status is for a failure.
func (s *Server) loadKeys(keyFile string) ([]Key, int, error) {
	data, _, err := s.readFile(path.Clean("/" + keyFile)[1:])
	if err != nil {
		return nil, http.StatusNotFound, errors.New("key file " + keyFile + ": not found")
	}
	keys, err := parseKeyFile(data)
	if err != nil {
		return nil, http.StatusInternalServerError, err
	}
	return keys, 0, nil
}

// serveIdentityKey answers GET /key/<grant token>/<KID hex> with the 16 key
// bytes (inverted with mode "wrong"): the key URI of an identity key line.
// It is logged with the grant's case like a licence request.
func (s *Server) serveIdentityKey(w http.ResponseWriter, r *http.Request, rest string) {
	tok, kidStr, _ := strings.Cut(rest, "/")
	g, err := parseGrant(tok)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	rec := LicenceRequest{Time: time.Now(), Kind: "identity", Mode: g.Mode, KeyFile: g.KeyFile}
	status, body := func() (int, []byte) {
		if r.Method != http.MethodGet {
			return http.StatusMethodNotAllowed, nil
		}
		kid, err := parseID16(kidStr)
		if err != nil {
			rec.Error = err.Error()
			return http.StatusBadRequest, nil
		}
		rec.Requested = []string{kid.String()}
		keys, status, err := s.loadKeys(g.KeyFile)
		if err != nil {
			rec.Error = err.Error()
			return status, nil
		}
		resp := licenceResponse([]ID16{kid}, keys, g.Mode == "wrong")
		if len(resp.Keys) == 0 {
			rec.Error = "no key for the requested KID"
			return http.StatusNotFound, nil
		}
		rec.Answered = rec.Requested
		key, _ := parseID16(resp.Keys[0].K)
		return http.StatusOK, key[:]
	}()
	rec.Status = status
	s.mu.Lock()
	s.licences[g.Case] = append(s.licences[g.Case], rec)
	s.mu.Unlock()
	s.log.Info("identity key", "case", g.Case, "mode", g.Mode, "status", status)
	if status != http.StatusOK {
		http.Error(w, http.StatusText(status), status)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	_, _ = w.Write(body)
}

func (s *Server) serveLicenceLog(w http.ResponseWriter, r *http.Request, caseID string) {
	if r.Method != http.MethodGet {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	s.mu.Lock()
	recs := append([]LicenceRequest{}, s.licences[caseID]...)
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(recs)
}
