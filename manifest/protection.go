package manifest

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// Protection says how a track is encrypted with Common Encryption
// (ISO/IEC 23001-7) and how each DRM system learns about its key. Tracks
// without it are clear.
type Protection struct {
	Scheme     string // "cenc" or "cbcs"
	DefaultKID string // tenc default_KID as a UUID, lowercase with dashes
	// ClearSegments is how many leading segments are left clear (clear
	// lead): the HLS EXT-X-KEY tags come before the first encrypted one.
	ClearSegments int
	Systems       []ProtectionSystem
}

// ProtectionSystem is the signalling of one DRM system for a track's key.
type ProtectionSystem struct {
	SystemID string // UUID, lowercase: DASH schemeIdUri "urn:uuid:<SystemID>"
	Name     string // DASH ContentProtection@value: "Widevine", "MSPR 2.0", "ClearKey1.0", "FairPlay"; may be empty

	// DASH: the pssh box (cenc:pssh), the PlayReady Object (mspr:pro) and a
	// licence URL (dashif:Laurl), each written when set.
	PSSH         []byte
	PlayReadyPRO []byte
	LicenseURL   string

	// HLS: KEYFORMAT, KEYFORMATVERSIONS and URI of the EXT-X-KEY (media
	// playlists) and EXT-X-SESSION-KEY (multivariant playlist) tags, whose
	// METHOD follows the scheme and KEYID the default KID. HLSKeyTag and
	// HLSSessionKeyTag, when set, are whole tags given by a key server
	// (CPIX HLSSignalingData), written as they are.
	KeyFormat         string
	KeyFormatVersions string
	KeyURI            string
	HLSKeyTag         string
	HLSSessionKeyTag  string
	// DASHOnly systems are not signalled in HLS (a second DASH scheme for
	// the same system, such as the DASH-IF ClearKey scheme).
	DASHOnly bool
	// HLSOnly systems are not signalled in DASH.
	HLSOnly bool
}

// mp4ProtectionScheme is the DASH scheme saying the content is Common
// Encryption protected (ISO/IEC 23009-1 §5.8.5.2).
const mp4ProtectionScheme = "urn:mpeg:dash:mp4protection:2011"

// checkProtection validates what the writers would put in quotes or
// attributes.
func checkProtection(t *Track) error {
	pr := t.Protection
	if pr == nil {
		return nil
	}
	switch pr.Scheme {
	case "cenc", "cbcs":
	default:
		return fmt.Errorf("track %s: protection scheme %q: %w", t.ID, pr.Scheme, ErrInvalid)
	}
	if _, err := kidHex(pr.DefaultKID); err != nil {
		return fmt.Errorf("track %s: %w", t.ID, err)
	}
	if pr.ClearSegments < 0 {
		return fmt.Errorf("track %s: negative clear segments: %w", t.ID, ErrInvalid)
	}
	for _, s := range pr.Systems {
		if _, err := kidHex(s.SystemID); err != nil {
			return fmt.Errorf("track %s: system ID: %w", t.ID, err)
		}
		for _, v := range []string{s.KeyFormat, s.KeyFormatVersions, s.KeyURI} {
			if strings.ContainsAny(v, "\"\r\n") {
				return fmt.Errorf("track %s: HLS key attribute with a quote or line break: %w", t.ID, ErrInvalid)
			}
		}
		for _, v := range []string{s.HLSKeyTag, s.HLSSessionKeyTag} {
			if strings.ContainsAny(v, "\r\n") {
				return fmt.Errorf("track %s: HLS key tag with a line break: %w", t.ID, ErrInvalid)
			}
		}
	}
	return nil
}

// kidHex returns the 32 hex digits of a UUID key ID.
func kidHex(uuid string) (string, error) {
	h := strings.ReplaceAll(uuid, "-", "")
	if len(h) != 32 {
		return "", fmt.Errorf("key ID %q is not a UUID: %w", uuid, ErrInvalid)
	}
	if _, err := hex.DecodeString(h); err != nil {
		return "", fmt.Errorf("key ID %q is not a UUID: %w", uuid, ErrInvalid)
	}
	return strings.ToLower(h), nil
}

// uuidFromHex formats 32 hex digits as a lowercase UUID.
func uuidFromHex(h string) string {
	h = strings.ToLower(h)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// hlsMethod is the EXT-X-KEY METHOD of a scheme.
func hlsMethod(scheme string) string {
	if scheme == "cbcs" {
		return "SAMPLE-AES"
	}
	return "SAMPLE-AES-CTR"
}

// hlsKeyTags returns the EXT-X-KEY (session false) or EXT-X-SESSION-KEY
// tags of a protected track, one per system signalled in HLS.
func hlsKeyTags(pr *Protection, session bool) []string {
	if pr == nil {
		return nil
	}
	kid, _ := kidHex(pr.DefaultKID) // checked by checkProtection
	var out []string
	for _, s := range pr.Systems {
		if s.DASHOnly {
			continue
		}
		if given := s.HLSKeyTag; !session && given != "" {
			out = append(out, given)
			continue
		}
		if given := s.HLSSessionKeyTag; session && given != "" {
			out = append(out, given)
			continue
		}
		if s.KeyFormat == "" || s.KeyURI == "" {
			continue
		}
		tag := "#EXT-X-KEY:"
		if session {
			tag = "#EXT-X-SESSION-KEY:"
		}
		var b strings.Builder
		b.WriteString(tag + "METHOD=" + hlsMethod(pr.Scheme) + `,URI="` + s.KeyURI + `"`)
		if s.KeyFormat != "com.apple.streamingkeydelivery" {
			b.WriteString(",KEYID=0x" + strings.ToUpper(kid))
		}
		b.WriteString(`,KEYFORMAT="` + s.KeyFormat + `"`)
		if s.KeyFormatVersions != "" {
			b.WriteString(`,KEYFORMATVERSIONS="` + s.KeyFormatVersions + `"`)
		}
		out = append(out, b.String())
	}
	return out
}

// insertBeforeSegment inserts lines into a media playlist before the
// tags of its n-th segment (from 0): after the (n-1)-th segment URI, or
// before the first #EXTINF or #EXT-X-BYTERANGE for n = 0. With fewer
// segments, nothing is inserted.
func insertBeforeSegment(data []byte, n int, lines []string) []byte {
	if len(lines) == 0 {
		return data
	}
	pos, uris := 0, 0
	inHeader := true
	for pos < len(data) {
		end := pos
		for end < len(data) && data[end] != '\n' {
			end++
		}
		line := string(data[pos:end])
		if inHeader && (strings.HasPrefix(line, "#EXTINF:") || strings.HasPrefix(line, "#EXT-X-BYTERANGE:")) {
			inHeader = false
		}
		if !inHeader && uris == n && line != "" {
			ins := strings.Join(lines, "\n") + "\n"
			out := make([]byte, 0, len(data)+len(ins))
			out = append(out, data[:pos]...)
			out = append(out, ins...)
			return append(out, data[pos:]...)
		}
		if !inHeader && line != "" && !strings.HasPrefix(line, "#") {
			uris++
		}
		pos = end + 1
	}
	return data
}

// insertBeforeNth inserts lines before the n-th (from 0) line of data
// starting with prefix; with fewer such lines, nothing is inserted.
func insertBeforeNth(data []byte, prefix string, n int, lines []string) []byte {
	if len(lines) == 0 {
		return data
	}
	pos, seen := 0, 0
	for pos < len(data) {
		end := pos
		for end < len(data) && data[end] != '\n' {
			end++
		}
		if strings.HasPrefix(string(data[pos:end]), prefix) {
			if seen == n {
				ins := strings.Join(lines, "\n") + "\n"
				out := make([]byte, 0, len(data)+len(ins))
				out = append(out, data[:pos]...)
				out = append(out, ins...)
				return append(out, data[pos:]...)
			}
			seen++
		}
		pos = end + 1
	}
	return data
}

// System IDs that HLS names by KEYFORMAT rather than by urn:uuid.
const (
	fairPlaySystemID  = "94ce86fb-07ff-4f43-adb8-93d2fa968ca2"
	playReadySystemID = "9a04f079-9840-4286-ab92-e65be0885f95"
)

// systemIDOfKeyFormat maps an HLS KEYFORMAT to a DRM system ID ("" when
// it names none, as "identity").
func systemIDOfKeyFormat(kf string) string {
	switch {
	case kf == "com.apple.streamingkeydelivery":
		return fairPlaySystemID
	case kf == "com.microsoft.playready":
		return playReadySystemID
	case strings.HasPrefix(strings.ToLower(kf), "urn:uuid:"):
		return strings.ToLower(strings.TrimPrefix(strings.ToLower(kf), "urn:uuid:"))
	}
	return ""
}

// parseAttributes reads an HLS attribute list (RFC 8216 §4.2): NAME=value
// pairs separated by commas, quoted strings kept without their quotes.
func parseAttributes(s string) (map[string]string, error) {
	out := make(map[string]string)
	for len(s) > 0 {
		eq := strings.IndexByte(s, '=')
		if eq <= 0 {
			return nil, fmt.Errorf("attribute list %q: no NAME=value", s)
		}
		name := s[:eq]
		s = s[eq+1:]
		var val string
		if strings.HasPrefix(s, `"`) {
			end := strings.IndexByte(s[1:], '"')
			if end < 0 {
				return nil, fmt.Errorf("attribute %s: unterminated quoted string", name)
			}
			val, s = s[1:1+end], s[2+end:]
		} else {
			end := strings.IndexByte(s, ',')
			if end < 0 {
				end = len(s)
			}
			val, s = s[:end], s[end:]
		}
		out[name] = val
		if s != "" {
			if s[0] != ',' {
				return nil, fmt.Errorf("attribute %s: text after the value", name)
			}
			s = s[1:]
		}
	}
	return out, nil
}

// readKeyTags builds a track's Protection from the EXT-X-KEY tags of a
// media playlist (lines, in order): the tags before the first segment
// after the clear lead, one system each. METHOD=NONE and playlists
// without keys give nil; keys that change between segments (rotation)
// and AES-128 whole-segment encryption are not Common Encryption.
func readKeyTags(lines []string) (*Protection, int, error) {
	var pr *Protection
	segments, group := 0, -1
	for i, l := range lines {
		if l != "" && !strings.HasPrefix(l, "#") {
			segments++
			continue
		}
		if !strings.HasPrefix(l, "#EXT-X-KEY:") {
			continue
		}
		attrs, err := parseAttributes(strings.TrimPrefix(l, "#EXT-X-KEY:"))
		if err != nil {
			return nil, i + 1, err
		}
		if pr != nil && group != segments {
			return nil, i + 1, fmt.Errorf("EXT-X-KEY changes between segments (key rotation): %w", ErrUnsupported)
		}
		var scheme string
		switch m := attrs["METHOD"]; m {
		case "NONE":
			continue
		case "SAMPLE-AES":
			scheme = "cbcs"
		case "SAMPLE-AES-CTR":
			scheme = "cenc"
		default:
			return nil, i + 1, fmt.Errorf("EXT-X-KEY METHOD %q is not Common Encryption: %w", m, ErrUnsupported)
		}
		if pr == nil {
			pr = &Protection{Scheme: scheme, ClearSegments: segments}
			group = segments
		} else if pr.Scheme != scheme {
			return nil, i + 1, errors.New("EXT-X-KEY tags with different METHODs")
		}
		if kid := attrs["KEYID"]; kid != "" {
			h, err := kidHex(strings.TrimPrefix(strings.TrimPrefix(kid, "0x"), "0X"))
			if err != nil {
				return nil, i + 1, fmt.Errorf("KEYID: %w", err)
			}
			if pr.DefaultKID == "" {
				pr.DefaultKID = uuidFromHex(h)
			} else if pr.DefaultKID != uuidFromHex(h) {
				return nil, i + 1, errors.New("EXT-X-KEY tags with different KEYIDs")
			}
		}
		pr.Systems = append(pr.Systems, ProtectionSystem{
			SystemID:          systemIDOfKeyFormat(attrs["KEYFORMAT"]),
			KeyFormat:         attrs["KEYFORMAT"],
			KeyFormatVersions: attrs["KEYFORMATVERSIONS"],
			KeyURI:            attrs["URI"],
		})
	}
	return pr, 0, nil
}
