// Package probecmd implements `vpack probe`: what vpack sees in an input.
package probecmd

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/vpack-dev/vpack/encode"
	"github.com/vpack-dev/vpack/internal/cli/cmdutil"
)

// ProbeOptions are the inputs of `vpack probe`.
type ProbeOptions struct {
	IO     *cmdutil.IOStreams
	FFmpeg func() (encode.Runner, error)
	JSON   bool
	Input  string
}

// NewCmdProbe builds the command; runF replaces probeRun in tests.
func NewCmdProbe(f *cmdutil.Factory, runF func(context.Context, *ProbeOptions) error) *cobra.Command {
	opts := &ProbeOptions{IO: f.IO, FFmpeg: f.FFmpeg}
	cmd := &cobra.Command{
		Use:   "probe <file>",
		Short: "Show what vpack sees in an input file",
		Long: `Probe runs ffprobe on the file and prints vpack's reading of it: container,
duration, and every stream with codec, size, sample and display aspect
ratio, rotation, frame rate (and whether it is variable), pixel format and
bit depth, colour transfer (SDR/HDR), audio channels, layout and language.

A table by default; --json prints the full model.`,
		Example: "  vpack probe movie.mov\n  vpack probe movie.mov --json | jq .video[0].frame_rate",
		Args:    cmdutil.ExactArgs(1, "one input file"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Input = args[0]
			opts.JSON = f.Flags.JSON
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return probeRun(cmd.Context(), opts)
		},
	}
	return cmd
}

func probeRun(ctx context.Context, opts *ProbeOptions) error {
	r, err := opts.FFmpeg()
	if err != nil {
		return err
	}
	p, err := encode.ProbeFile(ctx, r, opts.Input)
	if err != nil {
		return err
	}
	if opts.JSON {
		return cmdutil.WriteJSON(opts.IO.Out, p)
	}
	return printTable(opts.IO.Out, p)
}

func printTable(w io.Writer, p *encode.Probe) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "file\t%s\n", p.Path)
	fmt.Fprintf(tw, "container\t%s\n", p.Container)
	fmt.Fprintf(tw, "duration\t%.3fs\n", p.Duration.Seconds())
	fmt.Fprintf(tw, "size\t%d bytes\n", p.SizeBytes)
	if p.BitrateKbps > 0 {
		fmt.Fprintf(tw, "bitrate\t%d kbps\n", p.BitrateKbps)
	}
	for _, v := range p.Video {
		dw, dh := v.DisplaySize()
		fr := fmt.Sprintf("%.3f fps (%d/%d)", v.FrameRate.Float(), v.FrameRate.Num, v.FrameRate.Den)
		if v.VariableFrameRate {
			fr += " variable"
		}
		dyn := "SDR"
		if v.HDR {
			dyn = "HDR"
		}
		fmt.Fprintf(tw, "video #%d\t%s %dx%d  SAR %d:%d  DAR %d:%d  display %dx%d  rotation %d°\n",
			v.Index, v.Codec, v.Width, v.Height, v.SAR.Num, v.SAR.Den, v.DAR.Num, v.DAR.Den, dw, dh, v.Rotation)
		fmt.Fprintf(tw, "\t%s  %s %d-bit  %s %s\n", fr, v.PixFmt, v.BitDepth, dyn, v.ColorTransfer)
	}
	for _, a := range p.Audio {
		lang := a.Language
		if lang == "" {
			lang = "und"
		}
		layout := strings.TrimSpace(a.ChannelLayout)
		fmt.Fprintf(tw, "audio #%d\t%s %d Hz  %d ch %s  lang %s\n", a.Index, a.Codec, a.SampleRate, a.Channels, layout, lang)
	}
	for _, s := range p.Subtitles {
		fmt.Fprintf(tw, "subtitle #%d\t%s  lang %s\n", s.Index, s.Codec, s.Language)
	}
	return tw.Flush()
}
