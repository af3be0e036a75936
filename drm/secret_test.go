package drm

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

type xmlHolder struct {
	K Secret
}

// TestSecretNeverPrints checks every way a key could be printed by
// accident: fmt verbs, errors, JSON, XML and slog.
func TestSecretNeverPrints(t *testing.T) {
	key := NewSecret([]byte{0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c})
	ck := ContentKey{KID: KID{1}, Key: key, IV: key}
	var logBuf bytes.Buffer
	slog.New(slog.NewJSONHandler(&logBuf, nil)).Info("k", "key", key, "ck", ck)
	slog.New(slog.NewTextHandler(&logBuf, nil)).Info("k", "key", key)
	js, err := json.Marshal(ck)
	if err != nil {
		t.Fatal(err)
	}
	xs, err := xml.Marshal(xmlHolder{K: key})
	if err != nil {
		t.Fatal(err)
	}
	outputs := map[string]string{
		"%v": fmt.Sprintf("%v", key), "%s": fmt.Sprintf("%s", key), "%x": fmt.Sprintf("%x", key),
		"%X": fmt.Sprintf("%X", key), "%#v": fmt.Sprintf("%#v", key), "%+v struct": fmt.Sprintf("%+v", ck),
		"%#v struct": fmt.Sprintf("%#v", ck), "%q": fmt.Sprintf("%q", key), "%d": fmt.Sprintf("%d", key),
		"error": fmt.Errorf("key %v", key).Error(), "json": string(js), "xml": string(xs), "slog": logBuf.String(),
	}
	for name, out := range outputs {
		low := strings.ToLower(out)
		if strings.Contains(low, "deadbeef") || strings.Contains(low, "de ad") || strings.Contains(out, "3q2+7") ||
			strings.Contains(out, "222 173") || strings.Contains(out, "[222") {
			t.Errorf("%s leaks the key: %s", name, out)
		}
		if !strings.Contains(out, "REDACTED") {
			t.Errorf("%s: %q lacks REDACTED", name, out)
		}
	}
	if !bytes.Equal(key.Reveal(), []byte{0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c}) {
		t.Error("Reveal lost the bytes")
	}
}
