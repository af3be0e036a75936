// Package packagecmd implements `vpack package`: renditions from any encoder
// in, a CMAF package with HLS and DASH manifests out.
package packagecmd

import (
	"context"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/vpack-dev/vpack/internal/cli/cmdutil"
	"github.com/vpack-dev/vpack/packager"
	"github.com/vpack-dev/vpack/pipeline"
)

// PackageOptions are the inputs of `vpack package`.
type PackageOptions struct {
	IO      *cmdutil.IOStreams
	Factory *cmdutil.Factory
	JSON    bool

	Inputs          []string
	Output          string
	SegmentDuration time.Duration
	Force           bool
	Package         pipeline.PackageOptions
	Encrypt         cmdutil.EncryptFlags
	Subtitles       cmdutil.SubtitleFlags
}

// NewCmdPackage builds the command; runF replaces packageRun in tests.
func NewCmdPackage(f *cmdutil.Factory, runF func(context.Context, *PackageOptions) error) *cobra.Command {
	opts := &PackageOptions{IO: f.IO, Factory: f}
	cmd := &cobra.Command{
		Use:   "package <rendition.mp4>... -o <folder>",
		Short: "Package existing renditions into CMAF with HLS and DASH manifests",
		Long: `Package takes MP4 renditions made by any encoder (progressive or fragmented;
each file may hold video, audio or both) and writes a CMAF package:

  <folder>/master.m3u8            HLS multivariant playlist
  <folder>/manifest.mpd           DASH MPD
  <folder>/video/<id>/init.mp4    init segment, then seg-00001.m4s, ...
  <folder>/video/<id>/index.m3u8  media playlist (and iframes.m3u8)
  <folder>/audio/<id>/...         the same for each audio track
  <folder>/package.json           what was made, with measured bandwidths

Video renditions must have keyframes at the same timestamps: segments are cut
at the first keyframe at or after every --segment-duration, in every rung at
once. Renditions that are not aligned are refused, naming the file and time.
An append of :lang sets the language of a file's audio, e.g. audio.mp4:fr.

Encryption (--encrypt cenc|cbcs) protects every track with Common Encryption
and signals the DRM systems of --drm in the init segments (pssh) and both
manifests. Keys come from a key file (--keys, see 'vpack keys generate'), a
CPIX document (--cpix), or the environment: VPACK_KEYS holds a key file's
JSON, VPACK_KEY=KID:KEY one key for every track. Never from a flag.

Subtitles (--subtitles lang[:forced][:sdh][:default]=file; WebVTT, SRT or
TTML/IMSC1) become text tracks cut on the video's segment boundaries:
--subtitle-format wvtt (default) writes fMP4 WebVTT for DASH and segmented
WebVTT for HLS, stpp fMP4 IMSC1 for both, sidecar one WebVTT file each.`,
		Example: `  vpack package v1080.mp4 v720.mp4 v360.mp4 audio_en.mp4 -o out/
  vpack package v*.mp4 audio.mp4:en -o out/ --single-file
  vpack package v*.mp4 a.mp4 -o out/ --segment-duration 6s --hls-only
  vpack package v*.mp4 a.mp4 -o out/ --encrypt cenc --keys keys.json --drm clearkey
  vpack package v*.mp4 a.mp4 -o out/ --encrypt cbcs --cpix keys.cpix.xml --clear-lead 10s
  vpack package v*.mp4 a.mp4 -o out/ --subtitles en=en.vtt --subtitles de:forced=de.srt --subtitle-format stpp`,
		Args: cmdutil.MinimumArgs(1, "at least one rendition file"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Inputs = args
			opts.JSON = f.Flags.JSON
			if opts.Output == "" {
				return cmdutil.FlagErrorf("--output (-o) is required")
			}
			if opts.SegmentDuration < time.Second || opts.SegmentDuration > 30*time.Second {
				return cmdutil.FlagErrorf("--segment-duration must be between 1s and 30s, not %s", opts.SegmentDuration)
			}
			if err := cmdutil.CheckPackageFlags(opts.Package); err != nil {
				return err
			}
			if err := cmdutil.CheckEncryptFlags(opts.Encrypt, os.Getenv); err != nil {
				return err
			}
			subs, format, err := opts.Subtitles.Resolve()
			if err != nil {
				return err
			}
			opts.Package.Subtitles, opts.Package.SubtitleFormat = subs, format
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return packageRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.Output, "output", "o", "", "output folder (required)")
	fl.DurationVar(&opts.SegmentDuration, "segment-duration", packager.DefaultSegmentDuration, "target segment duration")
	fl.BoolVar(&opts.Force, "force", false, "replace an existing output folder")
	cmdutil.AddPackageFlags(fl, &opts.Package)
	cmdutil.AddEncryptFlags(fl, &opts.Encrypt)
	cmdutil.AddSubtitleFlags(fl, &opts.Subtitles)
	return cmd
}

// parseInput splits "file.mp4:fr" into a path and a language override. A
// colon followed by something that is not a short language tag is part of
// the file name.
func parseInput(arg string) packager.Input {
	if i := strings.LastIndexByte(arg, ':'); i > 0 {
		lang := arg[i+1:]
		if len(lang) >= 2 && len(lang) <= 8 && isLangTag(lang) {
			return packager.Input{Path: arg[:i], Language: lang}
		}
	}
	return packager.Input{Path: arg}
}

func isLangTag(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '-') {
			return false
		}
	}
	return true
}

func packageRun(ctx context.Context, opts *PackageOptions) error {
	f := opts.Factory
	enc, err := cmdutil.LoadEncryption(opts.Encrypt, cmdutil.SystemKeySource(f.Logger()))
	if err != nil {
		return err
	}
	opts.Package.Encryption = enc
	inputs := make([]packager.Input, len(opts.Inputs))
	for i, a := range opts.Inputs {
		inputs[i] = parseInput(a)
	}
	progress := f.NewProgress("package")
	defer progress.Finish()
	res, err := pipeline.Package(ctx, pipeline.PackageConfig{
		Inputs:          inputs,
		Output:          opts.Output,
		Force:           opts.Force,
		SegmentDuration: opts.SegmentDuration,
		Options:         opts.Package,
		Log:             f.Logger(),
		Progress:        progress.StageUpdate,
	})
	progress.Finish()
	if err != nil {
		return err
	}
	if opts.JSON {
		return cmdutil.WriteJSON(opts.IO.Out, res)
	}
	return cmdutil.PrintManifests(opts.IO.Out, res.Output, res.Manifests)
}
