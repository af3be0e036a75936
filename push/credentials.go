package push

import (
	"bufio"
	"bytes"
	"fmt"
	"net/url"
	"strings"
)

// Environment variables holding HTTP credentials.
const (
	EnvHTTPUser     = "VPACK_HTTP_USER"
	EnvHTTPPassword = "VPACK_HTTP_PASSWORD"
	EnvHTTPToken    = "VPACK_HTTP_TOKEN"
	EnvNetrc        = "NETRC" // as curl and git read it
)

// HTTPCredentials returns the OpenOptions.HTTPCredentials that vpack
// uses: a netrc entry for the store's host (machine, login, password),
// when netrc holds one, else VPACK_HTTP_TOKEN (bearer), else
// VPACK_HTTP_USER and VPACK_HTTP_PASSWORD (basic), from getenv. netrc is
// the content of a netrc file, or nil. Secrets come only from here:
// never from flags or URLs.
func HTTPCredentials(getenv func(string) string, netrc []byte) (func(u *url.URL) (string, Secret, Secret), error) {
	entries, err := parseNetrc(netrc)
	if err != nil {
		return nil, err
	}
	user, pass, token := getenv(EnvHTTPUser), Secret(getenv(EnvHTTPPassword)), Secret(getenv(EnvHTTPToken))
	return func(u *url.URL) (string, Secret, Secret) {
		host := strings.ToLower(u.Hostname())
		if e, ok := entries[host]; ok {
			return e.login, e.password, ""
		}
		if e, ok := entries[""]; ok { // "default"
			return e.login, e.password, ""
		}
		if token != "" {
			return "", "", token
		}
		return user, pass, ""
	}, nil
}

type netrcEntry struct {
	login    string
	password Secret
}

// parseNetrc reads the machine, default, login and password tokens of a
// netrc file.
func parseNetrc(data []byte) (map[string]netrcEntry, error) {
	entries := make(map[string]netrcEntry)
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Split(bufio.ScanWords)
	var (
		cur     *netrcEntry
		curHost string
	)
	flush := func() {
		if cur != nil {
			if _, dup := entries[curHost]; !dup {
				entries[curHost] = *cur
			}
		}
	}
	next := func(tok string) (string, error) {
		if !sc.Scan() {
			return "", fmt.Errorf("netrc: %s without a value", tok)
		}
		return sc.Text(), nil
	}
	for sc.Scan() {
		switch tok := sc.Text(); tok {
		case "machine":
			flush()
			h, err := next(tok)
			if err != nil {
				return nil, err
			}
			cur, curHost = &netrcEntry{}, strings.ToLower(h)
		case "default":
			flush()
			cur, curHost = &netrcEntry{}, ""
		case "login", "password", "account":
			v, err := next(tok)
			if err != nil {
				return nil, err
			}
			if cur == nil {
				continue
			}
			switch tok {
			case "login":
				cur.login = v
			case "password":
				cur.password = Secret(v)
			}
		case "macdef":
			flush()
			cur = nil // a macro's words are not credentials
		}
	}
	flush()
	return entries, sc.Err()
}
