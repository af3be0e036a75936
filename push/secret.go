package push

import "log/slog"

// Secret holds a credential (a password, a token). It prints, logs and
// marshals as REDACTED, so it can sit in options and reports without
// leaking; Reveal returns the value for the one place that sends it.
type Secret string

const redacted = "REDACTED"

// String returns REDACTED (or "" when the secret is empty).
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return redacted
}

// GoString keeps %#v from printing the value.
func (s Secret) GoString() string { return `push.Secret("` + s.String() + `")` }

// LogValue keeps slog from printing the value.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalText keeps encoding/json (and any text encoder) from writing the value.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Reveal returns the credential itself.
func (s Secret) Reveal() string { return string(s) }
