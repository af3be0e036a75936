package push

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"os"
	"path"
	"slices"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/vpack-dev/vpack/manifest"
)

// SummaryFile is the packager's summary in a package folder (the file
// packager.Run writes as packager.SummaryFile).
const SummaryFile = "package.json"

// Summary is the part of package.json (packager.Summary, schema version 1)
// that publishing reads: the tracks and the files each one owns. push
// reads the file, not the packager's Go type, so that it depends on the
// file format only; a test checks the two agree.
type Summary struct {
	Version int            `json:"version"`
	Tracks  []SummaryTrack `json:"tracks"`
}

// SummaryTrack is one track of package.json.
type SummaryTrack struct {
	ID            string `json:"id"`
	Type          string `json:"type"` // video, audio
	BandwidthBps  int64  `json:"bandwidth_bps"`
	Segments      int    `json:"segments"`
	Init          string `json:"init,omitempty"`
	Media         string `json:"media,omitempty"`
	Playlist      string `json:"playlist"`
	FirstSegment  string `json:"first_segment,omitempty"`
	SegmentFormat string `json:"segment_format,omitempty"` // "video/<id>/seg-%05d.m4s", numbered from 1
}

// Class orders publishing: every object of a class is stored and verified
// before the first object of the next class is written, so a player never
// sees a manifest that points at a missing object.
type Class int

const (
	// ClassMedia: init segments, media segments, single-file media and any
	// other file no manifest lists.
	ClassMedia Class = iota
	// ClassPlaylist: HLS media and I-frame playlists.
	ClassPlaylist
	// ClassManifest: multivariant playlists, MPDs and package.json, last.
	ClassManifest
)

var classNames = []string{"media", "playlist", "manifest"}

func (c Class) String() string {
	if c >= 0 && int(c) < len(classNames) {
		return classNames[c]
	}
	return fmt.Sprintf("class(%d)", int(c))
}

// MarshalText writes the class by name.
func (c Class) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// UnmarshalText reads a class name.
func (c *Class) UnmarshalText(b []byte) error {
	i := slices.Index(classNames, string(b))
	if i < 0 {
		return fmt.Errorf("unknown object class %q", b)
	}
	*c = Class(i)
	return nil
}

// Entry is one file of a package, as it is published.
type Entry struct {
	Key          string `json:"key"`
	Size         int64  `json:"size"`
	SHA256       string `json:"sha256"`
	Class        Class  `json:"class"`
	Track        string `json:"track,omitempty"` // owning track (rendition) ID, "" for shared files
	ContentType  string `json:"content_type"`
	CacheControl string `json:"cache_control,omitempty"`
}

// Track is one rendition of a package, with the bytes of every file it
// owns (init, segments, playlists): what an edge needs to hold it.
type Track struct {
	ID           string `json:"id"`
	Type         string `json:"type"` // video, audio, text
	BandwidthBps int64  `json:"bandwidth_bps"`
	Bytes        int64  `json:"bytes"`
	Objects      int    `json:"objects"`
}

// Package is a package folder read for publishing: every file with its
// hash, class and owner.
type Package struct {
	Dir     string
	Files   []Entry // by class, then key
	Tracks  []Track
	Summary Summary
	root    *os.Root
}

// PackageError is a package folder that cannot be published: missing, not
// a folder, half-written (no package.json, a manifest naming a missing
// file), or with a symlink leading out of it.
type PackageError struct {
	Dir string
	Err error
}

func (e *PackageError) Error() string { return e.Dir + ": " + e.Err.Error() }
func (e *PackageError) Unwrap() error { return e.Err }

// InputFile names the folder the user gave; the CLI maps such errors to
// its bad-input exit code.
func (e *PackageError) InputFile() string { return e.Dir }

// ErrIncomplete is wrapped by PackageError for a folder without
// package.json or with manifests that name missing files: a package that
// vpack package did not finish.
var ErrIncomplete = errors.New("not a complete package")

// ReadPackage reads the package folder dir: package.json (the packager's
// Summary), the manifests (manifest.ReadHLS on master.m3u8, ReadDASH on
// every .mpd) and the SHA-256 of every file. Which track owns which file
// comes from the manifests and package.json, never from path patterns.
//
// Hidden files (".name", the packager's temporary files among them) are
// skipped. Symlinks are followed only while they stay inside dir (os.Root);
// one leading out is an error, as is a manifest URI that leaves the folder.
func ReadPackage(ctx context.Context, dir string) (*Package, error) {
	perr := func(err error) error { return &PackageError{Dir: dir, Err: err} }
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, perr(errors.New("no such folder"))
	case err != nil:
		return nil, perr(err)
	case !fi.IsDir():
		return nil, perr(errors.New("not a folder"))
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, perr(err)
	}
	p := &Package{Dir: dir, root: root}
	data, err := root.ReadFile(SummaryFile)
	if errors.Is(err, fs.ErrNotExist) {
		root.Close()
		return nil, perr(fmt.Errorf("no %s: %w (run vpack package, or wait for it to finish)", SummaryFile, ErrIncomplete))
	}
	if err == nil {
		err = json.Unmarshal(data, &p.Summary)
	}
	if err != nil {
		root.Close()
		return nil, perr(fmt.Errorf("%s: %w", SummaryFile, err))
	}
	if err := p.walk(ctx); err != nil {
		root.Close()
		return nil, perr(err)
	}
	if err := p.assign(); err != nil {
		root.Close()
		return nil, perr(err)
	}
	return p, nil
}

// Close releases the folder.
func (p *Package) Close() error { return p.root.Close() }

// Open opens the file of key for reading.
func (p *Package) Open(key string) (*os.File, error) { return p.root.Open(key) }

// Bytes is the size of every file.
func (p *Package) Bytes() int64 {
	var n int64
	for _, f := range p.Files {
		n += f.Size
	}
	return n
}

// walk lists and hashes every file.
func (p *Package) walk(ctx context.Context) error {
	var keys []string
	err := fs.WalkDir(p.root.FS(), ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if name == "." {
			return nil
		}
		if strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		switch {
		case d.IsDir():
			return nil
		case d.Type()&fs.ModeSymlink != 0:
			fi, err := p.root.Stat(name) // follows the link only inside the root
			if err != nil {
				return fmt.Errorf("%s: symlink leads out of the package or nowhere: %w", name, err)
			}
			if !fi.Mode().IsRegular() {
				return fmt.Errorf("%s: symlinked folders are not followed", name)
			}
		case !d.Type().IsRegular():
			return fmt.Errorf("%s: not a regular file", name)
		}
		if err := CheckKey(name); err != nil {
			return err
		}
		keys = append(keys, name)
		return nil
	})
	if err != nil {
		return err
	}
	p.Files = make([]Entry, len(keys))
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(4)
	for i, key := range keys {
		g.Go(func() error {
			if err := ctx.Err(); err != nil {
				return err
			}
			size, sum, err := hashFile(p.root, key)
			if err != nil {
				return fmt.Errorf("%s: %w", key, err)
			}
			p.Files[i] = Entry{Key: key, Size: size, SHA256: sum}
			return nil
		})
	}
	return g.Wait()
}

func hashFile(root *os.Root, key string) (int64, string, error) {
	f, err := root.Open(key)
	if err != nil {
		return 0, "", err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return 0, "", err
	}
	return n, hex.EncodeToString(h.Sum(nil)), nil
}

// assign sets every file's class, owning track and content type, and
// checks that every file the manifests and package.json name exists.
func (p *Package) assign() error {
	byKey := make(map[string]*Entry, len(p.Files))
	for i := range p.Files {
		byKey[p.Files[i].Key] = &p.Files[i]
	}
	owner := make(map[string]string)
	claim := func(src, id, uri string) error {
		if uri == "" {
			return nil
		}
		if byKey[uri] == nil {
			return fmt.Errorf("%s names %s, which is missing: %w", src, uri, ErrIncomplete)
		}
		if _, ok := owner[uri]; !ok {
			owner[uri] = id
		}
		return nil
	}

	tracks := make(map[string]*Track)
	var order []string
	for _, ts := range p.Summary.Tracks {
		if _, dup := tracks[ts.ID]; dup || ts.ID == "" {
			return fmt.Errorf("%s: track ID %q is empty or repeated", SummaryFile, ts.ID)
		}
		tracks[ts.ID] = &Track{ID: ts.ID, Type: ts.Type, BandwidthBps: ts.BandwidthBps}
		order = append(order, ts.ID)
		src := SummaryFile
		for _, u := range []string{ts.Init, ts.Media, ts.Playlist, ts.FirstSegment} {
			if err := claim(src, ts.ID, u); err != nil {
				return err
			}
		}
		if ts.SegmentFormat != "" && strings.Count(ts.SegmentFormat, "%") == 1 {
			for n := 1; n <= ts.Segments; n++ {
				if err := claim(src, ts.ID, fmt.Sprintf(ts.SegmentFormat, n)); err != nil {
					return err
				}
			}
		}
	}
	// summaryID finds the package.json track a manifest track is, by the
	// files both name, then by ID.
	summaryID := func(t *manifest.Track) string {
		for _, ts := range p.Summary.Tracks {
			if (t.PlaylistURI != "" && t.PlaylistURI == ts.Playlist) || (t.InitURI != "" && t.InitURI == ts.Init) ||
				(t.MediaURI != "" && t.MediaURI == ts.Media) {
				return ts.ID
			}
		}
		for _, ts := range p.Summary.Tracks {
			if ts.ID == t.ID {
				return ts.ID
			}
		}
		return t.ID
	}
	claimTracks := func(src string, pres *manifest.Presentation) error {
		for i := range pres.Tracks {
			t := &pres.Tracks[i]
			id := summaryID(t)
			if tracks[id] == nil {
				tracks[id] = &Track{ID: id, Type: string(t.Type), BandwidthBps: t.BandwidthBps}
				order = append(order, id)
			}
			uris := []string{t.InitURI, t.MediaURI, t.PlaylistURI, t.IFramePlaylistURI}
			for _, s := range t.Segments {
				uris = append(uris, s.URI)
			}
			for _, f := range t.IFrames {
				uris = append(uris, f.URI)
			}
			for _, u := range uris {
				if err := claim(src, id, u); err != nil {
					return err
				}
			}
		}
		return nil
	}

	for i := range p.Files {
		f := &p.Files[i]
		switch ext := path.Ext(f.Key); {
		case f.Key == SummaryFile, ext == ".mpd":
			f.Class = ClassManifest
		case ext == ".m3u8":
			data, err := p.root.ReadFile(f.Key)
			if err != nil {
				return err
			}
			f.Class = ClassPlaylist
			if bytes.Contains(data, []byte("#EXT-X-STREAM-INF")) {
				f.Class = ClassManifest
			}
		}
	}
	for _, f := range p.Files {
		if f.Class != ClassManifest {
			continue
		}
		switch path.Ext(f.Key) {
		case ".m3u8":
			pres, err := manifest.ReadHLS(p.root.FS(), f.Key)
			if err != nil {
				return fmt.Errorf("%w (%w)", err, ErrIncomplete)
			}
			if err := claimTracks(f.Key, pres); err != nil {
				return err
			}
		case ".mpd":
			data, err := p.root.ReadFile(f.Key)
			if err != nil {
				return err
			}
			pres, err := manifest.ReadDASH(data)
			if err != nil {
				return fmt.Errorf("%s: %w (%w)", f.Key, err, ErrIncomplete)
			}
			if dir := path.Dir(f.Key); dir != "." {
				for i := range pres.Tracks {
					rebase(&pres.Tracks[i], dir)
				}
			}
			if err := claimTracks(f.Key, pres); err != nil {
				return err
			}
		}
	}

	typeOf := make(map[string]string)
	for i := range p.Files {
		f := &p.Files[i]
		f.Track = owner[f.Key]
		if t := tracks[f.Track]; t != nil {
			t.Bytes += f.Size
			t.Objects++
			typeOf[f.Key] = t.Type
		}
		f.ContentType = contentType(f.Key, typeOf[f.Key])
	}
	for _, id := range order {
		p.Tracks = append(p.Tracks, *tracks[id])
	}
	slices.SortStableFunc(p.Files, func(a, b Entry) int {
		if a.Class != b.Class {
			return int(a.Class - b.Class)
		}
		return strings.Compare(a.Key, b.Key)
	})
	return nil
}

// rebase makes the URIs of a track read from an MPD in folder dir
// relative to the package root.
func rebase(t *manifest.Track, dir string) {
	j := func(u string) string {
		if u == "" {
			return ""
		}
		return path.Join(dir, u)
	}
	t.InitURI, t.MediaURI = j(t.InitURI), j(t.MediaURI)
	for i := range t.Segments {
		t.Segments[i].URI = j(t.Segments[i].URI)
	}
}

// contentType is the Content-Type a file is served with: HLS playlists
// (RFC 8216 §4), MPDs (ISO/IEC 23009-1 Annex C), CMAF segments
// (video/iso.segment) and init segments or single files by track type.
func contentType(key, trackType string) string {
	switch path.Ext(key) {
	case ".m3u8":
		return "application/vnd.apple.mpegurl"
	case ".mpd":
		return "application/dash+xml"
	case ".m4s", ".cmfv", ".cmfa", ".cmft":
		return "video/iso.segment"
	case ".mp4", ".m4v", ".m4a", ".cmf":
		if trackType == "audio" {
			return "audio/mp4"
		}
		return "video/mp4"
	case ".json":
		return "application/json"
	case ".vtt":
		return "text/vtt"
	}
	if t := mime.TypeByExtension(path.Ext(key)); t != "" {
		return t
	}
	return "application/octet-stream"
}
