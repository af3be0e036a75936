package validate

import (
	"fmt"
	"net/url"
	"strings"
)

// resolver turns URIs found in manifests into root-relative names, and
// refuses those that leave the package root (RFC 3986 §5.2 resolution,
// but without its clamping of "../" at the top: climbing out is an error,
// never silently the root).
type resolver struct {
	remote bool
	root   *url.URL // remote only: scheme://host/dir/
}

// resolve resolves ref, found in the resource base (a root-relative name;
// a trailing slash makes it a folder, as a DASH BaseURL), to a
// root-relative name. Queries are kept for remote packages and refused
// for local ones; fragments are dropped.
func (r resolver) resolve(base, ref string) (string, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return "", fmt.Errorf("empty URI: %w", errBadURI)
	}
	u, err := url.Parse(ref)
	if err != nil {
		return "", fmt.Errorf("%q: %w", ref, errBadURI)
	}
	if u.Opaque != "" {
		return "", fmt.Errorf("%q is not a hierarchical URI: %w", ref, errEscape)
	}
	var p string
	switch {
	case u.Scheme != "" || u.Host != "":
		if !r.remote {
			return "", fmt.Errorf("%q is an absolute URL outside the package folder: %w", ref, errEscape)
		}
		if !strings.EqualFold(u.Scheme, r.root.Scheme) || !strings.EqualFold(u.Host, r.root.Host) {
			return "", fmt.Errorf("%q is on another host than %s: %w", ref, r.root.Host, errEscape)
		}
		if p, err = r.underRoot(ref, u.Path); err != nil {
			return "", err
		}
	case strings.HasPrefix(u.Path, "/"):
		if !r.remote {
			return "", fmt.Errorf("%q is an absolute path: %w", ref, errEscape)
		}
		if p, err = r.underRoot(ref, u.Path); err != nil {
			return "", err
		}
	default:
		dir := base[:strings.LastIndexByte(base, '/')+1]
		if p, err = cleanRelative(dir + u.Path); err != nil {
			return "", fmt.Errorf("%q from %s: %w", ref, orRoot(base), err)
		}
	}
	if u.RawQuery != "" {
		if !r.remote {
			return "", fmt.Errorf("%q has a query, which a file name cannot have: %w", ref, errBadURI)
		}
		p += "?" + u.RawQuery
	}
	return p, nil
}

func orRoot(base string) string {
	if base == "" {
		return "the root"
	}
	return base
}

// underRoot checks that the absolute path p is under the root URL's path
// and returns it relative to that.
func (r resolver) underRoot(ref, p string) (string, error) {
	clean, err := cleanRelative(strings.TrimPrefix(p, "/"))
	if err != nil {
		return "", fmt.Errorf("%q: %w", ref, err)
	}
	rootPath := strings.TrimPrefix(r.root.Path, "/")
	rel, ok := strings.CutPrefix(clean, rootPath)
	if !ok {
		return "", fmt.Errorf("%q is outside %s: %w", ref, r.root.Path, errEscape)
	}
	return rel, nil
}

// cleanRelative removes "." and ".." segments from a relative path and
// fails when ".." climbs above its start. A trailing slash is kept.
func cleanRelative(p string) (string, error) {
	segs := strings.Split(p, "/")
	out := make([]string, 0, len(segs))
	for i, s := range segs {
		switch s {
		case ".":
			if i == len(segs)-1 {
				out = append(out, "")
			}
		case "..":
			if len(out) == 0 {
				return "", fmt.Errorf("climbs out with ../: %w", errEscape)
			}
			out = out[:len(out)-1]
			if i == len(segs)-1 {
				out = append(out, "")
			}
		case "":
			if i == len(segs)-1 {
				out = append(out, "")
			}
		default:
			if strings.ContainsAny(s, "\\\x00") {
				return "", fmt.Errorf("%q: backslash or NUL in a path: %w", p, errBadURI)
			}
			out = append(out, s)
		}
	}
	return strings.Join(out, "/"), nil
}
