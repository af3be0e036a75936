// Package encodecmd implements `vpack encode`: mezzanine in, renditions out.
package encodecmd

import (
	"context"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/vpack-dev/vpack/encode"
	"github.com/vpack-dev/vpack/internal/cli/cmdutil"
	"github.com/vpack-dev/vpack/ladder"
	"github.com/vpack-dev/vpack/pipeline"
)

// EncodeOptions are the inputs of `vpack encode`.
type EncodeOptions struct {
	IO      *cmdutil.IOStreams
	Factory *cmdutil.Factory
	JSON    bool

	Input           string
	Output          string
	Ladder          string
	Codec           string
	Preset          string
	SegmentDuration time.Duration
	AudioCodec      string
	Surround        string
	Force           bool
	KeepRenditions  bool
	Package         pipeline.PackageOptions
	Encrypt         cmdutil.EncryptFlags
	Subtitles       cmdutil.SubtitleFlags
	Thumbnails      cmdutil.ThumbnailFlags
	// NoSourceSubtitles leaves the mezzanine's own text streams out.
	NoSourceSubtitles bool

	// ThumbnailConfig is Thumbnails resolved by check; nil without --thumbnails.
	ThumbnailConfig *encode.ThumbnailConfig
}

// NewCmdEncode builds the command; runF replaces encodeRun in tests.
func NewCmdEncode(f *cmdutil.Factory, runF func(context.Context, *EncodeOptions) error) *cobra.Command {
	opts := &EncodeOptions{IO: f.IO, Factory: f}
	cmd := &cobra.Command{
		Use:   "encode <mezzanine> -o <folder>",
		Short: "Encode a mezzanine file into a ladder of aligned renditions",
		Long: `Encode probes the input, adapts the ladder to it (never upscaling, keeping the
display aspect ratio, square pixels, halving high frame rates on the low rungs)
and encodes every rung in one ffmpeg process that decodes the source once.

Every rung has closed GOPs and keyframes at the same timestamps, one at every
segment boundary (--segment-duration), and capped VBR (peak <= 2x average).
Every audio track of the source is kept with its language: AAC-LC stereo by
default, plus E-AC-3 5.1 for surround sources with --surround eac3.

Work happens in a hidden folder beside the output and is renamed into place
only when everything succeeded. An existing output folder is refused unless
--force.

Ladders: auto (default), apple-h264, apple-hevc, or a JSON ladder file (see
the README). auto builds a per-title ladder from trial encodes of the input,
as 'vpack ladder' does (VMAF when VPACK_VMAF_FFMPEG/VPACK_VMAF_MODEL or the
ffmpeg on PATH provide it, else PSNR); see 'vpack ladder --help'.

Encryption (--encrypt cenc|cbcs) protects the package with Common Encryption;
keys come from --keys, --cpix or the VPACK_KEYS / VPACK_KEY environment
variables (never from a flag) and are checked before encoding starts. See
'vpack package --help'.

Subtitles: text streams of the mezzanine (mov_text, SRT, WebVTT, ASS in MKV)
are packaged with their language, forced and SDH flags; --subtitles adds
side-car files (WebVTT, SRT, TTML/IMSC1) and replaces an embedded stream of
the same language and kind. --thumbnails makes tiled JPEG trick-play
thumbnails, signalled in HLS, DASH and a WebVTT track (images/thumbnails.vtt).`,
		Example: `  vpack encode movie.mov -o out/
  vpack encode movie.mov -o out/ --ladder apple-hevc
  vpack encode movie.mov -o out/ --ladder my-ladder.json --codec hevc --preset slow
  vpack encode movie.mov -o out/ --surround eac3 --segment-duration 6s
  vpack encode movie.mov -o out/ --encrypt cbcs --keys keys.json --drm widevine,playready,fairplay
  vpack encode movie.mov -o out/ --encrypt cenc --cpix keys.cpix.xml
  vpack encode movie.mov -o out/ --subtitles en=movie.en.vtt --subtitles fr=movie.fr.srt --subtitles de:forced=de.vtt
  vpack encode movie.mov -o out/ --thumbnails 10s --thumbnail-size 320x180`,
		Args: cmdutil.ExactArgs(1, "one input file"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Input = args[0]
			opts.JSON = f.Flags.JSON
			if err := opts.check(); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return encodeRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.Output, "output", "o", "", "output folder (required)")
	fl.StringVar(&opts.Ladder, "ladder", ladder.AutoName, "ladder: auto (per-title), apple-h264, apple-hevc or a JSON file")
	fl.StringVar(&opts.Codec, "codec", "", "video codec for every rung: h264, hevc or av1 (default: the ladder's)")
	fl.StringVar(&opts.Preset, "preset", "medium", "speed/quality preset: ultrafast, veryfast, faster, fast, medium, slow, slower")
	fl.DurationVar(&opts.SegmentDuration, "segment-duration", 4*time.Second, "segment duration; every rung has a keyframe at each boundary")
	fl.StringVar(&opts.AudioCodec, "audio-codec", "aac", "stereo audio codec: aac or opus")
	fl.StringVar(&opts.Surround, "surround", "none", "extra 5.1 rendition for surround sources: eac3 or none")
	fl.BoolVar(&opts.Force, "force", false, "replace an existing output folder")
	fl.BoolVar(&opts.KeepRenditions, "keep-renditions", false, "keep the encoded MP4 renditions in <output>/renditions")
	cmdutil.AddPackageFlags(fl, &opts.Package)
	cmdutil.AddEncryptFlags(fl, &opts.Encrypt)
	cmdutil.AddSubtitleFlags(fl, &opts.Subtitles)
	fl.BoolVar(&opts.NoSourceSubtitles, "no-source-subtitles", false, "leave out the subtitle streams of the input")
	cmdutil.AddThumbnailFlags(fl, &opts.Thumbnails)
	return cmd
}

func (o *EncodeOptions) check() error {
	if o.Output == "" {
		return cmdutil.FlagErrorf("--output (-o) is required")
	}
	if filepath.Clean(o.Output) == filepath.Clean(o.Input) {
		return cmdutil.FlagErrorf("--output must be a folder, not the input file")
	}
	if err := cmdutil.CheckEncodeFlags(o.Codec, o.Preset, o.SegmentDuration, o.AudioCodec, o.Surround); err != nil {
		return err
	}
	if err := cmdutil.CheckPackageFlags(o.Package); err != nil {
		return err
	}
	if err := cmdutil.CheckEncryptFlags(o.Encrypt, os.Getenv); err != nil {
		return err
	}
	subs, format, err := o.Subtitles.Resolve()
	if err != nil {
		return err
	}
	o.Package.Subtitles, o.Package.SubtitleFormat = subs, format
	if o.ThumbnailConfig, err = o.Thumbnails.Resolve(); err != nil {
		return err
	}
	return nil
}

func encodeRun(ctx context.Context, opts *EncodeOptions) error {
	f := opts.Factory
	// Keys are read and checked before the encode: a bad key file must not
	// cost an encode.
	enc, err := cmdutil.LoadEncryption(opts.Encrypt, cmdutil.SystemKeySource(f.Logger()))
	if err != nil {
		return err
	}
	opts.Package.Encryption = enc
	runner, err := f.FFmpeg()
	if err != nil {
		return err
	}
	progress := f.NewProgress("encode")
	defer progress.Finish()
	cfg := pipeline.EncodeConfig{
		Input:           opts.Input,
		Output:          opts.Output,
		Force:           opts.Force,
		Ladder:          opts.Ladder,
		Codec:           ladder.Codec(opts.Codec),
		Preset:          opts.Preset,
		SegmentDuration: opts.SegmentDuration,
		AudioCodec:      ladder.Codec(opts.AudioCodec),
		Surround:        opts.Surround == "eac3",
		KeepRenditions:  opts.KeepRenditions,
		Package:         opts.Package,
		Thumbnails:      opts.ThumbnailConfig,

		NoSourceSubtitles: opts.NoSourceSubtitles,
		Log:               f.Logger(),
		Progress:          progress.StageUpdate,
	}
	res, err := pipeline.Encode(ctx, runner, cfg)
	progress.Finish()
	if err != nil {
		return err
	}
	if opts.JSON {
		return cmdutil.WriteJSON(opts.IO.Out, res)
	}
	return cmdutil.PrintManifests(opts.IO.Out, res.Output, res.Manifests)
}
