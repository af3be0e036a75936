package manifest

import (
	"errors"
	"fmt"
	"path"
	"strings"
)

// errBadURI is wrapped by every URI the model or a manifest gives that
// cannot be a clean path relative to the output root.
var errBadURI = errors.New("not a clean relative path")

// checkURI accepts the URIs of the model: clean, slash-separated paths
// relative to the folder of the multivariant playlist / MPD, which never
// climb out of it. Quotes and line breaks are refused too, since they would
// end an HLS quoted-string or line.
func checkURI(u string) error {
	switch {
	case u == "":
		return fmt.Errorf("empty URI: %w", errBadURI)
	case strings.HasPrefix(u, "/"), strings.Contains(u, "://"), strings.Contains(u, `\`):
		return fmt.Errorf("%q is absolute: %w", u, errBadURI)
	case path.Clean(u) != u, u == "..", strings.HasPrefix(u, "../"), u == ".":
		return fmt.Errorf("%q: %w", u, errBadURI)
	}
	if err := checkText(u); err != nil {
		return fmt.Errorf("URI %w", err)
	}
	return nil
}

// checkText refuses characters that cannot appear in an HLS quoted-string
// (RFC 8216 §4.2) or a playlist line: double quotes and control characters.
func checkText(s string) error {
	for _, r := range s {
		if r == '"' || r < 0x20 || r == 0x7f {
			return fmt.Errorf("%q contains a quote or control character", s)
		}
	}
	return nil
}

// relURI returns target (relative to the root) as seen from the folder dir
// (also relative to the root, "." for the root itself): the form URIs take
// inside a media playlist, which RFC 8216 §4.1 resolves against the
// playlist's own URI.
func relURI(dir, target string) string {
	if dir == "." || dir == "" {
		return target
	}
	from := strings.Split(dir, "/")
	to := strings.Split(target, "/")
	i := 0
	for i < len(from) && i < len(to)-1 && from[i] == to[i] {
		i++
	}
	parts := make([]string, 0, len(from)-i+len(to)-i)
	for range from[i:] {
		parts = append(parts, "..")
	}
	parts = append(parts, to[i:]...)
	return strings.Join(parts, "/")
}

// resolveURI resolves ref, found in a manifest in folder dir (relative to
// the root), to a clean root-relative path. It refuses absolute URLs and
// paths that climb out of the root: the model and fs.FS only address files
// under the root.
func resolveURI(dir, ref string) (string, error) {
	if ref == "" {
		return "", fmt.Errorf("empty URI: %w", errBadURI)
	}
	if strings.HasPrefix(ref, "/") || strings.Contains(ref, "://") || strings.ContainsAny(ref, `\?#`) {
		return "", fmt.Errorf("%q is absolute or has a query: %w", ref, errBadURI)
	}
	if err := checkText(ref); err != nil {
		return "", fmt.Errorf("URI %w", err)
	}
	u := path.Join(dir, ref)
	if u == "." || u == ".." || strings.HasPrefix(u, "../") {
		return "", fmt.Errorf("%q leaves the root: %w", ref, errBadURI)
	}
	return u, nil
}
