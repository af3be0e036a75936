package validate

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Key is a content key and the KID it belongs to, for Options.Keys. Its
// String and JSON forms never show the key.
type Key struct {
	KID [16]byte
	Key [16]byte
}

// String shows the KID and hides the key.
func (k Key) String() string { return "kid=" + hex.EncodeToString(k.KID[:]) + " key=REDACTED" }

// MarshalJSON shows the KID and hides the key.
func (k Key) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]string{"kid": hex.EncodeToString(k.KID[:]), "key": "REDACTED"})
}

// ParseKeys reads a key file. Three JSON shapes are accepted, each KID and
// key as 32 hex digits (dashes allowed, as in a UUID) or base64/base64url
// of 16 bytes:
//
//	{"keys": [{"kid": "…", "key": "…"}, …]}
//	[{"kid": "…", "key": "…"}, …]
//	{"<kid>": "<key>", …}
//
// Other fields of a key object (labels, IVs, track classes) are ignored, so
// the files vpack writes for encryption are read as they are. Errors never
// contain key material.
func ParseKeys(data []byte) ([]Key, error) {
	type entry struct {
		KID string `json:"kid"`
		Key string `json:"key"`
	}
	var list []entry
	trimmed := strings.TrimSpace(string(data))
	switch {
	case strings.HasPrefix(trimmed, "["):
		if err := json.Unmarshal(data, &list); err != nil {
			return nil, fmt.Errorf("keys: %w", jsonError(err))
		}
	case strings.HasPrefix(trimmed, "{"):
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(data, &obj); err != nil {
			return nil, fmt.Errorf("keys: %w", jsonError(err))
		}
		if raw, ok := obj["keys"]; ok {
			if err := json.Unmarshal(raw, &list); err != nil {
				return nil, fmt.Errorf("keys: \"keys\": %w", jsonError(err))
			}
			break
		}
		for kid, raw := range obj {
			var key string
			if err := json.Unmarshal(raw, &key); err != nil {
				return nil, fmt.Errorf("keys: value of %q is not a string", kid)
			}
			list = append(list, entry{KID: kid, Key: key})
		}
	default:
		return nil, errors.New("keys: not a JSON object or array")
	}
	if len(list) == 0 {
		return nil, errors.New("keys: no keys")
	}
	out := make([]Key, 0, len(list))
	seen := make(map[[16]byte]bool, len(list))
	for i, e := range list {
		kid, err := parse16(e.KID)
		if err != nil {
			return nil, fmt.Errorf("keys: entry %d: kid: %w", i+1, err)
		}
		key, err := parse16(e.Key)
		if err != nil {
			return nil, fmt.Errorf("keys: entry %d (kid %x): key: %w", i+1, kid, err)
		}
		if seen[kid] {
			return nil, fmt.Errorf("keys: kid %x given twice", kid)
		}
		seen[kid] = true
		out = append(out, Key{KID: kid, Key: key})
	}
	return out, nil
}

// jsonError keeps the position of a JSON error but not the text around it,
// which could be key material.
func jsonError(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("invalid JSON at byte %d", se.Offset)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Errorf("unexpected %s at byte %d", te.Value, te.Offset)
	}
	return errors.New("invalid JSON")
}

// parse16 parses 16 bytes given as hex (UUID dashes and a 0x prefix
// allowed) or base64. The value is never echoed in errors.
func parse16(s string) ([16]byte, error) {
	var out [16]byte
	h := strings.ReplaceAll(strings.TrimPrefix(strings.TrimPrefix(strings.TrimSpace(s), "0x"), "0X"), "-", "")
	if len(h) == 32 {
		if b, err := hex.DecodeString(h); err == nil {
			copy(out[:], b)
			return out, nil
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(strings.TrimSpace(s)); err == nil && len(b) == 16 {
			copy(out[:], b)
			return out, nil
		}
	}
	if s == "" {
		return out, errors.New("missing")
	}
	return out, fmt.Errorf("not 16 bytes in hex or base64 (%d characters)", len(s))
}
