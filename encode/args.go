package encode

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/vpack-dev/vpack/ladder"
)

// scaleFlags is the swscale algorithm for every rung. Lanczos keeps more
// detail than the default bicubic when a ladder downscales by 2-5x (1080p
// to 234p), with less ringing than spline; it costs a few percent of the
// encode time of a ladder, where the encoders dominate.
const scaleFlags = "lanczos"

// Args returns the ffmpeg arguments Run uses: one process that decodes the
// source once and writes every video rung and every audio rendition.
//
// The primary video stream goes through Config.Prefilter (if any), then
// split into one branch per rung, each
//
//	fps=<rate>:start_time=0,scale=<w>:<h>:flags=lanczos,setsar=1,format=<pix_fmt>
//
// where fps makes the rung constant frame rate (also for variable-rate
// sources) and starts it at 0, and the format is yuv420p for H.264 and 8-bit
// sources, yuv420p10le for HEVC and AV1 from sources deeper than 8 bits.
// H.264 rungs of an HDR source are tone-mapped to SDR BT.709 (zscale +
// tonemap=hable) because vpack's H.264 is SDR; HEVC and AV1 rungs keep the
// source's HDR colour description. ffmpeg's autorotation has already turned
// the decoded frames upright, and the outputs carry no rotation.
//
// Every rung gets the same keyframe cadence (see Result.GOPDuration) with
// the rate control and keyframe options of its encoder (RungArgs documents
// them). Each audio rendition maps its source stream, resampled to 48 kHz,
// padded at the start to media time 0 and at the end to the source
// duration, with the language written into the track.
//
// ffmpeg reports progress as key=value blocks on stdout (-progress pipe:1;
// see ParseProgress).
func Args(cfg Config) ([]string, error) {
	p, err := newPlan(cfg)
	if err != nil {
		return nil, err
	}
	return p.args(), nil
}

// RungArgs returns the ffmpeg arguments that encode only video rung i of
// cfg, with exactly the filters and encoder options Args gives that rung in
// the combined command, and no audio. It exists so that a benchmark (and a
// test) can compare one process per rung against Args.
//
// Encoder settings per codec:
//
//   - H.264 (libx264) and HEVC (libx265, tagged hvc1): capped VBR with -b:v,
//     -maxrate and -bufsize, or capped CRF (-crf with -maxrate and -bufsize)
//     when the rung has CRF; keyint and min-keyint equal to the GOP in
//     frames, scenecut=0 and open-gop=0 (closed GOPs), and
//     -force_key_frames at every GOP boundary with -forced-idr 1, so the
//     natural and the forced keyframes fall on the same frames.
//   - AV1 (libsvtav1): ffmpeg 5.1 with SVT-AV1 1.4 ignores forced
//     keyframes in VBR mode (SVT honours them only for CRF/CQP with
//     enable-force-key-frames), so alignment comes from a fixed GOP:
//     keyint equal to the GOP in frames, scd=0 (no scene-change
//     keyframes) and irefresh-type=2 (closed GOP, key frames). On a
//     constant frame rate that puts a key frame at exactly every GOP
//     boundary. -b:v selects SVT's VBR; SVT 1.4 honours a maximum bit rate
//     only in CRF mode, so an ABR AV1 rung has no VBV cap (-maxrate and
//     -bufsize are not passed) and its peak is not bounded by the encoder;
//     a CRF rung is SVT's capped CRF (-crf with -maxrate, no buffer size).
//     Several SVT-AV1 encoders in one process work: two 720p/360p rungs
//     took 3.4 s of CPU in one process against 5.2 s in two; on tiny
//     pictures (256x144) they wait on each other and the wall time grows
//     to several times the CPU time.
func RungArgs(cfg Config, i int) ([]string, error) {
	p, err := newPlan(cfg)
	if err != nil {
		return nil, err
	}
	if i < 0 || i >= len(p.video) {
		return nil, fmt.Errorf("rung %d: only %d rungs", i, len(p.video))
	}
	graph := fmt.Sprintf("[0:%d]%s%s[v%d]", p.src.Index, p.prefilter(), p.rungChain(p.video[i]), i)
	args := p.globalArgs()
	args = append(args, "-filter_complex", graph)
	return append(args, p.videoOutputArgs(i)...), nil
}

func (p *plan) args() []string {
	args := p.globalArgs()
	args = append(args, "-filter_complex", p.filterGraph())
	for i := range p.video {
		args = append(args, p.videoOutputArgs(i)...)
	}
	for i := range p.audio {
		args = append(args, p.audioOutputArgs(i)...)
	}
	return args
}

// globalArgs are the options before the first output: quiet stderr except
// warnings (kept for ToolError), machine-readable progress on stdout, and
// the input. The file: prefix keeps a name starting with "-" or containing
// ":" from being read as an option or a protocol.
func (p *plan) globalArgs() []string {
	return []string{
		"-hide_banner", "-nostdin", "-y", "-loglevel", "warning",
		"-progress", "pipe:1", "-nostats",
		"-i", "file:" + p.cfg.Input,
	}
}

func (p *plan) prefilter() string {
	if p.cfg.Prefilter == "" {
		return ""
	}
	return p.cfg.Prefilter + ","
}

// filterGraph is the -filter_complex of the combined command.
func (p *plan) filterGraph() string {
	var b strings.Builder
	fmt.Fprintf(&b, "[0:%d]%s", p.src.Index, p.prefilter())
	if len(p.video) == 1 {
		fmt.Fprintf(&b, "%s[v0]", p.rungChain(p.video[0]))
		return b.String()
	}
	fmt.Fprintf(&b, "split=%d", len(p.video))
	for i := range p.video {
		fmt.Fprintf(&b, "[s%d]", i)
	}
	for i, v := range p.video {
		fmt.Fprintf(&b, ";[s%d]%s[v%d]", i, p.rungChain(v), i)
	}
	return b.String()
}

// rungChain is the filter chain of one rung, from the (prefiltered) source
// to the encoder.
func (p *plan) rungChain(v videoJob) string {
	r := v.rung
	parts := []string{
		fmt.Sprintf("fps=%s:start_time=0", r.FrameRate),
		fmt.Sprintf("scale=%d:%d:flags=%s", r.Width, r.Height, scaleFlags),
	}
	if v.toneMap {
		parts = append(parts, toneMapChain(p.src))
	}
	parts = append(parts, "setsar=1", "format="+v.pixFmt)
	return strings.Join(parts, ",")
}

// toneMapChain converts PQ or HLG BT.2020 to SDR BT.709: linearise, map
// with hable (no desaturation), back to BT.709 limited range.
func toneMapChain(src VideoStream) string {
	prim := knownOr(src.ColorPrimaries, "bt2020")
	matrix := knownOr(src.ColorSpace, "bt2020nc")
	return fmt.Sprintf("zscale=tin=%s:min=%s:pin=%s:t=linear:npl=100,format=gbrpf32le,zscale=p=bt709,"+
		"tonemap=hable:desat=0,zscale=t=bt709:m=bt709:r=tv", src.ColorTransfer, matrix, prim)
}

// knownOr is s, or def when ffprobe did not know the value.
func knownOr(s, def string) string {
	if s == "" || s == "unknown" {
		return def
	}
	return s
}

// videoOutputArgs are the options and the file of rung i.
func (p *plan) videoOutputArgs(i int) []string {
	v := p.video[i]
	r := v.rung
	args := []string{"-map", fmt.Sprintf("[v%d]", i), "-fps_mode", "passthrough"}
	keyint := strconv.Itoa(v.gopFrames)
	switch r.Codec {
	case ladder.H264, ladder.HEVC:
		lib, params := "libx264", "-x264-params"
		extra := ""
		if r.Codec == ladder.HEVC {
			lib, params, extra = "libx265", "-x265-params", ":log-level=error"
		}
		args = append(args, "-c:v", lib, "-preset", p.cfg.Preset)
		args = append(args, rateArgs(r, true)...)
		args = append(args,
			params, "keyint="+keyint+":min-keyint="+keyint+":scenecut=0:open-gop=0"+extra,
			"-force_key_frames:v", p.forceKeyFramesExpr(r.FrameRate),
			"-forced-idr", "1",
		)
		if r.Codec == ladder.HEVC {
			args = append(args, "-tag:v", "hvc1")
		}
	case ladder.AV1:
		args = append(args, "-c:v", "libsvtav1", "-preset", presets[p.cfg.Preset])
		args = append(args, rateArgs(r, false)...)
		args = append(args, "-svtav1-params", "keyint="+keyint+":scd=0:irefresh-type=2")
	}
	switch {
	case v.hdr:
		args = append(args,
			"-color_primaries", knownOr(p.src.ColorPrimaries, "bt2020"),
			"-color_trc", p.src.ColorTransfer,
			"-colorspace", knownOr(p.src.ColorSpace, "bt2020nc"))
	case v.toneMap:
		args = append(args, "-color_primaries", "bt709", "-color_trc", "bt709", "-colorspace", "bt709")
	}
	args = append(args, "-map_metadata", "-1", "-map_chapters", "-1", "-f", "mp4", "file:"+v.path)
	return args
}

// rateArgs is capped VBR (-b:v) or capped CRF. vbv says whether the encoder
// honours a VBV buffer in both modes (x264, x265); SVT-AV1 1.4 takes a
// maximum rate in CRF mode only, and no buffer size.
func rateArgs(r ladder.Rung, vbv bool) []string {
	kbps := func(n int) string { return strconv.Itoa(n) + "k" }
	var args []string
	if r.CRF > 0 {
		crf := strconv.FormatFloat(r.CRF, 'f', -1, 64)
		if !vbv {
			crf = strconv.Itoa(int(math.Round(r.CRF))) // SVT-AV1: integer 0-63
		}
		args = append(args, "-crf", crf, "-maxrate", kbps(r.MaxrateKbps))
		if vbv {
			args = append(args, "-bufsize", kbps(r.BufsizeKbps))
		}
		return args
	}
	args = append(args, "-b:v", kbps(r.BitrateKbps))
	if vbv {
		args = append(args, "-maxrate", kbps(r.MaxrateKbps), "-bufsize", kbps(r.BufsizeKbps))
	}
	return args
}

// forceKeyFramesExpr forces a keyframe on the first frame at or after each
// multiple of the GOP duration. The threshold is moved half a frame earlier
// so that a frame exactly on the boundary is taken even when t and the
// product differ in the last bit of a double.
func (p *plan) forceKeyFramesExpr(rate ladder.Rate) string {
	halfFrame := newRat(int64(rate.Den), 2*int64(rate.Num))
	return fmt.Sprintf("expr:gte(t,n_forced*%s-%s)", p.gop.dur.expr(), halfFrame.expr())
}

// audioOutputArgs are the options and the file of audio rendition i.
func (p *plan) audioOutputArgs(i int) []string {
	a := p.audio[i]
	args := []string{"-map", fmt.Sprintf("0:%d", a.stream.Index)}
	switch a.codec {
	case ladder.AAC:
		args = append(args, "-c:a", "aac", "-profile:a", "aac_low")
	case ladder.EAC3:
		args = append(args, "-c:a", "eac3")
	case ladder.Opus:
		args = append(args, "-c:a", "libopus")
	}
	af := "aresample=async=1:first_pts=0"
	if d := p.cfg.Probe.Duration; d > 0 {
		af += ",apad=whole_dur=" + strconv.FormatFloat(d.Seconds(), 'f', 6, 64)
	}
	args = append(args,
		"-b:a", strconv.Itoa(a.bitrateKbps)+"k",
		"-ac", strconv.Itoa(a.channels),
		"-ar", strconv.Itoa(audioSampleRateHz),
		"-af", af,
		"-map_metadata", "-1", "-map_chapters", "-1",
		"-metadata:s:a:0", "language="+a.language,
		"-f", "mp4", "file:"+a.path,
	)
	return args
}
