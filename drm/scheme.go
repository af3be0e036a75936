package drm

import "fmt"

// Scheme is a Common Encryption protection scheme (ISO/IEC 23001-7 §4.2):
// the four-character code of the schm box.
type Scheme string

const (
	// CENC is AES-128 CTR mode with 8-byte per-sample IVs (CMAF requires 8);
	// video protected ranges are whole 16-byte blocks ending at the end of
	// each NAL unit or AV1 tile. DASH, Widevine, PlayReady.
	CENC Scheme = "cenc"
	// CBCS is AES-128 CBC mode with a 16-byte constant IV; video uses the
	// 1:9 pattern (one block encrypted, nine clear) from the first byte
	// after the slice header, audio every whole block. HLS/FairPlay,
	// Widevine, PlayReady 4.3+.
	CBCS Scheme = "cbcs"
)

// ParseScheme accepts "cenc" or "cbcs".
func ParseScheme(s string) (Scheme, error) {
	switch Scheme(s) {
	case CENC, CBCS:
		return Scheme(s), nil
	}
	return "", fmt.Errorf("encryption scheme %q: %w (cenc or cbcs)", s, ErrUnsupported)
}

// HLSMethod is the EXT-X-KEY METHOD for the scheme (Apple HLS Authoring
// Specification; RFC 8216 §4.3.2.4 for SAMPLE-AES).
func (s Scheme) HLSMethod() string {
	if s == CBCS {
		return "SAMPLE-AES"
	}
	return "SAMPLE-AES-CTR"
}
