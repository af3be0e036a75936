package main

import (
	"bytes"
	"encoding/base64"
	"strings"
)

// clearKeyFormat is the KEYFORMAT hls.js maps to the org.w3.clearkey key system.
const clearKeyFormat = "org.w3.clearkey"

// identityFormat is the KEYFORMAT whose URI is the key itself (RFC 8216
// §4.3.2.4); shaka-player plays it through the org.w3.clearkey key system.
const identityFormat = "identity"

// keyLineFunc makes the extra EXT-X-KEY line for one KID of a SAMPLE-AES or
// SAMPLE-AES-CTR key line: method, the KID, and the IV attribute ("" if none).
type keyLineFunc func(method string, kid ID16, iv string) string

// clearKeyLine is the non-standard line hls.js needs for ClearKey: KEYFORMAT
// "org.w3.clearkey" and a data URI whose bytes are the KID. hls.js then asks
// the licence URL of its drmSystems config for the key.
func clearKeyLine(method string, kid ID16, iv string) string {
	l := "#EXT-X-KEY:METHOD=" + method + `,KEYFORMAT="` + clearKeyFormat + `",KEYFORMATVERSIONS="1"` +
		",KEYID=0x" + kid.String() + `,URI="data:text/plain;base64,` + base64.StdEncoding.EncodeToString(kid[:]) + `"`
	if iv != "" {
		l += ",IV=" + iv
	}
	return l
}

// identityLine returns a keyLineFunc for KEYFORMAT "identity" lines whose URI
// is uri(kid): shaka-player fetches the 16 key bytes from it and, with the KID
// of the init segment's tenc box, plays through ClearKey EME. (shaka-player
// reads no ClearKey licence URL from HLS KEYFORMATs; this is how it does HLS
// ClearKey.)
func identityLine(uri func(ID16) string) keyLineFunc {
	return func(method string, kid ID16, iv string) string {
		l := "#EXT-X-KEY:METHOD=" + method + `,KEYFORMAT="` + identityFormat + `",KEYFORMATVERSIONS="1",URI="` + uri(kid) + `"`
		if iv != "" {
			l += ",IV=" + iv
		}
		return l
	}
}

// addClearKeyLines adds hls.js's ClearKey line (clearKeyLine) for every KID
// of the playlist's sample-encryption key lines. vpack does not write that
// line, so the test server adds it while serving.
func addClearKeyLines(playlist []byte) []byte {
	return addKeyLines(playlist, clearKeyFormat, clearKeyLine)
}

// addKeyLines adds, after each run of EXT-X-KEY lines (RFC 8216 §4.3.2.4)
// with a SAMPLE-AES or SAMPLE-AES-CTR method and a KEYID, one line per KEYID
// made by line. A playlist that already has a line of keyFormat, or has no
// usable key line, is returned unchanged.
func addKeyLines(playlist []byte, keyFormat string, line keyLineFunc) []byte {
	text := string(playlist)
	if !strings.Contains(text, "#EXT-X-KEY:") || strings.Contains(text, `KEYFORMAT="`+keyFormat+`"`) {
		return playlist
	}
	lines := strings.SplitAfter(text, "\n")
	var out bytes.Buffer
	var pending []string
	seen := map[string]bool{}
	flush := func() {
		for _, l := range pending {
			out.WriteString(l)
		}
		pending = nil
		clear(seen)
	}
	for _, l := range lines {
		trimmed := strings.TrimRight(l, "\r\n")
		if !strings.HasPrefix(trimmed, "#EXT-X-KEY:") {
			flush()
			out.WriteString(l)
			continue
		}
		out.WriteString(l)
		if !strings.HasSuffix(l, "\n") {
			out.WriteString("\n")
		}
		attrs := parseAttributes(strings.TrimPrefix(trimmed, "#EXT-X-KEY:"))
		method, keyID := attrs["METHOD"], attrs["KEYID"]
		if (method != "SAMPLE-AES" && method != "SAMPLE-AES-CTR") || keyID == "" || seen[keyID] {
			continue
		}
		kid, err := parseID16(keyID)
		if err != nil {
			continue
		}
		seen[keyID] = true
		pending = append(pending, line(method, kid, attrs["IV"])+"\n")
	}
	flush()
	return out.Bytes()
}

// parseAttributes reads an attribute list (RFC 8216 §4.2): NAME=value pairs
// separated by commas, where a quoted string may contain commas. Quotes are
// removed from quoted values.
func parseAttributes(s string) map[string]string {
	attrs := map[string]string{}
	for len(s) > 0 {
		eq := strings.IndexByte(s, '=')
		if eq < 0 {
			break
		}
		name := strings.TrimSpace(s[:eq])
		s = s[eq+1:]
		var value string
		if strings.HasPrefix(s, `"`) {
			end := strings.IndexByte(s[1:], '"')
			if end < 0 {
				value, s = s[1:], ""
			} else {
				value, s = s[1:1+end], s[2+end:]
			}
			if i := strings.IndexByte(s, ','); i >= 0 {
				s = s[i+1:]
			} else {
				s = ""
			}
		} else if i := strings.IndexByte(s, ','); i >= 0 {
			value, s = s[:i], s[i+1:]
		} else {
			value, s = s, ""
		}
		attrs[name] = value
	}
	return attrs
}
