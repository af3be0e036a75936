package main

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// ID16 is a 16-byte key ID or content key (ISO/IEC 23001-7 §8.2 default_KID).
type ID16 [16]byte

// String is lowercase hex, the form the test logs and key files use.
func (id ID16) String() string { return hex.EncodeToString(id[:]) }

func (id ID16) bytes() []byte { return id[:] }

// b64url is the unpadded base64url form W3C ClearKey messages carry (EME §9.1.3).
func (id ID16) b64url() string { return base64.RawURLEncoding.EncodeToString(id[:]) }

// parseID16 reads 16 bytes written as hex (optionally 0x-prefixed), as a UUID
// with dashes, or as base64/base64url with or without padding.
func parseID16(s string) (ID16, error) {
	var id ID16
	t := strings.TrimPrefix(strings.TrimPrefix(strings.TrimSpace(s), "0x"), "0X")
	if u := strings.ReplaceAll(t, "-", ""); len(u) == 32 && (len(t) == 32 || len(t) == 36) {
		if b, err := hex.DecodeString(u); err == nil {
			copy(id[:], b)
			return id, nil
		}
	}
	for _, enc := range []*base64.Encoding{base64.RawURLEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.StdEncoding} {
		if b, err := enc.DecodeString(s); err == nil && len(b) == 16 {
			copy(id[:], b)
			return id, nil
		}
	}
	return id, fmt.Errorf("%q is not 16 bytes of hex, UUID or base64", s)
}

// Key is one content key and its KID.
type Key struct {
	KID   ID16
	Value ID16
}

// kidFields and keyFields are the member names that parseKeyFile accepts
// (compared without case, '_' and '-'), so that the key file `vpack keys
// generate` writes and a hand-written test file both work.
var (
	kidFields = []string{"kid", "keyid", "defaultkid"}
	keyFields = []string{"key", "k", "contentkey", "value"}
)

func normField(s string) string {
	return strings.NewReplacer("_", "", "-", "").Replace(strings.ToLower(s))
}

// parseKeyFile finds every JSON object, at any depth, with a KID member and a
// key member and returns those pairs. A file without any is an error.
func parseKeyFile(data []byte) ([]Key, error) {
	var doc any
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("key file: %w", err)
	}
	var keys []Key
	var walk func(v any) error
	walk = func(v any) error {
		switch v := v.(type) {
		case []any:
			for _, e := range v {
				if err := walk(e); err != nil {
					return err
				}
			}
		case map[string]any:
			var kidStr, keyStr string
			for name, m := range v {
				s, ok := m.(string)
				if !ok {
					if err := walk(m); err != nil {
						return err
					}
					continue
				}
				n := normField(name)
				for _, f := range kidFields {
					if n == f {
						kidStr = s
					}
				}
				for _, f := range keyFields {
					if n == f {
						keyStr = s
					}
				}
			}
			if kidStr == "" || keyStr == "" {
				return nil
			}
			kid, err := parseID16(kidStr)
			if err != nil {
				return fmt.Errorf("key file: kid: %w", err)
			}
			key, err := parseID16(keyStr)
			if err != nil {
				return fmt.Errorf("key file: key for kid %s: %w", kid, err)
			}
			keys = append(keys, Key{KID: kid, Value: key})
		}
		return nil
	}
	if err := walk(doc); err != nil {
		return nil, err
	}
	if len(keys) == 0 {
		return nil, errors.New("key file: no kid/key pairs")
	}
	return keys, nil
}

// parseLicenceRequest reads a W3C ClearKey licence request:
// {"kids":["<base64url KID>",...],"type":"temporary"}.
func parseLicenceRequest(body []byte) ([]ID16, error) {
	var req struct {
		KIDs []string `json:"kids"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, fmt.Errorf("licence request: %w", err)
	}
	if len(req.KIDs) == 0 {
		return nil, errors.New("licence request: no kids")
	}
	kids := make([]ID16, 0, len(req.KIDs))
	for _, s := range req.KIDs {
		kid, err := parseID16(s)
		if err != nil {
			return nil, fmt.Errorf("licence request: %w", err)
		}
		kids = append(kids, kid)
	}
	return kids, nil
}

// JWK is one key of a ClearKey licence: a JSON Web Key of type "oct".
type JWK struct {
	KTY string `json:"kty"`
	K   string `json:"k"`
	KID string `json:"kid"`
}

// LicenceResponse is a W3C ClearKey licence (a JSON Web Key Set).
type LicenceResponse struct {
	Keys []JWK  `json:"keys"`
	Type string `json:"type"`
}

// licenceResponse answers the requested KIDs that keys holds. With wrong set,
// every key is sent with its bits inverted: the right KID with a wrong key,
// so the CDM accepts the licence and decrypts into garbage.
func licenceResponse(kids []ID16, keys []Key, wrong bool) LicenceResponse {
	resp := LicenceResponse{Keys: []JWK{}, Type: "temporary"}
	for _, kid := range kids {
		for _, k := range keys {
			if k.KID != kid {
				continue
			}
			v := k.Value
			if wrong {
				for i := range v {
					v[i] ^= 0xff
				}
			}
			resp.Keys = append(resp.Keys, JWK{KTY: "oct", K: v.b64url(), KID: kid.b64url()})
			break
		}
	}
	return resp
}
