package main

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
)

// Grant names, inside /ik/ and /key/ URLs, the case that asks for keys, the key
// file (relative to the root) that answers, and the mode ("ok" or "wrong").
// Its token is base64url JSON, so relative playlist URIs carry it along.
type Grant struct {
	Case    string `json:"case"`
	KeyFile string `json:"keys"`
	Mode    string `json:"mode"`
}

// Token is the URL form of g.
func (g Grant) Token() string {
	b, _ := json.Marshal(g)
	return base64.RawURLEncoding.EncodeToString(b)
}

// parseGrant reads a Grant token; the mode defaults to "ok".
func parseGrant(tok string) (Grant, error) {
	var g Grant
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return g, fmt.Errorf("grant token: %w", err)
	}
	if err := json.Unmarshal(b, &g); err != nil {
		return g, fmt.Errorf("grant token: %w", err)
	}
	if g.Mode == "" {
		g.Mode = "ok"
	}
	if g.Case == "" || g.KeyFile == "" || (g.Mode != "ok" && g.Mode != "wrong") {
		return g, errors.New("grant token: needs case, keys and mode ok or wrong")
	}
	return g, nil
}
