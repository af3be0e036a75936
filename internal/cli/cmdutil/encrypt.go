package cmdutil

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/vpack-dev/vpack/drm"
	"github.com/vpack-dev/vpack/packager"
)

// Environment variables that carry keys. Keys never come from a flag: a
// command line is visible to every user (ps, /proc) and kept in shell
// history.
const (
	// EnvKeys holds a whole key file (the JSON of --keys).
	EnvKeys = "VPACK_KEYS"
	// EnvKey holds one key for every track as KID:KEY (hex or UUID KID,
	// hex or base64 key).
	EnvKey = "VPACK_KEY"
)

// EncryptFlags are the encryption flags of `vpack encode` and `vpack
// package`, as given. LoadEncryption resolves them into the packager's
// Encryption.
type EncryptFlags struct {
	Scheme    string        // --encrypt: cenc or cbcs; empty: clear
	KeysFile  string        // --keys: JSON key file
	CPIXFile  string        // --cpix: DASH-IF CPIX document
	CPIXKey   string        // --cpix-key: PEM private key for a CPIX document with encrypted keys
	DRM       []string      // --drm: widevine, playready, fairplay, clearkey
	ClearLead time.Duration // --clear-lead
}

// AddEncryptFlags adds the encryption flags shared by `vpack encode` and
// `vpack package`.
func AddEncryptFlags(fl *pflag.FlagSet, e *EncryptFlags) {
	fl.StringVar(&e.Scheme, "encrypt", "", "encrypt with Common Encryption: cenc (AES-CTR) or cbcs (AES-CBC pattern, needed by FairPlay)")
	fl.StringVar(&e.KeysFile, "keys", "", "JSON key `file` (see vpack keys generate); or set "+EnvKeys+" (the JSON) or "+EnvKey+"=KID:KEY")
	fl.StringVar(&e.CPIXFile, "cpix", "", "DASH-IF CPIX document with the keys, usage rules and DRM signalling")
	fl.StringVar(&e.CPIXKey, "cpix-key", "", "PEM RSA private key that decrypts the keys of an encrypted CPIX document")
	fl.StringSliceVar(&e.DRM, "drm", nil, "DRM systems to signal: widevine,playready,fairplay,clearkey (default: the CPIX document's, else clearkey)")
	fl.DurationVar(&e.ClearLead, "clear-lead", 0, "leave the segments that start within this time clear (rounded up to whole segments)")
}

// CheckEncryptFlags rejects contradictory encryption flags, with getenv
// the environment (os.Getenv).
func CheckEncryptFlags(e EncryptFlags, getenv func(string) string) error {
	if e.Scheme == "" {
		switch {
		case e.KeysFile != "", e.CPIXFile != "", e.CPIXKey != "", len(e.DRM) > 0, e.ClearLead != 0:
			return FlagErrorf("--keys, --cpix, --cpix-key, --drm and --clear-lead need --encrypt cenc or --encrypt cbcs")
		}
		return nil
	}
	scheme, err := drm.ParseScheme(e.Scheme)
	if err != nil {
		return FlagErrorf("--encrypt must be cenc or cbcs, not %q", e.Scheme)
	}
	if e.KeysFile != "" && e.CPIXFile != "" {
		return FlagErrorf("--keys and --cpix exclude each other")
	}
	if e.CPIXKey != "" && e.CPIXFile == "" {
		return FlagErrorf("--cpix-key needs --cpix")
	}
	if e.KeysFile == "" && e.CPIXFile == "" && getenv(EnvKeys) == "" && getenv(EnvKey) == "" {
		return FlagErrorf("--encrypt needs keys: --keys FILE, --cpix FILE, or the %s or %s environment variable (keys are never taken from a flag)", EnvKeys, EnvKey)
	}
	if e.ClearLead < 0 {
		return FlagErrorf("--clear-lead must not be negative")
	}
	systems, err := drm.ParseSystems(strings.Join(e.DRM, ","))
	if err != nil {
		return FlagErrorf("--drm: %v", err)
	}
	if err := drm.CheckSystems(scheme, systems); err != nil {
		return FlagErrorf("--drm fairplay needs --encrypt cbcs: FairPlay Streaming decrypts only cbcs, not cenc")
	}
	return nil
}

// KeyFileError blames a key source: a key file, a CPIX document, its
// private key, or an environment variable (Path is then its name). It
// never holds key material. The CLI exits 6 (bad input) for it.
type KeyFileError struct {
	Path string
	Err  error
}

func (e *KeyFileError) Error() string { return e.Path + ": " + e.Err.Error() }
func (e *KeyFileError) Unwrap() error { return e.Err }

// InputFile names the key source at fault.
func (e *KeyFileError) InputFile() string { return e.Path }

// KeySource reads key sources; tests replace ReadFile and Getenv.
type KeySource struct {
	ReadFile func(string) ([]byte, error)
	Stat     func(string) (fs.FileInfo, error)
	Getenv   func(string) string
	Log      *slog.Logger
}

// SystemKeySource reads the file system and the process environment.
func SystemKeySource(log *slog.Logger) KeySource {
	return KeySource{ReadFile: os.ReadFile, Stat: os.Stat, Getenv: os.Getenv, Log: log}
}

// LoadEncryption resolves checked encryption flags into the packager's
// Encryption: nil without --encrypt. Keys come from --keys, else --cpix,
// else VPACK_KEYS, else VPACK_KEY. A key file readable by other users is
// used, with a warning. Every failure is a *KeyFileError naming the
// source, and none quotes a key.
func LoadEncryption(e EncryptFlags, src KeySource) (*packager.Encryption, error) {
	if e.Scheme == "" {
		return nil, nil
	}
	log := src.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	scheme, err := drm.ParseScheme(e.Scheme)
	if err != nil {
		return nil, FlagErrorf("--encrypt must be cenc or cbcs, not %q", e.Scheme)
	}
	enc := &packager.Encryption{Scheme: scheme, ClearLead: e.ClearLead}
	var origin string
	switch {
	case e.KeysFile != "":
		origin = e.KeysFile
		data, err := src.readKeyFile(e.KeysFile, log)
		if err != nil {
			return nil, err
		}
		if enc.Keys, err = drm.ParseKeyFile(data); err != nil {
			return nil, &KeyFileError{Path: origin, Err: err}
		}
	case e.CPIXFile != "":
		origin = e.CPIXFile
		data, err := src.readKeyFile(e.CPIXFile, log)
		if err != nil {
			return nil, err
		}
		var opts drm.CPIXOptions
		if e.CPIXKey != "" {
			if opts.PrivateKey, err = src.privateKey(e.CPIXKey, log); err != nil {
				return nil, err
			}
		}
		if enc.Keys, err = drm.ParseCPIX(data, opts); err != nil {
			return nil, &KeyFileError{Path: origin, Err: err}
		}
		enc.RequireAllKeys = true
	case src.Getenv(EnvKeys) != "":
		if src.Getenv(EnvKey) != "" {
			return nil, &KeyFileError{Path: EnvKeys, Err: fmt.Errorf("both %s and %s are set: unset one", EnvKeys, EnvKey)}
		}
		origin = EnvKeys
		if enc.Keys, err = drm.ParseKeyFile([]byte(src.Getenv(EnvKeys))); err != nil {
			return nil, &KeyFileError{Path: origin, Err: err}
		}
	case src.Getenv(EnvKey) != "":
		origin = EnvKey
		if enc.Keys, err = drm.ParseKeyPair(src.Getenv(EnvKey)); err != nil {
			return nil, &KeyFileError{Path: origin, Err: err}
		}
	default:
		return nil, FlagErrorf("--encrypt needs keys: --keys FILE, --cpix FILE, or the %s or %s environment variable", EnvKeys, EnvKey)
	}
	if len(e.DRM) > 0 {
		if enc.Systems, err = drm.ParseSystems(strings.Join(e.DRM, ",")); err != nil {
			return nil, FlagErrorf("--drm: %v", err)
		}
	} else {
		enc.Systems = enc.Keys.GivenSystems() // the CPIX document's; none: ClearKey
	}
	if err := drm.CheckSystems(scheme, enc.Systems); err != nil {
		if len(e.DRM) > 0 {
			return nil, FlagErrorf("--drm fairplay needs --encrypt cbcs: FairPlay Streaming decrypts only cbcs, not cenc")
		}
		return nil, &KeyFileError{Path: origin, Err: fmt.Errorf("the document signals FairPlay: %w", err)}
	}
	enc.KeySource = origin
	log.Debug("keys loaded", "source", origin, "keys", len(enc.Keys.Keys), "scheme", string(scheme))
	return enc, nil
}

// readKeyFile reads a key file, warning when other users may read it.
func (src KeySource) readKeyFile(path string, log *slog.Logger) ([]byte, error) {
	if src.Stat != nil {
		if st, err := src.Stat(path); err == nil && st.Mode().IsRegular() && st.Mode().Perm()&0o077 != 0 {
			log.Warn("key file is readable by other users; chmod 600 it", "path", path, "mode", fmt.Sprintf("%04o", st.Mode().Perm()))
		}
	}
	data, err := src.ReadFile(path)
	if err != nil {
		var pe *fs.PathError
		switch {
		case errors.Is(err, fs.ErrPermission):
			err = errors.New("cannot read the key file: permission denied (it should be readable by you only, mode 0600)")
		case errors.Is(err, fs.ErrNotExist):
			err = errors.New("no such key file")
		case errors.As(err, &pe):
			err = fmt.Errorf("cannot read the key file: %w", pe.Err)
		}
		return nil, &KeyFileError{Path: path, Err: err}
	}
	return data, nil
}

// privateKey reads a PEM RSA private key (PKCS #1 or PKCS #8).
func (src KeySource) privateKey(path string, log *slog.Logger) (*rsa.PrivateKey, error) {
	data, err := src.readKeyFile(path, log)
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, &KeyFileError{Path: path, Err: errors.New("not a PEM private key")}
	}
	if k, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, &KeyFileError{Path: path, Err: errors.New("not an RSA private key (PKCS #1 or PKCS #8 PEM)")}
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, &KeyFileError{Path: path, Err: fmt.Errorf("a %T, not an RSA private key", k)}
	}
	return rk, nil
}
