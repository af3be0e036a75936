package validate

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Default manifest names in a package folder, as the packager writes them.
const (
	MultivariantName = "master.m3u8"
	MPDName          = "manifest.mpd"
)

// Target validates what target names: an http(s) URL of a playlist or
// MPD (URL), a package folder (Dir) or a manifest file (File).
func Target(ctx context.Context, target string, opts Options) (*Report, error) {
	if strings.HasPrefix(target, "http://") || strings.HasPrefix(target, "https://") {
		return URL(ctx, target, opts)
	}
	st, err := os.Stat(target)
	if err != nil {
		return nil, fmt.Errorf("validate %s: %w", target, err)
	}
	if st.IsDir() {
		return Dir(ctx, target, opts)
	}
	return File(ctx, target, opts)
}

// Dir validates the package in folder dir: its multivariant playlist
// (master.m3u8) and MPD (manifest.mpd), every playlist and segment they
// reference, and HLS against DASH. Without those names it validates every
// multivariant playlist and MPD at the top of the folder. Nothing outside
// dir is ever read. The error is non-nil only when validation could not
// run (dir unreadable, ctx cancelled); problems with the package are
// findings in the report.
func Dir(ctx context.Context, dir string, opts Options) (*Report, error) {
	src, err := newFileSource(dir)
	if err != nil {
		return nil, fmt.Errorf("validate %s: %w", dir, err)
	}
	defer src.close()
	var hlsNames, dashNames []string
	for _, n := range []string{MultivariantName, MPDName} {
		if _, err := src.root.Stat(n); err == nil {
			if n == MPDName {
				dashNames = append(dashNames, n)
			} else {
				hlsNames = append(hlsNames, n)
			}
		}
	}
	if len(hlsNames)+len(dashNames) == 0 {
		entries, err := fs.ReadDir(src.root.FS(), ".")
		if err != nil {
			return nil, fmt.Errorf("validate %s: %w", dir, err)
		}
		for _, e := range entries {
			if e.IsDir() {
				continue
			}
			switch strings.ToLower(filepath.Ext(e.Name())) {
			case ".mpd":
				dashNames = append(dashNames, e.Name())
			case ".m3u8", ".m3u":
				head, _, err := src.read(ctx, e.Name(), 0, 1<<20, 1<<20)
				if err == nil && bytes.Contains(head, []byte("#EXT-X-STREAM-INF")) {
					hlsNames = append(hlsNames, e.Name())
				}
			}
		}
	}
	c := newChecker(ctx, src, opts.withDefaults(false))
	if len(hlsNames)+len(dashNames) == 0 {
		c.add(rPkgNoManifest, Location{File: "."}, "no %s or %s, and no other multivariant playlist or MPD at the top of %s", MultivariantName, MPDName, dir)
	}
	return c.run(dir, hlsNames, dashNames)
}

// File validates one manifest, a playlist (.m3u8) or an MPD (.mpd), and
// everything it references; its folder is the package root, which
// references may not leave.
func File(ctx context.Context, path string, opts Options) (*Report, error) {
	src, err := newFileSource(filepath.Dir(path))
	if err != nil {
		return nil, fmt.Errorf("validate %s: %w", path, err)
	}
	defer src.close()
	name := filepath.Base(path)
	head, _, err := src.read(ctx, name, 0, 4096, 4096)
	if err != nil {
		return nil, fmt.Errorf("validate %s: %w", path, readError(err))
	}
	c := newChecker(ctx, src, opts.withDefaults(false))
	if isMPD(name, head) {
		return c.run(path, nil, []string{name})
	}
	return c.run(path, []string{name}, nil)
}

// URL validates a playlist or MPD over HTTP(S) and everything it
// references under the same folder of the same host. Requests have a
// timeout and size limits, and at most Options.Concurrency run at once.
func URL(ctx context.Context, rawURL string, opts Options) (*Report, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" || u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("validate %s: not an http(s) URL", rawURL)
	}
	opts = opts.withDefaults(true)
	src, name := newHTTPSource(u, opts)
	defer src.close()
	head, _, err := src.read(ctx, name, 0, 4096, opts.MaxManifestBytes)
	if err != nil {
		return nil, fmt.Errorf("validate %s: %w", rawURL, readError(err))
	}
	c := newChecker(ctx, src, opts)
	if isMPD(name, head) {
		return c.run(rawURL, nil, []string{name})
	}
	return c.run(rawURL, []string{name}, nil)
}

func readError(err error) error {
	if errors.Is(err, errNotFound) {
		return fs.ErrNotExist
	}
	return err
}

// isMPD tells an MPD from a playlist by extension, else by content.
func isMPD(name string, head []byte) bool {
	p, _, _ := strings.Cut(name, "?")
	switch strings.ToLower(filepath.Ext(p)) {
	case ".mpd":
		return true
	case ".m3u8", ".m3u":
		return false
	}
	return !bytes.HasPrefix(bytes.TrimLeft(head, "\xef\xbb\xbf \r\n\t"), []byte("#EXTM3U")) && bytes.Contains(head, []byte("<MPD"))
}

// run validates the manifests and what they reference, and builds the
// report.
func (c *checker) run(target string, hlsNames, dashNames []string) (*Report, error) {
	var hps []*hlsPackage
	var dps []*dashPackage
	var tracks []*trackRef
	var plains []*plainTrack
	for _, n := range hlsNames {
		c.safely(c.at(n), "HLS", func() {
			if hp := c.readHLS(n); hp != nil {
				hps = append(hps, hp)
				tracks = append(tracks, hp.tracks()...)
				plains = append(plains, hp.plainTracks()...)
			}
		})
	}
	for _, n := range dashNames {
		c.safely(c.at(n), "DASH", func() {
			if dp := c.readDASH(n); dp != nil {
				dps = append(dps, dp)
				tracks = append(tracks, dp.tracks()...)
				plains = append(plains, dp.plainTracks()...)
			}
		})
	}
	if err := c.ctx.Err(); err != nil {
		return nil, err
	}
	log := c.opts.Log.With("target", target)
	log.Debug("manifests read", "hls", len(hps), "dash", len(dps), "tracks", len(tracks))
	start := time.Now()
	if err := c.loadMedia(tracks, plains); err != nil {
		return nil, err
	}
	log.Debug("media read", "init_segments", c.stats.InitSegments, "segments", c.stats.Segments,
		"bytes", c.src.bytesRead(), "elapsed", time.Since(start).Round(time.Millisecond))
	for _, hp := range hps {
		c.safely(c.at(hp.name), "HLS media", func() { c.checkHLSMedia(hp) })
	}
	for _, dp := range dps {
		c.safely(c.at(dp.name), "DASH media", func() { c.checkDASHMedia(dp) })
	}
	if len(c.opts.Keys) > 0 {
		done := make(map[string]bool)
		for _, t := range tracks {
			if k := t.key(); !done[k] {
				done[k] = true
				c.checkSamples(t)
			}
		}
	}
	c.safely(Location{}, "pssh", c.checkInitPssh)
	if len(hps) == 1 && len(dps) == 1 && hps[0].master != nil {
		c.safely(c.at(hps[0].name), "HLS against DASH", func() { c.crossCheck(hps[0], dps[0]) })
	}
	if err := c.ctx.Err(); err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	r := &Report{Target: target, Findings: sortFindings(slices.Clone(c.findings)), Stats: c.stats}
	r.Stats.BytesRead = c.src.bytesRead()
	log.Debug("validated", "errors", r.Count(Error), "warnings", r.Count(Warning), "infos", r.Count(Info))
	return r, nil
}

// safely runs one phase, turning a panic into a finding.
func (c *checker) safely(loc Location, what string, fn func()) {
	defer c.guard(loc, what)
	fn()
}
