// Package keyscmd implements `vpack keys`: content keys for `vpack encode
// --encrypt` and `vpack package --encrypt`, written to a file only its
// owner can read.
package keyscmd

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/vpack-dev/vpack/drm"
	"github.com/vpack-dev/vpack/internal/cli/cmdutil"
)

// NewCmdKeys builds `vpack keys` and its subcommands.
func NewCmdKeys(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "keys <command>",
		Short: "Make content keys for encrypted packages",
		Long: `Keys makes the content keys that 'vpack encode --encrypt' and 'vpack package
--encrypt' use. Key files hold keys in the clear: they are written readable by
their owner only (mode 0600), and vpack never prints a key.`,
		Args: cmdutil.ExactArgs(0, "a subcommand (generate)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return cmdutil.FlagErrorf("%s: expected a subcommand (generate)", cmd.CommandPath())
		},
	}
	cmd.AddCommand(NewCmdGenerate(f, nil))
	return cmd
}

// GenerateOptions are the inputs of `vpack keys generate`.
type GenerateOptions struct {
	IO   *cmdutil.IOStreams
	JSON bool

	Tracks    []string // track classes, one key each
	Output    string
	Format    string // json or cpix; empty: by the output's extension
	Scheme    string // CPIX commonEncryptionScheme, optional
	ContentID string // CPIX contentId, optional
	Force     bool

	// Rand is where keys and key IDs come from; nil means crypto/rand.
	Rand io.Reader
}

// NewCmdGenerate builds `vpack keys generate`; runF replaces generateRun
// in tests.
func NewCmdGenerate(f *cmdutil.Factory, runF func(context.Context, *GenerateOptions) error) *cobra.Command {
	opts := &GenerateOptions{IO: f.IO}
	cmd := &cobra.Command{
		Use:   "generate --tracks <classes> -o <file>",
		Short: "Write random key IDs and keys, one per track class",
		Long: `Generate writes one random 128-bit key, with a random key ID, for each track
class of --tracks, as a vpack key file (JSON) or, with --format cpix or a .xml
output name, as a DASH-IF CPIX 2.3 document with usage rules for a key server.

Track classes decide which key protects a track (a common licence policy):

  all     every track (the default; alone, one key for everything)
  audio   audio tracks
  video   video tracks not in a narrower class below
  sd      video below 720 lines      hd   720 to 1080 lines
  uhd     video above 1080 lines

The narrowest class that matches wins: with audio,sd,hd an audio track gets
the audio key, 540p the sd key, 1080p the hd key; a 2160p rung would have no
key and packaging would stop, naming it.

The file is created with mode 0600; an existing file is kept unless --force.
The key file format:

  {"version": 1,
   "keys": [{"kid": "<32 hex>", "key": "<32 hex>", "tracks": ["audio"]}, ...],
   "drm": {"playready": {"la_url": "..."}, "fairplay": {"uri": "skd://{kid}"},
           "widevine": {"provider": "...", "content_id": "<hex>"},
           "clearkey": {"la_url": "..."}}}

kid may also be a UUID; key may be base64; "iv" (16 or 32 hex digits) fixes
the IV; "drm" is optional.`,
		Example: `  vpack keys generate -o keys.json
  vpack keys generate --tracks audio,sd,hd -o keys.json
  vpack keys generate --tracks audio,video -o keys.cpix.xml --scheme cbcs
  vpack package v*.mp4 a.mp4 -o out/ --encrypt cenc --keys keys.json`,
		Args: cmdutil.ExactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.JSON = f.Flags.JSON
			if err := opts.check(); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return generateRun(opts)
		},
	}
	fl := cmd.Flags()
	fl.StringSliceVar(&opts.Tracks, "tracks", []string{"all"}, "track classes, one key each: all, audio, video, sd, hd, uhd")
	fl.StringVarP(&opts.Output, "output", "o", "", "key file to write (required)")
	fl.StringVar(&opts.Format, "format", "", "json (vpack key file) or cpix (default: cpix for a .xml name, else json)")
	fl.StringVar(&opts.Scheme, "scheme", "", "CPIX only: commonEncryptionScheme of the keys, cenc or cbcs")
	fl.StringVar(&opts.ContentID, "content-id", "", "CPIX only: contentId of the document")
	fl.BoolVar(&opts.Force, "force", false, "replace an existing file")
	return cmd
}

func (o *GenerateOptions) check() error {
	if o.Output == "" {
		return cmdutil.FlagErrorf("--output (-o) is required")
	}
	if o.Format == "" {
		o.Format = "json"
		if strings.EqualFold(filepath.Ext(o.Output), ".xml") {
			o.Format = "cpix"
		}
	}
	switch o.Format {
	case "json", "cpix":
	default:
		return cmdutil.FlagErrorf("--format must be json or cpix, not %q", o.Format)
	}
	if o.Scheme != "" {
		if _, err := drm.ParseScheme(o.Scheme); err != nil {
			return cmdutil.FlagErrorf("--scheme must be cenc or cbcs, not %q", o.Scheme)
		}
		if o.Format != "cpix" {
			return cmdutil.FlagErrorf("--scheme is for CPIX documents (--format cpix)")
		}
	}
	if len(o.Tracks) == 0 {
		return cmdutil.FlagErrorf("--tracks needs at least one class")
	}
	seen := map[string]bool{}
	for i, c := range o.Tracks {
		c = strings.ToLower(strings.TrimSpace(c))
		if _, err := drm.ClassRule(c); err != nil {
			return cmdutil.FlagErrorf("--tracks: %q is not a track class (all, audio, video, sd, hd, uhd)", c)
		}
		if seen[c] {
			return cmdutil.FlagErrorf("--tracks: %q is given twice", c)
		}
		seen[c] = true
		o.Tracks[i] = c
	}
	return nil
}

// GenerateResult is the --json output: key IDs and classes, never keys.
type GenerateResult struct {
	Path string         `json:"path"`
	Keys []GeneratedKey `json:"keys"`
}

// GeneratedKey is one key of GenerateResult, without its value.
type GeneratedKey struct {
	KID    string   `json:"kid"`
	Tracks []string `json:"tracks"`
}

func generateRun(opts *GenerateOptions) error {
	ks, err := Generate(opts.Rand, opts.Tracks)
	if err != nil {
		return err
	}
	ks.ContentID = opts.ContentID
	var data []byte
	if opts.Format == "cpix" {
		data, err = drm.MarshalCPIX(ks, drm.Scheme(opts.Scheme))
	} else {
		data, err = drm.MarshalKeyFile(ks)
	}
	if err != nil {
		return err
	}
	if err := writeSecretFile(opts.Output, data, opts.Force); err != nil {
		return err
	}
	if opts.JSON {
		res := GenerateResult{Path: opts.Output}
		for _, k := range ks.Keys {
			res.Keys = append(res.Keys, GeneratedKey{KID: k.KID.String(), Tracks: k.Classes})
		}
		return cmdutil.WriteJSON(opts.IO.Out, res)
	}
	_, err = fmt.Fprintln(opts.IO.Out, opts.Output)
	return err
}

// Generate makes one random key and key ID per track class. Key IDs are
// random (version 4) UUIDs.
func Generate(rnd io.Reader, classes []string) (*drm.KeySet, error) {
	if rnd == nil {
		rnd = rand.Reader
	}
	ks := &drm.KeySet{}
	for _, c := range classes {
		r, err := drm.ClassRule(c)
		if err != nil {
			return nil, err
		}
		var kid drm.KID
		key := make([]byte, 16)
		if _, err := io.ReadFull(rnd, kid[:]); err != nil {
			return nil, fmt.Errorf("random key ID: %w", err)
		}
		if _, err := io.ReadFull(rnd, key); err != nil {
			return nil, fmt.Errorf("random key: %w", err)
		}
		kid[6] = kid[6]&0x0f | 0x40 // RFC 9562 version 4
		kid[8] = kid[8]&0x3f | 0x80 // variant
		ks.Keys = append(ks.Keys, drm.ContentKey{KID: kid, Key: drm.NewSecret(key), Classes: []string{c}, Rules: []drm.Rule{r}})
	}
	return ks, ks.Validate()
}

// writeSecretFile writes data to path atomically with mode 0600: a
// temporary file beside it (os.CreateTemp makes it 0600), then a rename.
// An existing path is kept unless force.
func writeSecretFile(path string, data []byte, force bool) error {
	if !force {
		if _, err := os.Lstat(path); err == nil {
			return cmdutil.FlagErrorf("%s exists: keys are not overwritten without --force", path)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return &cmdutil.KeyFileError{Path: path, Err: err}
		}
	}
	dir, name := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+name+".*.tmp")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		os.Remove(f.Name())
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(f.Name())
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
