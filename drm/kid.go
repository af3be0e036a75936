package drm

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
)

// KID is a 16-byte key ID (ISO/IEC 23001-7 §8.2: tenc default_KID, pssh
// KID), in the big-endian UUID byte order CENC uses. Key IDs are not
// secret: they appear in init segments and manifests.
type KID [16]byte

// ParseKID reads a key ID written as 32 hex digits, as a UUID with dashes
// ("0dc3ec4f-7683-548b-81e7-3c64e582e136"), optionally in braces or with a
// "0x" prefix (HLS KEYID), or as 24 characters of standard base64.
func ParseKID(s string) (KID, error) {
	var k KID
	t := strings.TrimSpace(s)
	t = strings.TrimPrefix(strings.TrimPrefix(t, "0x"), "0X")
	t = strings.TrimSuffix(strings.TrimPrefix(t, "{"), "}")
	if len(t) == 36 && t[8] == '-' && t[13] == '-' && t[18] == '-' && t[23] == '-' {
		t = t[:8] + t[9:13] + t[14:18] + t[19:23] + t[24:]
	}
	if len(t) == 32 {
		if _, err := hex.Decode(k[:], []byte(t)); err == nil {
			return k, nil
		}
	}
	if len(t) == 24 {
		if b, err := base64.StdEncoding.DecodeString(t); err == nil && len(b) == 16 {
			copy(k[:], b)
			return k, nil
		}
	}
	return KID{}, fmt.Errorf("key ID %q: %w", s, ErrBadKID)
}

// String is the UUID form, lowercase with dashes, as in
// cenc:default_KID (ISO/IEC 23009-1 §5.8.5.2 via ISO/IEC 23001-7 §11.2).
func (k KID) String() string {
	h := hex.EncodeToString(k[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// Hex is the 32 lowercase hex digits of the key ID.
func (k KID) Hex() string { return hex.EncodeToString(k[:]) }

// IsZero reports whether every byte is zero.
func (k KID) IsZero() bool { return k == KID{} }

// GUID returns the key ID in Microsoft GUID byte order, as PlayReady
// headers carry it: the first three fields (4, 2 and 2 bytes) are
// little-endian, the last 8 bytes unchanged. The UUID
// 01020304-0506-0708-090a-0b0c0d0e0f10 becomes 04 03 02 01 06 05 08 07 09 0a ...
func (k KID) GUID() [16]byte {
	g := k
	g[0], g[1], g[2], g[3] = k[3], k[2], k[1], k[0]
	g[4], g[5] = k[5], k[4]
	g[6], g[7] = k[7], k[6]
	return g
}

// KIDFromGUID is the inverse of KID.GUID.
func KIDFromGUID(g [16]byte) KID {
	return KID(KID(g).GUID()) // the swap is its own inverse
}

// MarshalText writes the UUID form.
func (k KID) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText accepts every form ParseKID does.
func (k *KID) UnmarshalText(b []byte) error {
	v, err := ParseKID(string(b))
	if err != nil {
		return err
	}
	*k = v
	return nil
}
