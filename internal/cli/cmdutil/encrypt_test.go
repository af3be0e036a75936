package cmdutil

import (
	"bytes"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vpack-dev/vpack/drm"
)

const (
	goodKeyFile = `{"version": 1, "keys": [{"kid": "00112233445566778899aabbccddeeff", "key": "5ec7e75ec7e75ec7e75ec7e75ec7e75e"}]}`
	secretHex   = "5ec7e75ec7e75ec7e75ec7e75ec7e75e"
)

func noEnv(string) string { return "" }

func TestCheckEncryptFlags(t *testing.T) {
	env := func(k string) func(string) string {
		return func(name string) string {
			if name == k {
				return "x"
			}
			return ""
		}
	}
	tests := []struct {
		name    string
		flags   EncryptFlags
		getenv  func(string) string
		wantErr string
	}{
		{name: "clear", flags: EncryptFlags{}},
		{name: "keys file", flags: EncryptFlags{Scheme: "cenc", KeysFile: "k.json"}},
		{name: "cpix", flags: EncryptFlags{Scheme: "cbcs", CPIXFile: "k.xml", CPIXKey: "me.pem", DRM: []string{"fairplay", "widevine"}}},
		{name: "VPACK_KEY", flags: EncryptFlags{Scheme: "cenc"}, getenv: env(EnvKey)},
		{name: "VPACK_KEYS", flags: EncryptFlags{Scheme: "cenc", ClearLead: time.Second}, getenv: env(EnvKeys)},
		{name: "keys without encrypt", flags: EncryptFlags{KeysFile: "k.json"}, wantErr: "need --encrypt"},
		{name: "drm without encrypt", flags: EncryptFlags{DRM: []string{"widevine"}}, wantErr: "need --encrypt"},
		{name: "clear lead without encrypt", flags: EncryptFlags{ClearLead: time.Second}, wantErr: "need --encrypt"},
		{name: "bad scheme", flags: EncryptFlags{Scheme: "cbc1", KeysFile: "k"}, wantErr: "cenc or cbcs"},
		{name: "keys and cpix", flags: EncryptFlags{Scheme: "cenc", KeysFile: "a", CPIXFile: "b"}, wantErr: "exclude each other"},
		{name: "cpix key alone", flags: EncryptFlags{Scheme: "cenc", KeysFile: "a", CPIXKey: "b"}, wantErr: "--cpix-key needs --cpix"},
		{name: "no keys", flags: EncryptFlags{Scheme: "cenc"}, wantErr: "never taken from a flag"},
		{name: "unknown system", flags: EncryptFlags{Scheme: "cenc", KeysFile: "a", DRM: []string{"marlin"}}, wantErr: "marlin"},
		{name: "fairplay with cenc", flags: EncryptFlags{Scheme: "cenc", KeysFile: "a", DRM: []string{"widevine", "fairplay"}}, wantErr: "FairPlay Streaming decrypts only cbcs"},
		{name: "negative clear lead", flags: EncryptFlags{Scheme: "cenc", KeysFile: "a", ClearLead: -time.Second}, wantErr: "negative"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			getenv := tc.getenv
			if getenv == nil {
				getenv = noEnv
			}
			err := CheckEncryptFlags(tc.flags, getenv)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var fe *FlagError
			if !errors.As(err, &fe) || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v, want a FlagError containing %q", err, tc.wantErr)
			}
		})
	}
}

// testSource is a KeySource over a map of files and variables.
func testSource(files map[string]string, env map[string]string, log *slog.Logger) KeySource {
	return KeySource{
		ReadFile: func(p string) ([]byte, error) {
			if p == "locked.json" {
				return nil, &fs.PathError{Op: "open", Path: p, Err: fs.ErrPermission}
			}
			s, ok := files[p]
			if !ok {
				return nil, &fs.PathError{Op: "open", Path: p, Err: fs.ErrNotExist}
			}
			return []byte(s), nil
		},
		Getenv: func(k string) string { return env[k] },
		Log:    log,
	}
}

func TestLoadEncryption(t *testing.T) {
	files := map[string]string{"keys.json": goodKeyFile}
	enc, err := LoadEncryption(EncryptFlags{Scheme: "cbcs", KeysFile: "keys.json", DRM: []string{"fairplay", "widevine"}, ClearLead: 4 * time.Second},
		testSource(files, nil, nil))
	if err != nil {
		t.Fatal(err)
	}
	if enc.Scheme != drm.CBCS || enc.ClearLead != 4*time.Second || len(enc.Keys.Keys) != 1 || enc.KeySource != "keys.json" ||
		len(enc.Systems) != 2 || enc.Systems[0] != drm.Widevine || enc.RequireAllKeys {
		t.Errorf("encryption %+v", enc)
	}
	// Environment: one key, or a whole key file.
	enc, err = LoadEncryption(EncryptFlags{Scheme: "cenc"}, testSource(nil, map[string]string{EnvKey: "00112233445566778899aabbccddeeff:" + secretHex}, nil))
	if err != nil || enc.KeySource != EnvKey || len(enc.Systems) != 0 {
		t.Fatalf("VPACK_KEY: %+v, %v", enc, err)
	}
	enc, err = LoadEncryption(EncryptFlags{Scheme: "cenc"}, testSource(nil, map[string]string{EnvKeys: goodKeyFile}, nil))
	if err != nil || enc.KeySource != EnvKeys {
		t.Fatalf("VPACK_KEYS: %+v, %v", enc, err)
	}
	// A flag wins over the environment.
	enc, err = LoadEncryption(EncryptFlags{Scheme: "cenc", KeysFile: "keys.json"}, testSource(files, map[string]string{EnvKey: "bad"}, nil))
	if err != nil || enc.KeySource != "keys.json" {
		t.Fatalf("flag over env: %+v, %v", enc, err)
	}
	if enc, err := LoadEncryption(EncryptFlags{}, testSource(nil, nil, nil)); enc != nil || err != nil {
		t.Errorf("clear: %v, %v", enc, err)
	}
}

// TestLoadEncryptionErrors: every bad key source is a *KeyFileError that
// names it (exit 6), or a *FlagError (exit 2), and none quotes a key.
func TestLoadEncryptionErrors(t *testing.T) {
	files := map[string]string{
		"bad.json":      `{"version": 1, "keys": [{"kid": "00112233445566778899aabbccddeeff", "key": "` + secretHex + `00"}]}`,
		"dup.json":      `{"version": 1, "keys": [{"kid": "00112233445566778899aabbccddeeff", "key": "` + secretHex + `", "tracks": ["sd"]}, {"kid": "00112233445566778899aabbccddeeff", "key": "` + secretHex + `", "tracks": ["hd"]}]}`,
		"notjson.json":  `kid=` + secretHex,
		"fairplay.xml":  `<cpix:CPIX xmlns:cpix="urn:dashif:org:cpix" xmlns:pskc="urn:ietf:params:xml:ns:keyprov:pskc"><cpix:ContentKeyList><cpix:ContentKey kid="00112233-4455-6677-8899-aabbccddeeff"><cpix:Data><pskc:Secret><pskc:PlainValue>XsfnXsfnXsfnXsfnXsfnXg==</pskc:PlainValue></pskc:Secret></cpix:Data></cpix:ContentKey></cpix:ContentKeyList><cpix:DRMSystemList><cpix:DRMSystem kid="00112233-4455-6677-8899-aabbccddeeff" systemId="94ce86fb-07ff-4f43-adb8-93d2fa968ca2"><cpix:URIExtXKey>c2tkOi8vYQ==</cpix:URIExtXKey></cpix:DRMSystem></cpix:DRMSystemList></cpix:CPIX>`,
		"broken.xml":    `<cpix:CPIX`,
		"notakey.pem":   "hello",
		"keys.cpix.xml": `<cpix:CPIX xmlns:cpix="urn:dashif:org:cpix"/>`,
	}
	tests := []struct {
		name   string
		flags  EncryptFlags
		env    map[string]string
		source string // InputFile of the *KeyFileError; "" for a FlagError
		want   string
	}{
		{"missing file", EncryptFlags{Scheme: "cenc", KeysFile: "nope.json"}, nil, "nope.json", "no such key file"},
		{"unreadable file", EncryptFlags{Scheme: "cenc", KeysFile: "locked.json"}, nil, "locked.json", "permission denied"},
		{"wrong key length", EncryptFlags{Scheme: "cenc", KeysFile: "bad.json"}, nil, "bad.json", "34 hex digits, want 32"},
		{"duplicate KID", EncryptFlags{Scheme: "cenc", KeysFile: "dup.json"}, nil, "dup.json", "duplicate key ID"},
		{"malformed key file", EncryptFlags{Scheme: "cenc", KeysFile: "notjson.json"}, nil, "notjson.json", "invalid JSON"},
		{"malformed CPIX", EncryptFlags{Scheme: "cenc", CPIXFile: "broken.xml"}, nil, "broken.xml", "XML syntax error"},
		{"CPIX without keys", EncryptFlags{Scheme: "cenc", CPIXFile: "keys.cpix.xml"}, nil, "keys.cpix.xml", "no content keys"},
		{"CPIX FairPlay with cenc", EncryptFlags{Scheme: "cenc", CPIXFile: "fairplay.xml"}, nil, "fairplay.xml", "FairPlay needs the cbcs scheme"},
		{"bad private key", EncryptFlags{Scheme: "cenc", CPIXFile: "fairplay.xml", CPIXKey: "notakey.pem"}, nil, "notakey.pem", "not a PEM private key"},
		{"bad VPACK_KEY", EncryptFlags{Scheme: "cenc"}, map[string]string{EnvKey: "00112233445566778899aabbccddeeff:" + secretHex[:30]}, EnvKey, "want 32"},
		{"bad VPACK_KEYS", EncryptFlags{Scheme: "cenc"}, map[string]string{EnvKeys: "{"}, EnvKeys, "unexpected end"},
		{"both variables", EncryptFlags{Scheme: "cenc"}, map[string]string{EnvKeys: goodKeyFile, EnvKey: "x"}, EnvKeys, "unset one"},
		{"FairPlay with cenc", EncryptFlags{Scheme: "cenc", KeysFile: "dup.json", DRM: []string{"fairplay"}}, nil, "dup.json", "duplicate"},
		{"no keys at all", EncryptFlags{Scheme: "cenc"}, nil, "", "needs keys"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadEncryption(tc.flags, testSource(files, tc.env, nil))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one containing %q", err, tc.want)
			}
			if strings.Contains(err.Error(), secretHex[:8]) || strings.Contains(err.Error(), "Xsfn") {
				t.Errorf("error quotes a key: %v", err)
			}
			var ke *KeyFileError
			var fe *FlagError
			switch {
			case tc.source == "" && !errors.As(err, &fe):
				t.Errorf("err = %#v, want a *FlagError", err)
			case tc.source != "" && (!errors.As(err, &ke) || ke.InputFile() != tc.source):
				t.Errorf("err = %#v, want a *KeyFileError blaming %s", err, tc.source)
			}
		})
	}
}

// TestLoadEncryptionFiles uses real files: a key file readable by others
// is used with a warning; one that cannot be read fails clearly.
func TestLoadEncryptionFiles(t *testing.T) {
	dir := t.TempDir()
	open := filepath.Join(dir, "open.json")
	if err := os.WriteFile(open, []byte(goodKeyFile), 0o644); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	if _, err := LoadEncryption(EncryptFlags{Scheme: "cenc", KeysFile: open}, SystemKeySource(log)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "readable by other users") || strings.Contains(logs.String(), secretHex) {
		t.Errorf("log: %s", logs.String())
	}

	private := filepath.Join(dir, "private.json")
	if err := os.WriteFile(private, []byte(goodKeyFile), 0o600); err != nil {
		t.Fatal(err)
	}
	logs.Reset()
	if _, err := LoadEncryption(EncryptFlags{Scheme: "cenc", KeysFile: private}, SystemKeySource(log)); err != nil || logs.Len() > 0 {
		t.Errorf("0600 file: %v, log %q", err, logs.String())
	}

	locked := filepath.Join(dir, "locked.json")
	if err := os.WriteFile(locked, []byte(goodKeyFile), 0o000); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		t.Log("running as root, who reads any file: the unreadable case is covered by TestLoadEncryptionErrors")
	} else {
		_, err := LoadEncryption(EncryptFlags{Scheme: "cenc", KeysFile: locked}, SystemKeySource(log))
		var ke *KeyFileError
		if !errors.As(err, &ke) || !strings.Contains(err.Error(), "permission denied") {
			t.Errorf("unreadable file: err = %v", err)
		}
	}
	_, err := LoadEncryption(EncryptFlags{Scheme: "cenc", KeysFile: dir}, SystemKeySource(log))
	var ke *KeyFileError
	if !errors.As(err, &ke) || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("directory: err = %v", err)
	}
}
