package drm

import (
	"fmt"
	"log/slog"
)

// redacted is what every formatting of a Secret prints.
const redacted = "REDACTED"

// Secret is key material: a content key, a document key or an IV. Every
// way of printing it - String, GoString, any fmt verb (%x included),
// encoding/json, encoding/xml, log/slog - gives "REDACTED", so a key never
// reaches a log line, an error message or --json output by accident. Code
// that must write the bytes (the key file and CPIX writers, the cipher)
// reads them with Reveal, which is easy to grep for.
type Secret struct {
	b []byte
}

// NewSecret copies b into a Secret.
func NewSecret(b []byte) Secret { return Secret{b: append([]byte(nil), b...)} }

// Reveal returns the bytes. Never log or print them.
func (s Secret) Reveal() []byte { return s.b }

// Len is the length in bytes, which is not secret.
func (s Secret) Len() int { return len(s.b) }

// IsZero reports whether the secret is unset.
func (s Secret) IsZero() bool { return len(s.b) == 0 }

// Equal compares two secrets.
func (s Secret) Equal(o Secret) bool { return string(s.b) == string(o.b) }

func (s Secret) String() string   { return redacted }
func (s Secret) GoString() string { return redacted }

// Format prints REDACTED for every verb, so %x and %v cannot leak the key.
func (s Secret) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(redacted)) }

// MarshalText makes encoding/json and encoding/xml write REDACTED.
func (s Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }

// LogValue makes log/slog write REDACTED.
func (s Secret) LogValue() slog.Value { return slog.StringValue(redacted) }
