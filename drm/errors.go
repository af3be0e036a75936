package drm

import (
	"errors"
	"fmt"
)

// Sentinels callers can branch on with errors.Is.
var (
	// ErrBadKID means a key ID is not 16 bytes in a known notation.
	ErrBadKID = errors.New("not a 16-byte key ID (32 hex digits or a UUID)")
	// ErrBadKey means a content key is not 16 bytes of hex or base64.
	ErrBadKey = errors.New("not a 16-byte AES-128 key")
	// ErrBadIV means an IV has the wrong length for the scheme.
	ErrBadIV = errors.New("bad IV")
	// ErrDuplicateKID means two keys share a key ID.
	ErrDuplicateKID = errors.New("duplicate key ID")
	// ErrNoKey means no key applies to a track.
	ErrNoKey = errors.New("no key for track")
	// ErrAmbiguousKey means more than one key applies equally to a track.
	ErrAmbiguousKey = errors.New("more than one key for track")
	// ErrUnusedKey means a CPIX document holds a key no track uses.
	ErrUnusedKey = errors.New("key used by no track")
	// ErrUnsupported means a scheme, system, codec or document feature
	// vpack cannot encrypt or read.
	ErrUnsupported = errors.New("unsupported")
	// ErrFairPlayCENC means FairPlay was asked for with the cenc scheme:
	// FairPlay Streaming only decrypts cbcs.
	ErrFairPlayCENC = errors.New("FairPlay needs the cbcs scheme, not cenc")
	// ErrMalformed means a key file, CPIX document or media sample cannot
	// be parsed.
	ErrMalformed = errors.New("malformed")
)

// ParseError locates a problem in a key file or CPIX document. It never
// holds key material: Field names the element or JSON path, not its value.
type ParseError struct {
	Format string // "key file", "CPIX", "VPACK_KEY"
	Field  string // e.g. "keys[1].key", "ContentKey[kid=…]/Data"
	Err    error
}

func (e *ParseError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("%s: %v", e.Format, e.Err)
	}
	return fmt.Sprintf("%s: %s: %v", e.Format, e.Field, e.Err)
}

func (e *ParseError) Unwrap() error { return e.Err }
