package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/vpack-dev/vpack/encode"
)

// Title is one mezzanine file of a batch.
type Title struct {
	// ID names the title's package folder (<output>/<ID>) and its entry in
	// reports. It is made from the path relative to the mezzanine folder
	// (see Discover), so it stays the same from run to run and on every
	// worker.
	ID string `json:"id"`
	// Input is the file's path relative to the mezzanine folder, with
	// slashes.
	Input string `json:"input"`
	// Path is the file's path: the mezzanine folder joined with Input.
	Path    string    `json:"-"`
	Size    int64     `json:"-"`
	ModTime time.Time `json:"-"`
	// NeedsProbe is set for files whose extension says neither media nor
	// not-media: the batch probes them (only on the shard that owns them)
	// and keeps them only when ffprobe finds a video stream.
	NeedsProbe bool `json:"-"`
}

// ErrBadGlob is wrapped by Discover for an --include/--exclude pattern that
// cannot be compiled.
var ErrBadGlob = errors.New("bad pattern")

// mediaExts are containers vpack takes as titles without probing: a file
// with one of these extensions that turns out not to be media is a broken
// title, reported as failed.
var mediaExts = setOf(".mp4", ".m4v", ".mov", ".qt", ".mkv", ".webm", ".mxf", ".ts", ".m2ts", ".mts",
	".avi", ".mpg", ".mpeg", ".m2v", ".vob", ".y4m", ".flv", ".wmv", ".asf", ".3gp", ".ogv", ".dv",
	".264", ".h264", ".265", ".h265", ".hevc", ".ivf", ".nut")

// otherExts are files that live beside mezzanines and are never titles:
// sidecars, documents, pictures, checksums, and audio-only stems (a title
// needs a video stream). They are skipped without probing.
var otherExts = setOf(".txt", ".md", ".json", ".xml", ".yaml", ".yml", ".csv", ".tsv", ".pdf", ".doc",
	".docx", ".xls", ".xlsx", ".rtf", ".html", ".htm", ".nfo", ".log", ".ini", ".cfg", ".conf",
	".jpg", ".jpeg", ".png", ".gif", ".bmp", ".tif", ".tiff", ".webp", ".svg", ".psd", ".exr", ".dpx",
	".srt", ".vtt", ".scc", ".stl", ".ttml", ".dfxp", ".ass", ".ssa", ".sub", ".idx", ".cap",
	".md5", ".sha1", ".sha256", ".sfv", ".par2", ".torrent", ".zip", ".tar", ".gz", ".tgz", ".bz2",
	".xz", ".zst", ".7z", ".rar", ".sh", ".py", ".go", ".js", ".css", ".part", ".tmp", ".crdownload",
	".wav", ".aif", ".aiff", ".mp3", ".aac", ".m4a", ".flac", ".ogg", ".opus", ".ac3", ".ec3", ".eac3",
	".dts", ".w64", ".caf")

func setOf(xs ...string) map[string]bool {
	m := make(map[string]bool, len(xs))
	for _, x := range xs {
		m[x] = true
	}
	return m
}

// maxIDLen bounds a title ID (a folder name; file systems allow 255 bytes).
const maxIDLen = 150

// Discover lists the titles under dir, recursively, sorted by ID.
//
// Hidden files and folders (".name") are skipped, as are the folders in
// skip (the batch's output folder when it lies inside dir). Symlinks to
// files are followed; symlinks to folders are not. A file is a title when
// its extension is a video container (mediaExts), is skipped when it is a
// known sidecar, document, picture or audio-only extension (otherExts), and
// is marked NeedsProbe otherwise: ffprobe decides.
//
// include and exclude are globs: "*" and "?" stay within one path element,
// "**" crosses folders, "[...]" is a class. A pattern without a slash is
// matched against the file name at any depth ("*.mxf"), one with a slash
// against the path relative to dir ("shows/**/ep*.mov"). With includes, a
// file must match one of them; a file matching an exclude is skipped.
//
// A title's ID is its relative path without the extension, each element
// reduced to letters, digits, ".", "_" and "-" (other runs become "-"),
// joined with "__": "Shows/Ep 1.mov" → "Shows__Ep-1". IDs are unique
// without regard to case (file systems differ); files that would share one
// keep their extension ("movie_mov", "movie_mxf") and, if that is not
// enough, a hash of their path. An ID longer than maxIDLen is cut and
// given the same hash.
func Discover(ctx context.Context, dir string, include, exclude []string, skip ...string) ([]Title, error) {
	inc, err := compileGlobs(include)
	if err != nil {
		return nil, err
	}
	exc, err := compileGlobs(exclude)
	if err != nil {
		return nil, err
	}
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, &encode.InputError{Path: dir, Reason: "no such folder", Err: err}
	case err != nil:
		return nil, &encode.InputError{Path: dir, Reason: err.Error(), Err: err}
	case !fi.IsDir():
		return nil, &encode.InputError{Path: dir, Reason: "not a folder (vpack batch takes a folder of mezzanine files)"}
	}
	skipAbs := make(map[string]bool)
	for _, s := range skip {
		if abs, err := filepath.Abs(s); err == nil {
			skipAbs[abs] = true
		}
	}
	var titles []Title
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("discover %s: %w", p, err)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if p != dir && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			if abs, err := filepath.Abs(p); err == nil && skipAbs[abs] && p != dir {
				return fs.SkipDir
			}
			return nil
		}
		info, err := os.Stat(p) // follows a symlink to a file
		if err != nil || !info.Mode().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if len(inc) > 0 && !matchAny(inc, rel) || matchAny(exc, rel) {
			return nil
		}
		ext := strings.ToLower(path.Ext(rel))
		if otherExts[ext] {
			return nil
		}
		titles = append(titles, Title{Input: rel, Path: p, Size: info.Size(), ModTime: info.ModTime(),
			NeedsProbe: !mediaExts[ext]})
		return nil
	})
	if err != nil {
		return nil, err
	}
	assignIDs(titles)
	slices.SortFunc(titles, func(a, b Title) int { return strings.Compare(a.ID, b.ID) })
	return titles, nil
}

// assignIDs gives every title a unique ID (see Discover).
func assignIDs(titles []Title) {
	for i := range titles {
		titles[i].ID = titleID(titles[i].Input, false)
	}
	for _, withExt := range []bool{true, false} {
		groups := make(map[string][]int)
		for i, t := range titles {
			k := strings.ToLower(t.ID)
			groups[k] = append(groups[k], i)
		}
		for _, idx := range groups {
			if len(idx) < 2 {
				continue
			}
			for _, i := range idx {
				if withExt {
					titles[i].ID = titleID(titles[i].Input, true)
				} else {
					titles[i].ID = withHash(titles[i].ID, titles[i].Input)
				}
			}
		}
	}
}

// titleID makes an ID from a relative path (see Discover).
func titleID(rel string, keepExt bool) string {
	ext := path.Ext(rel)
	base := strings.TrimSuffix(rel, ext)
	if path.Base(base) == "" || strings.HasSuffix(base, "/") {
		base, ext = rel, "" // a name that is only an extension (".mov" is hidden anyway)
	}
	if keepExt && ext != "" {
		base += "_" + strings.TrimPrefix(ext, ".")
	}
	var parts []string
	for _, el := range strings.Split(base, "/") {
		parts = append(parts, sanitizeIDElement(el))
	}
	id := strings.Join(parts, "__")
	if len(id) > maxIDLen {
		id = withHash(id[:maxIDLen-9], rel)
	}
	return id
}

func withHash(id, rel string) string {
	sum := sha256.Sum256([]byte(rel))
	return id + "-" + hex.EncodeToString(sum[:4])
}

// sanitizeIDElement keeps [A-Za-z0-9._-], turns other runs into "-" and
// trims leading dots and dashes (no hidden names, nothing read as a flag).
func sanitizeIDElement(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range s {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-'
		if !ok {
			if !dash {
				b.WriteByte('-')
			}
			dash = true
			continue
		}
		b.WriteRune(r)
		dash = r == '-'
	}
	out := strings.TrimRight(strings.TrimLeft(b.String(), ".-"), "-")
	if out == "" {
		return "_"
	}
	return out
}

// glob is one compiled --include/--exclude pattern.
type glob struct {
	re       *regexp.Regexp
	baseOnly bool // no slash in the pattern: match the file name
}

// CheckGlob reports whether pattern is a valid --include/--exclude glob
// (see Discover); the error wraps ErrBadGlob.
func CheckGlob(pattern string) error {
	_, err := compileGlob(pattern)
	return err
}

func compileGlobs(patterns []string) ([]glob, error) {
	var out []glob
	for _, p := range patterns {
		g, err := compileGlob(p)
		if err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, nil
}

// compileGlob turns a pattern into an anchored regular expression.
func compileGlob(pat string) (glob, error) {
	if pat == "" {
		return glob{}, fmt.Errorf("%w: empty pattern", ErrBadGlob)
	}
	p := strings.TrimPrefix(filepath.ToSlash(pat), "./")
	var b strings.Builder
	b.WriteString("^")
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '*' && i+1 < len(p) && p[i+1] == '*':
			i++
			if i+1 < len(p) && p[i+1] == '/' {
				i++
				b.WriteString("(?:.*/)?") // "**/": zero or more folders
			} else {
				b.WriteString(".*")
			}
		case c == '*':
			b.WriteString("[^/]*")
		case c == '?':
			b.WriteString("[^/]")
		case c == '[':
			j := strings.IndexByte(p[i+1:], ']')
			if j < 0 {
				return glob{}, fmt.Errorf("%w %q: unclosed [", ErrBadGlob, pat)
			}
			class := p[i+1 : i+1+j]
			if strings.HasPrefix(class, "!") {
				class = "^" + class[1:]
			}
			if class == "" || class == "^" {
				return glob{}, fmt.Errorf("%w %q: empty []", ErrBadGlob, pat)
			}
			b.WriteString("[" + strings.ReplaceAll(class, `\`, `\\`) + "]")
			i += j + 1
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString("$")
	re, err := regexp.Compile(b.String())
	if err != nil {
		return glob{}, fmt.Errorf("%w %q: %v", ErrBadGlob, pat, err)
	}
	return glob{re: re, baseOnly: !strings.Contains(p, "/")}, nil
}

func (g glob) match(rel string) bool {
	if g.baseOnly {
		return g.re.MatchString(path.Base(rel))
	}
	return g.re.MatchString(rel)
}

func matchAny(gs []glob, rel string) bool {
	for _, g := range gs {
		if g.match(rel) {
			return true
		}
	}
	return false
}
