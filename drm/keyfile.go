package drm

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// KeyFileVersion is the version of the key file format vpack writes.
const KeyFileVersion = 1

// keyFile is the JSON key file:
//
//	{
//	  "version": 1,
//	  "keys": [
//	    {"kid": "<32 hex or UUID>", "key": "<32 hex or base64>", "tracks": ["audio"]},
//	    {"kid": "...", "key": "...", "iv": "<16 or 32 hex>", "tracks": ["sd"]},
//	    {"kid": "...", "key": "...", "tracks": ["hd", "uhd"]}
//	  ],
//	  "drm": {
//	    "widevine":  {"provider": "...", "content_id": "<hex>"},
//	    "playready": {"la_url": "https://..."},
//	    "fairplay":  {"uri": "skd://{kid}"},
//	    "clearkey":  {"la_url": "https://..."}
//	  }
//	}
type keyFile struct {
	Version int            `json:"version"`
	Keys    []keyFileEntry `json:"keys"`
	DRM     *keyFileDRM    `json:"drm,omitempty"`
}

type keyFileEntry struct {
	KID    string          `json:"kid"`
	Key    string          `json:"key"`
	IV     string          `json:"iv,omitempty"`
	Tracks json.RawMessage `json:"tracks,omitempty"`
}

type keyFileDRM struct {
	Widevine *struct {
		Provider  string `json:"provider,omitempty"`
		ContentID string `json:"content_id,omitempty"`
	} `json:"widevine,omitempty"`
	PlayReady *struct {
		LAURL string `json:"la_url,omitempty"`
	} `json:"playready,omitempty"`
	FairPlay *struct {
		URI string `json:"uri,omitempty"`
	} `json:"fairplay,omitempty"`
	ClearKey *struct {
		LAURL string `json:"la_url,omitempty"`
	} `json:"clearkey,omitempty"`
}

// maxKeyFileBytes bounds what ParseKeyFile reads: a key file is small.
const maxKeyFileBytes = 1 << 20

// ParseKeyFile reads a JSON key file (the format of keyFile above: a
// version, keys with kid, key, optional iv and track classes, optional
// licence-server details). Unknown fields are refused so that a typo does
// not silently drop a key. Errors are *ParseError values naming the field,
// never its value.
func ParseKeyFile(data []byte) (*KeySet, error) {
	perr := func(field string, err error) error { return &ParseError{Format: "key file", Field: field, Err: err} }
	if len(data) > maxKeyFileBytes {
		return nil, perr("", fmt.Errorf("%w: larger than %d bytes", ErrMalformed, maxKeyFileBytes))
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var kf keyFile
	if err := dec.Decode(&kf); err != nil {
		return nil, perr("", fmt.Errorf("%w: %v", ErrMalformed, jsonErrorText(err)))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, perr("", fmt.Errorf("%w: data after the JSON object", ErrMalformed))
	}
	if kf.Version != KeyFileVersion {
		return nil, perr("version", fmt.Errorf("%w: version %d (want %d)", ErrUnsupported, kf.Version, KeyFileVersion))
	}
	if len(kf.Keys) == 0 {
		return nil, perr("keys", fmt.Errorf("%w: no keys", ErrMalformed))
	}
	ks := &KeySet{}
	seenClass := map[string]string{}
	for i, e := range kf.Keys {
		field := fmt.Sprintf("keys[%d]", i)
		var k ContentKey
		var err error
		if k.KID, err = ParseKID(e.KID); err != nil {
			return nil, perr(field+".kid", ErrBadKID)
		}
		if k.Key, err = parseKeyBytes(e.Key, 16); err != nil {
			return nil, perr(field+".key", err)
		}
		if e.IV != "" {
			iv, err := hex.DecodeString(strings.TrimPrefix(e.IV, "0x"))
			if err != nil || (len(iv) != 8 && len(iv) != 16) {
				return nil, perr(field+".iv", fmt.Errorf("%w: want 16 or 32 hex digits", ErrBadIV))
			}
			k.IV = NewSecret(iv)
		}
		classes, err := parseClasses(e.Tracks)
		if err != nil {
			return nil, perr(field+".tracks", err)
		}
		if len(classes) == 0 {
			classes = []string{"all"}
		}
		for _, c := range classes {
			r, err := ClassRule(c)
			if err != nil {
				return nil, perr(field+".tracks", err)
			}
			c = strings.ToLower(c)
			if other, ok := seenClass[c]; ok {
				return nil, perr(field+".tracks", fmt.Errorf("%w: class %q is also given to %s", ErrAmbiguousKey, c, other))
			}
			seenClass[c] = "key " + k.KID.String()
			k.Classes = append(k.Classes, c)
			k.Rules = append(k.Rules, r)
		}
		ks.Keys = append(ks.Keys, k)
	}
	if d := kf.DRM; d != nil {
		if d.Widevine != nil {
			ks.Options.WidevineProvider = d.Widevine.Provider
			if d.Widevine.ContentID != "" {
				cid, err := hex.DecodeString(d.Widevine.ContentID)
				if err != nil {
					return nil, perr("drm.widevine.content_id", fmt.Errorf("%w: not hex", ErrMalformed))
				}
				ks.Options.WidevineContentID = cid
			}
		}
		if d.PlayReady != nil {
			ks.Options.PlayReadyLAURL = d.PlayReady.LAURL
		}
		if d.FairPlay != nil {
			ks.Options.FairPlayURI = d.FairPlay.URI
		}
		if d.ClearKey != nil {
			ks.Options.ClearKeyLAURL = d.ClearKey.LAURL
		}
	}
	if err := ks.Validate(); err != nil {
		return nil, perr("keys", err)
	}
	return ks, nil
}

// jsonErrorText describes a JSON error without quoting the document:
// encoding/json's messages name types and offsets, and a syntax error
// quotes at most one character.
func jsonErrorText(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("invalid JSON at byte %d", se.Offset)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("%s must be %s, not %s", te.Field, te.Type, te.Value)
	}
	if errors.Is(err, io.EOF) {
		return "empty file"
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return "unexpected end of JSON"
	}
	msg := err.Error()
	if strings.HasPrefix(msg, "json: unknown field") {
		return strings.TrimPrefix(msg, "json: ")
	}
	return "invalid JSON"
}

func parseClasses(raw json.RawMessage) ([]string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var one string
	if err := json.Unmarshal(raw, &one); err == nil {
		return strings.Split(one, ","), nil
	}
	var list []string
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, fmt.Errorf("%w: want a list of track classes", ErrMalformed)
	}
	return list, nil
}

// parseKeyBytes reads n bytes written as 2n hex digits (optionally 0x) or
// as standard or URL-safe base64. Errors never quote the input.
func parseKeyBytes(s string, n int) (Secret, error) {
	t := strings.TrimPrefix(strings.TrimSpace(s), "0x")
	if len(t) == 2*n {
		if b, err := hex.DecodeString(t); err == nil {
			return NewSecret(b), nil
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(t); err == nil && len(b) == n {
			return NewSecret(b), nil
		}
	}
	if t == "" {
		return Secret{}, fmt.Errorf("%w: empty", ErrBadKey)
	}
	if isHex(t) {
		return Secret{}, fmt.Errorf("%w: %d hex digits, want %d", ErrBadKey, len(t), 2*n)
	}
	return Secret{}, fmt.Errorf("%w: want %d hex digits or base64", ErrBadKey, 2*n)
}

func isHex(s string) bool {
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// ParseKeyPair reads the one-key form "KID:KEY" (hex or UUID KID, hex or
// base64 key) of the VPACK_KEY environment variable: one key for every
// track.
func ParseKeyPair(s string) (*KeySet, error) {
	perr := func(field string, err error) error { return &ParseError{Format: "key pair", Field: field, Err: err} }
	kidText, keyText, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok {
		return nil, perr("", fmt.Errorf("%w: want KID:KEY", ErrMalformed))
	}
	kid, err := ParseKID(kidText)
	if err != nil {
		return nil, perr("kid", ErrBadKID)
	}
	key, err := parseKeyBytes(keyText, 16)
	if err != nil {
		return nil, perr("key", err)
	}
	ks := &KeySet{Keys: []ContentKey{{KID: kid, Key: key, Classes: []string{"all"}}}}
	if err := ks.Validate(); err != nil {
		return nil, perr("", err)
	}
	return ks, nil
}

// MarshalKeyFile writes ks as a key file (keys in hex). The caller writes
// it with mode 0600: it holds the keys in the clear.
func MarshalKeyFile(ks *KeySet) ([]byte, error) {
	kf := keyFile{Version: KeyFileVersion}
	for _, k := range ks.Keys {
		e := keyFileEntry{KID: k.KID.Hex(), Key: hex.EncodeToString(k.Key.Reveal())}
		if !k.IV.IsZero() {
			e.IV = hex.EncodeToString(k.IV.Reveal())
		}
		classes := k.Classes
		if len(classes) == 0 {
			classes = []string{"all"}
		}
		raw, err := json.Marshal(classes)
		if err != nil {
			return nil, err
		}
		e.Tracks = raw
		kf.Keys = append(kf.Keys, e)
	}
	o := ks.Options
	if o.WidevineProvider != "" || len(o.WidevineContentID) > 0 || o.PlayReadyLAURL != "" || o.FairPlayURI != "" || o.ClearKeyLAURL != "" {
		d := &keyFileDRM{}
		if o.WidevineProvider != "" || len(o.WidevineContentID) > 0 {
			d.Widevine = &struct {
				Provider  string `json:"provider,omitempty"`
				ContentID string `json:"content_id,omitempty"`
			}{o.WidevineProvider, hex.EncodeToString(o.WidevineContentID)}
		}
		if o.PlayReadyLAURL != "" {
			d.PlayReady = &struct {
				LAURL string `json:"la_url,omitempty"`
			}{o.PlayReadyLAURL}
		}
		if o.FairPlayURI != "" {
			d.FairPlay = &struct {
				URI string `json:"uri,omitempty"`
			}{o.FairPlayURI}
		}
		if o.ClearKeyLAURL != "" {
			d.ClearKey = &struct {
				LAURL string `json:"la_url,omitempty"`
			}{o.ClearKeyLAURL}
		}
		kf.DRM = d
	}
	data, err := json.MarshalIndent(kf, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}
