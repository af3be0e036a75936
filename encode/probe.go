package encode

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Probe is what vpack knows about an input file, read with ffprobe.
// It is a typed view of `ffprobe -show_format -show_streams`; fields hold
// values already interpreted (rotation from side data, HDR from the transfer
// characteristic), so callers never parse ffprobe strings.
type Probe struct {
	Path        string           `json:"path"`
	Container   string           `json:"container"` // ffprobe format_name, e.g. "mov,mp4,m4a,3gp,3g2,mj2"
	Duration    time.Duration    `json:"duration_ns"`
	SizeBytes   int64            `json:"size_bytes"`
	BitrateKbps int              `json:"bitrate_kbps,omitempty"`
	Video       []VideoStream    `json:"video"`
	Audio       []AudioStream    `json:"audio"`
	Subtitles   []SubtitleStream `json:"subtitles,omitempty"`
}

// Rational is an exact ratio such as a frame rate (30000/1001) or an aspect
// ratio (16/9). A zero Den means unknown.
type Rational struct {
	Num int `json:"num"`
	Den int `json:"den"`
}

// Float returns Num/Den, or 0 when Den is 0.
func (r Rational) Float() float64 {
	if r.Den == 0 {
		return 0
	}
	return float64(r.Num) / float64(r.Den)
}

// VideoStream describes one video stream of the input.
type VideoStream struct {
	Index             int      `json:"index"` // ffprobe stream index in the file
	Codec             string   `json:"codec"` // ffprobe codec_name: h264, hevc, prores, ...
	Profile           string   `json:"profile,omitempty"`
	Width             int      `json:"width"`               // coded picture width, before SAR and rotation
	Height            int      `json:"height"`              // coded picture height
	SAR               Rational `json:"sar"`                 // sample (pixel) aspect ratio; 1:1 when square
	DAR               Rational `json:"dar"`                 // display aspect ratio of the unrotated picture
	Rotation          int      `json:"rotation"`            // degrees clockwise the picture must be turned for display: 0, 90, 180, 270
	FrameRate         Rational `json:"frame_rate"`          // avg_frame_rate, or the exact r_frame_rate when they agree or avg is unusable
	VariableFrameRate bool     `json:"variable_frame_rate"` // frame durations vary (measured by ProbeFile, not ParseProbe)
	PixFmt            string   `json:"pix_fmt"`
	BitDepth          int      `json:"bit_depth"`
	ColorTransfer     string   `json:"color_transfer,omitempty"`  // ffprobe color_transfer: bt709, smpte2084, arib-std-b67
	ColorPrimaries    string   `json:"color_primaries,omitempty"` // ffprobe color_primaries: bt709, bt2020
	ColorSpace        string   `json:"color_space,omitempty"`     // ffprobe color_space (matrix): bt709, bt2020nc
	HDR               bool     `json:"hdr"`                       // PQ (smpte2084) or HLG (arib-std-b67) transfer
	Frames            int64    `json:"frames,omitempty"`          // nb_frames when the container states it
	BitrateKbps       int      `json:"bitrate_kbps,omitempty"`
	Default           bool     `json:"default"`
}

// DisplaySize returns the width and height a viewer sees: SAR applied to the
// width, then rotated.
func (v VideoStream) DisplaySize() (w, h int) {
	w, h = v.Width, v.Height
	if v.SAR.Num > 0 && v.SAR.Den > 0 && v.SAR.Num != v.SAR.Den {
		w = int(float64(w)*v.SAR.Float() + 0.5)
	}
	if v.Rotation == 90 || v.Rotation == 270 {
		w, h = h, w
	}
	return w, h
}

// AudioStream describes one audio stream of the input.
type AudioStream struct {
	Index         int    `json:"index"`
	Codec         string `json:"codec"`
	Profile       string `json:"profile,omitempty"`
	SampleRate    int    `json:"sample_rate"`
	Channels      int    `json:"channels"`
	ChannelLayout string `json:"channel_layout,omitempty"` // e.g. stereo, 5.1(side)
	Language      string `json:"language,omitempty"`       // ISO 639-2 tag as in the file, "" when absent or "und"
	Title         string `json:"title,omitempty"`
	BitrateKbps   int    `json:"bitrate_kbps,omitempty"`
	Default       bool   `json:"default"`
}

// SubtitleStream describes a subtitle stream of the input. Text streams
// (see SubtitleStream.Text) are extracted by ExtractSubtitles and packaged
// as text tracks; bitmap ones (DVD, PGS) are listed but not packaged.
type SubtitleStream struct {
	Index    int    `json:"index"`
	Codec    string `json:"codec"`
	Language string `json:"language,omitempty"`
	Title    string `json:"title,omitempty"`
	Default  bool   `json:"default,omitempty"`
	Forced   bool   `json:"forced,omitempty"`
	// HearingImpaired marks SDH / closed captions (disposition
	// hearing_impaired or captions).
	HearingImpaired bool `json:"hearing_impaired,omitempty"`
}

// PrimaryVideo returns the stream vpack encodes: the video stream marked
// default, else the first one. Ladder and encode need a picture, so an
// audio-only input is an *InputError here even though probing it succeeded.
func (p *Probe) PrimaryVideo() (VideoStream, error) {
	i := p.primaryVideoPos()
	if i < 0 {
		return VideoStream{}, &InputError{Path: p.Path, Reason: "no video stream (audio-only input)"}
	}
	return p.Video[i], nil
}

// primaryVideoPos is PrimaryVideo's position in p.Video, or -1.
func (p *Probe) primaryVideoPos() int {
	if i := slices.IndexFunc(p.Video, func(v VideoStream) bool { return v.Default }); i >= 0 {
		return i
	}
	if len(p.Video) > 0 {
		return 0
	}
	return -1
}

// vfrWindowPackets bounds the frame-timing read: about 10 s of 30 fps video,
// enough to see a phone's or screen recorder's variable rate, and constant
// in cost however long the file is.
const vfrWindowPackets = 300

// vfrProbeTimeout bounds the frame-timing read when the file is slow to
// demux (a network mount, a file whose index is at the end). Timing out is
// not an error: the stream is then reported as constant rate.
const vfrProbeTimeout = 30 * time.Second

// ProbeFile runs ffprobe on path and interprets its report (see ParseProbe).
//
// Problems with the file itself (missing, a directory, empty, unreadable,
// not media ffmpeg can demux, no audio or video) are returned as *InputError
// naming path. Everything else passes through wrapped: an error wrapping
// ErrToolMissing when ffprobe is absent, the context's error on cancellation,
// and a *ToolError when ffprobe failed for a reason that is not the file's.
//
// A second, bounded ffprobe call reads the first vfrWindowPackets timestamps
// of the primary video stream to set VariableFrameRate, because the nominal
// rates ffprobe reports cannot tell a phone recording from a constant-rate
// file. If that call fails on the file the stream is left marked constant.
//
// ffprobe opens files truncated after their moov box (a +faststart MP4 cut
// in the middle of mdat) without complaint; such files pass here and fail
// when ffmpeg decodes them.
func ProbeFile(ctx context.Context, r Runner, path string) (*Probe, error) {
	if err := checkInputFile(path); err != nil {
		return nil, err
	}
	// The file: protocol keeps ffprobe from reading a leading "-" as an
	// option or a "name:" prefix as a protocol.
	input := "file:" + path
	var out bytes.Buffer
	args := []string{"-v", "error", "-print_format", "json", "-show_format", "-show_streams", input}
	if err := r.Run(ctx, FFprobe, args, &out); err != nil {
		return nil, probeRunError(ctx, path, input, err)
	}
	p, err := ParseProbe(path, out.Bytes())
	if err != nil {
		return nil, err
	}
	if i := p.primaryVideoPos(); i >= 0 {
		vfr, err := probeVariableFrameRate(ctx, r, input, p.Video[i].Index)
		if err != nil {
			return nil, fmt.Errorf("probe %s: frame timing: %w", path, err)
		}
		p.Video[i].VariableFrameRate = vfr
	}
	return p, nil
}

// checkInputFile catches the common mistakes before ffprobe runs, so the
// user reads "is a directory" rather than ffprobe's wording.
func checkInputFile(path string) error {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return &InputError{Path: path, Reason: "no such file", Err: err}
	case errors.Is(err, fs.ErrPermission):
		return &InputError{Path: path, Reason: "permission denied", Err: err}
	case err != nil:
		return &InputError{Path: path, Reason: "cannot access (" + pathErrText(err) + ")", Err: err}
	case fi.IsDir():
		return &InputError{Path: path, Reason: "is a directory, not a media file"}
	case !fi.Mode().IsRegular():
		return nil // a pipe or device: opening it to test could block, so let ffprobe read it
	case fi.Size() == 0:
		return &InputError{Path: path, Reason: "empty file (0 bytes)"}
	}
	f, err := os.Open(path)
	switch {
	case errors.Is(err, fs.ErrPermission):
		return &InputError{Path: path, Reason: "permission denied", Err: err}
	case err != nil:
		return &InputError{Path: path, Reason: "cannot open (" + pathErrText(err) + ")", Err: err}
	}
	return f.Close()
}

// pathErrText is err's message without the path, which InputError already
// prints.
func pathErrText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// probeRunError turns a failed ffprobe run into an *InputError when ffprobe
// blamed the input, and otherwise passes the error on.
func probeRunError(ctx context.Context, path, input string, err error) error {
	var te *ToolError
	if ctx.Err() != nil || !errors.As(err, &te) {
		return fmt.Errorf("probe %s: %w", path, err)
	}
	reason, ok := inputFailureReason(te.StderrTail, input)
	if !ok {
		return fmt.Errorf("probe %s: %w", path, err)
	}
	return &InputError{Path: path, Reason: reason, Err: te}
}

// demuxerLine matches ffmpeg's log prefix "[mov,mp4,m4a,3gp,3g2,mj2 @ 0x5616c1e0] ".
var demuxerLine = regexp.MustCompile(`^\[[^\]]* @ 0x[0-9a-fA-F]+\]\s*`)

// inputFailureReason reads ffprobe's stderr after a non-zero exit. ffprobe
// ends with "<input>: <strerror>" when opening the input failed; without that
// line the failure is not the file's (a bad option, a crash) and ok is false.
// The most specific detail is the demuxer's own last complaint ("moov atom
// not found"), else the strerror ("Invalid data found when processing
// input").
func inputFailureReason(stderr, input string) (reason string, ok bool) {
	var final, detail string
	for line := range strings.SplitSeq(stderr, "\n") {
		line = strings.TrimSpace(line)
		if msg, found := strings.CutPrefix(line, input+": "); found {
			final, ok = msg, true
		} else if loc := demuxerLine.FindStringIndex(line); loc != nil {
			detail = line[loc[1]:]
		}
	}
	if !ok {
		return "", false
	}
	switch strings.ToLower(strings.TrimSpace(final)) {
	case "no such file or directory":
		return "no such file", true
	case "permission denied":
		return "permission denied", true
	case "is a directory":
		return "is a directory, not a media file", true
	}
	if detail = tidyToolMessage(detail); detail == "" {
		detail = tidyToolMessage(final)
	}
	if detail == "" {
		return "not a media file ffmpeg can read", true
	}
	return "not a media file ffmpeg can read (" + detail + ")", true
}

// maxDetailRunes keeps a quoted ffmpeg message to a readable part of a line.
const maxDetailRunes = 120

// tidyToolMessage makes an ffmpeg log line fit inside a vpack message: one
// line, lowercase start (unless it is an acronym), no trailing period.
func tidyToolMessage(s string) string {
	s = strings.Join(strings.Fields(strings.ToValidUTF8(s, "?")), " ")
	s = strings.TrimRight(s, ".")
	if r := []rune(s); len(r) > maxDetailRunes {
		s = string(r[:maxDetailRunes]) + "…"
	}
	first, n := utf8.DecodeRuneInString(s)
	second, _ := utf8.DecodeRuneInString(s[n:])
	if unicode.IsUpper(first) && !unicode.IsUpper(second) {
		s = string(unicode.ToLower(first)) + s[n:]
	}
	return s
}

// probeVariableFrameRate reads the first vfrWindowPackets presentation
// timestamps of stream index and decides with variableFrameRate.
func probeVariableFrameRate(ctx context.Context, r Runner, input string, index int) (bool, error) {
	tctx, cancel := context.WithTimeout(ctx, vfrProbeTimeout)
	defer cancel()
	args := []string{"-v", "error", "-print_format", "json",
		"-select_streams", strconv.Itoa(index),
		"-show_entries", "packet=pts",
		"-read_intervals", "%+#" + strconv.Itoa(vfrWindowPackets),
		input}
	var out bytes.Buffer
	err := r.Run(tctx, FFprobe, args, &out)
	var te *ToolError
	switch {
	case ctx.Err() != nil:
		return false, err
	case tctx.Err() != nil, errors.As(err, &te):
		return false, nil // best effort: the file opened, its timing could not be read
	case err != nil:
		return false, err
	}
	return variableFrameRate(out.Bytes())
}

// vfrRelTolerance is how far, as a share of the typical frame duration, a
// frame may deviate and still count as jitter. 2% separates 25 from 24 fps
// while letting 29.97 fps in a millisecond time base (33/34 ms) pass; the
// extra tick in variableFrameRate covers time-base rounding.
const vfrRelTolerance = 0.02

// variableFrameRate decides from `ffprobe -show_entries packet=pts` output
// whether frame durations vary beyond jitter. Timestamps are compared in
// the stream's own ticks: sorted (B-frames arrive out of order), the gaps
// between them are frame durations. The stream is variable rate when at
// least two gaps, and at least 1% of them, differ from the median gap by
// more than one tick plus vfrRelTolerance; a single dropped frame does not
// make a stream variable. Too few timestamps to judge means constant.
func variableFrameRate(ffprobeJSON []byte) (bool, error) {
	var out struct {
		Packets []struct {
			PTS flexNum `json:"pts"`
		} `json:"packets"`
	}
	if err := json.Unmarshal(ffprobeJSON, &out); err != nil {
		return false, fmt.Errorf("read ffprobe packet timestamps: %w", err)
	}
	pts := make([]int64, 0, len(out.Packets))
	for _, p := range out.Packets {
		if v, ok := p.PTS.int(); ok {
			pts = append(pts, v)
		}
	}
	slices.Sort(pts)
	var gaps []int64
	for i := 1; i < len(pts); i++ {
		// Skip repeated timestamps, and differences that overflow on
		// nonsense input.
		if d := pts[i] - pts[i-1]; d > 0 {
			gaps = append(gaps, d)
		}
	}
	if len(gaps) < 4 {
		return false, nil
	}
	sorted := slices.Clone(gaps)
	slices.Sort(sorted)
	median := float64(sorted[len(sorted)/2])
	tolerance := 1 + median*vfrRelTolerance
	deviating := 0
	for _, d := range gaps {
		if math.Abs(float64(d)-median) > tolerance {
			deviating++
		}
	}
	return deviating >= 2 && deviating*100 >= len(gaps), nil
}

// ffprobeReport is the part of `ffprobe -print_format json -show_format
// -show_streams` that vpack reads. Numbers are flexNum because ffprobe
// prints some as JSON numbers and others as strings, and versions differ.
type ffprobeReport struct {
	Streams []ffprobeStream `json:"streams"`
	Format  struct {
		FormatName string  `json:"format_name"`
		Duration   flexNum `json:"duration"`
		Size       flexNum `json:"size"`
		BitRate    flexNum `json:"bit_rate"`
	} `json:"format"`
}

type ffprobeStream struct {
	Index              flexNum            `json:"index"`
	CodecName          string             `json:"codec_name"`
	CodecType          string             `json:"codec_type"`
	Profile            string             `json:"profile"`
	Width              flexNum            `json:"width"`
	Height             flexNum            `json:"height"`
	SampleAspectRatio  string             `json:"sample_aspect_ratio"`
	DisplayAspectRatio string             `json:"display_aspect_ratio"`
	PixFmt             string             `json:"pix_fmt"`
	ColorSpace         string             `json:"color_space"`
	ColorTransfer      string             `json:"color_transfer"`
	ColorPrimaries     string             `json:"color_primaries"`
	RFrameRate         string             `json:"r_frame_rate"`
	AvgFrameRate       string             `json:"avg_frame_rate"`
	Duration           flexNum            `json:"duration"`
	BitRate            flexNum            `json:"bit_rate"`
	BitsPerRawSample   flexNum            `json:"bits_per_raw_sample"`
	NbFrames           flexNum            `json:"nb_frames"`
	SampleRate         flexNum            `json:"sample_rate"`
	Channels           flexNum            `json:"channels"`
	ChannelLayout      string             `json:"channel_layout"`
	Disposition        map[string]flexNum `json:"disposition"`
	Tags               map[string]string  `json:"tags"`
	SideDataList       []struct {
		SideDataType string  `json:"side_data_type"`
		Rotation     flexNum `json:"rotation"`
	} `json:"side_data_list"`
}

// ParseProbe interprets the JSON of `ffprobe -v error -print_format json
// -show_format -show_streams` for the file at path. It is pure, so it is
// what the table and fuzz tests exercise; ProbeFile adds the checks that
// need the file and the frame-timing read (VariableFrameRate is always
// false here).
//
// Cover art (disposition attached_pic) is not listed as video. A report
// with no audio and no video stream is an *InputError; JSON that does not
// parse is a plain error, since it is ffprobe's output that is wrong. No
// input makes it panic.
func ParseProbe(path string, ffprobeJSON []byte) (*Probe, error) {
	var rep ffprobeReport
	if err := json.Unmarshal(ffprobeJSON, &rep); err != nil {
		return nil, fmt.Errorf("read ffprobe report for %s: %w", path, err)
	}
	p := &Probe{
		Path:        path,
		Container:   rep.Format.FormatName,
		SizeBytes:   max(rep.Format.Size.int64Or(0), 0),
		BitrateKbps: probeKbps(rep.Format.BitRate),
		Video:       []VideoStream{},
		Audio:       []AudioStream{},
	}
	if d, ok := probeSeconds(rep.Format.Duration); ok {
		p.Duration = d
	} else {
		p.Duration = longestStreamDuration(rep.Streams)
	}

	for _, s := range rep.Streams {
		switch s.CodecType {
		case "video":
			if s.Disposition["attached_pic"].int64Or(0) == 1 {
				continue // cover art: one picture, not a stream to encode
			}
			p.Video = append(p.Video, parseVideoStream(s))
		case "audio":
			p.Audio = append(p.Audio, parseAudioStream(s))
		case "subtitle":
			p.Subtitles = append(p.Subtitles, SubtitleStream{
				Index:           s.Index.intOr(0),
				Codec:           s.CodecName,
				Language:        probeLanguage(s.Tags),
				Title:           strings.TrimSpace(probeTag(s.Tags, "title")),
				Default:         s.Disposition["default"].intOr(0) == 1,
				Forced:          s.Disposition["forced"].intOr(0) == 1,
				HearingImpaired: s.Disposition["hearing_impaired"].intOr(0) == 1 || s.Disposition["captions"].intOr(0) == 1,
			})
		}
	}
	if len(p.Video) == 0 && len(p.Audio) == 0 {
		return nil, &InputError{Path: path, Reason: "no audio or video streams"}
	}
	return p, nil
}

// longestStreamDuration stands in when the container states no duration.
// Matroska keeps per-stream durations in a DURATION tag.
func longestStreamDuration(streams []ffprobeStream) time.Duration {
	var longest time.Duration
	for _, s := range streams {
		d, ok := probeSeconds(s.Duration)
		if !ok {
			d, ok = matroskaDuration(probeTag(s.Tags, "DURATION"))
		}
		if ok && d > longest {
			longest = d
		}
	}
	return longest
}

func parseVideoStream(s ffprobeStream) VideoStream {
	v := VideoStream{
		Index:          s.Index.intOr(0),
		Codec:          s.CodecName,
		Profile:        probeKnown(s.Profile),
		Width:          max(s.Width.intOr(0), 0),
		Height:         max(s.Height.intOr(0), 0),
		SAR:            Rational{Num: 1, Den: 1},
		Rotation:       probeRotation(s),
		FrameRate:      probeFrameRate(s.AvgFrameRate, s.RFrameRate),
		PixFmt:         s.PixFmt,
		BitDepth:       probeBitDepth(s.BitsPerRawSample, s.PixFmt),
		ColorTransfer:  probeKnown(s.ColorTransfer),
		ColorPrimaries: probeKnown(s.ColorPrimaries),
		ColorSpace:     probeKnown(s.ColorSpace),
		Frames:         max(s.NbFrames.int64Or(0), 0),
		BitrateKbps:    probeKbps(s.BitRate),
		Default:        s.Disposition["default"].int64Or(0) == 1,
	}
	// "0:1" (and absence) is ffprobe's "unknown", which players show square.
	if sar, ok := parseProbeRational(s.SampleAspectRatio); ok && sar.Num > 0 {
		v.SAR = sar
	}
	if dar, ok := parseProbeRational(s.DisplayAspectRatio); ok && dar.Num > 0 {
		v.DAR = dar
	} else if v.Width > 0 && v.Height > 0 {
		v.DAR = reduceRational(int64(v.Width)*int64(v.SAR.Num), int64(v.Height)*int64(v.SAR.Den))
	}
	v.HDR = v.ColorTransfer == "smpte2084" || v.ColorTransfer == "arib-std-b67"
	return v
}

func parseAudioStream(s ffprobeStream) AudioStream {
	a := AudioStream{
		Index:         s.Index.intOr(0),
		Codec:         s.CodecName,
		Profile:       probeKnown(s.Profile),
		SampleRate:    max(s.SampleRate.intOr(0), 0),
		Channels:      max(s.Channels.intOr(0), 0),
		ChannelLayout: s.ChannelLayout,
		Language:      probeLanguage(s.Tags),
		Title:         strings.TrimSpace(probeTag(s.Tags, "title")),
		BitrateKbps:   probeKbps(s.BitRate),
		Default:       s.Disposition["default"].int64Or(0) == 1,
	}
	if a.Channels == 0 {
		a.Channels = layoutChannels[a.ChannelLayout]
	}
	return a
}

// layoutChannels covers the common layouts for reports that name a layout
// but leave out the channel count.
var layoutChannels = map[string]int{
	"mono": 1, "stereo": 2, "2.1": 3, "3.0": 3, "4.0": 4, "quad": 4,
	"5.0": 5, "5.0(side)": 5, "5.1": 6, "5.1(side)": 6, "6.1": 7, "7.1": 8, "7.1(wide)": 8,
}

// probeRotation is the clockwise display rotation, normalised to 0, 90, 180 or
// 270. The display matrix wins over the legacy "rotate" tag. ffprobe prints
// the matrix's angle counter-clockwise (av_display_rotation_get): -90 means
// turn 90° clockwise, as an upright phone recording does. The tag, written
// by ffmpeg before 5.0, already counts clockwise. Angles that are not a
// multiple of 90 snap to the nearest, as ffmpeg's autorotate would need.
func probeRotation(s ffprobeStream) int {
	for _, sd := range s.SideDataList {
		if sd.SideDataType != "Display Matrix" {
			continue
		}
		if ccw, ok := sd.Rotation.float(); ok {
			return quarterTurns(-ccw)
		}
	}
	if cw, ok := (flexNum(probeTag(s.Tags, "rotate"))).float(); ok {
		return quarterTurns(cw)
	}
	return 0
}

// quarterTurns rounds deg to a multiple of 90 in [0, 360).
func quarterTurns(deg float64) int {
	if math.IsNaN(deg) || math.IsInf(deg, 0) {
		return 0
	}
	q := math.Mod(math.Round(deg/90), 4) // stays finite and small for any finite deg
	return (int(q) + 4) % 4 * 90
}

// maxProbeFrameRate bounds a sane rate: above it the "rate" is a time base, as
// the 90000/1 that ffprobe reports for still pictures.
const maxProbeFrameRate = 1000

// probeFrameRate picks the nominal rate. avg_frame_rate is the measured one and
// right for most files, but when r_frame_rate agrees with it to 0.1% the
// latter is the exact form (30000/1001 rather than a rounded average); when
// avg is missing or absurd, r_frame_rate is all there is.
func probeFrameRate(avg, r string) Rational {
	a, aok := parseProbeRational(avg)
	aok = aok && a.Num > 0 && a.Float() <= maxProbeFrameRate
	n, nok := parseProbeRational(r)
	nok = nok && n.Num > 0 && n.Float() <= maxProbeFrameRate
	switch {
	case aok && nok && math.Abs(a.Float()-n.Float()) <= n.Float()/1000:
		return n
	case aok:
		return a
	case nok:
		return n
	}
	return Rational{}
}

// maxRationalTerm keeps parsed ratios small enough that products of two
// terms (width × SAR) cannot overflow.
const maxRationalTerm = math.MaxInt32

// parseProbeRational reads ffprobe's "30000/1001" or "16:9", reduced. ok is
// false for anything else, a zero or negative denominator, or a negative
// numerator.
func parseProbeRational(s string) (Rational, bool) {
	i := strings.IndexAny(s, "/:")
	if i < 0 {
		return Rational{}, false
	}
	num, err1 := strconv.ParseInt(s[:i], 10, 64)
	den, err2 := strconv.ParseInt(s[i+1:], 10, 64)
	if err1 != nil || err2 != nil || num < 0 || den <= 0 || num > maxRationalTerm || den > maxRationalTerm {
		return Rational{}, false
	}
	return reduceRational(num, den), true
}

// reduceRational returns num/den in lowest terms; both must be non-negative.
func reduceRational(num, den int64) Rational {
	if den == 0 {
		return Rational{}
	}
	a, b := num, den
	for b != 0 {
		a, b = b, a%b
	}
	if a == 0 { // only when num and den are both 0
		return Rational{}
	}
	return Rational{Num: int(num / a), Den: int(den / a)}
}

// bitDepthSuffix finds the component depth in planar and packed-gray pixel
// format names: yuv420p10le, yuva444p16be, gbrp12le, gray10le, ya16le.
var bitDepthSuffix = regexp.MustCompile(`^(?:yuva?j?\d{3}p|gbra?p|gray|ya)(\d{1,2})(?:le|be)$`)

// otherBitDepths lists formats whose names do not follow that pattern.
var otherBitDepths = map[string]int{
	"p010": 10, "p012": 12, "p016": 16, "p210": 10, "p216": 16, "p410": 10, "p416": 16,
	"nv20": 10, "y210": 10, "y212": 12, "xv30": 10, "xv36": 12, "v30x": 10, "x2rgb10": 10, "x2bgr10": 10,
	"rgb48": 16, "bgr48": 16, "rgba64": 16, "bgra64": 16, "xyz12": 12, "gbrapf32": 32, "gbrpf32": 32,
}

// probeBitDepth is bits per component: bits_per_raw_sample when the decoder
// states it (H.264 does, HEVC in ffprobe 5.1 does not), else read from the
// pixel format name. Other named formats count as 8; no pixel format at all
// is 0, unknown.
func probeBitDepth(raw flexNum, pixFmt string) int {
	if b := raw.intOr(0); b > 0 && b <= 32 {
		return b
	}
	if pixFmt == "" {
		return 0
	}
	if m := bitDepthSuffix.FindStringSubmatch(pixFmt); m != nil {
		if b, err := strconv.Atoi(m[1]); err == nil && b > 0 {
			return b
		}
	}
	base := strings.TrimSuffix(strings.TrimSuffix(pixFmt, "le"), "be")
	if b, ok := otherBitDepths[base]; ok {
		return b
	}
	return 8
}

// probeKnown drops ffprobe's placeholders for an unstated value.
func probeKnown(s string) string {
	switch s {
	case "unknown", "unspecified", "reserved", "N/A":
		return ""
	}
	return s
}

// probeLanguage is the stream's language tag, "" for the ISO 639-2 "und".
func probeLanguage(tags map[string]string) string {
	l := strings.TrimSpace(probeTag(tags, "language"))
	if strings.EqualFold(l, "und") {
		return ""
	}
	return l
}

// probeTag looks a tag up by exact key, then ignoring case: Matroska tags are
// upper case (DURATION), MP4 ones lower case.
func probeTag(tags map[string]string, key string) string {
	if v, ok := tags[key]; ok {
		return v
	}
	for k, v := range tags {
		if strings.EqualFold(k, key) {
			return v
		}
	}
	return ""
}

// probeKbps converts ffprobe's bit_rate in bits per second, rounding.
func probeKbps(bps flexNum) int {
	b := bps.int64Or(0)
	if b <= 0 || b > math.MaxInt32*1000 {
		return 0
	}
	return int((b + 500) / 1000)
}

// maxProbeSeconds keeps durations far inside time.Duration's ~292 years.
const maxProbeSeconds = 100 * 365 * 24 * 3600

// probeSeconds reads a duration in seconds such as "2.002000".
func probeSeconds(n flexNum) (time.Duration, bool) {
	f, ok := n.float()
	if !ok {
		return 0, false
	}
	return probeFromSeconds(f)
}

// probeFromSeconds converts a positive, finite, plausible number of seconds.
func probeFromSeconds(f float64) (time.Duration, bool) {
	if math.IsNaN(f) || f <= 0 || f > maxProbeSeconds {
		return 0, false
	}
	return time.Duration(math.Round(f * float64(time.Second))), true
}

// matroskaDuration reads Matroska's "HH:MM:SS.nnnnnnnnn" DURATION tag.
func matroskaDuration(s string) (time.Duration, bool) {
	h, rest, ok1 := strings.Cut(s, ":")
	m, sec, ok2 := strings.Cut(rest, ":")
	if !ok1 || !ok2 {
		return 0, false
	}
	hours, err1 := strconv.ParseUint(h, 10, 32)
	mins, err2 := strconv.ParseUint(m, 10, 8)
	secs, err3 := strconv.ParseFloat(sec, 64)
	if err1 != nil || err2 != nil || err3 != nil || mins >= 60 || secs < 0 || secs >= 60 {
		return 0, false
	}
	return probeFromSeconds(float64(hours)*3600 + float64(mins)*60 + secs)
}

// flexNum is a number ffprobe may print either bare (6) or quoted ("48000",
// "N/A"). It keeps the text; the accessors say whether it is a number.
type flexNum string

func (n *flexNum) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*n = ""
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*n = flexNum(s)
	case len(b) > 0 && (b[0] == '-' || (b[0] >= '0' && b[0] <= '9')):
		*n = flexNum(b)
	default:
		return fmt.Errorf("want a number or a string, got %.20q", b)
	}
	return nil
}

// float parses the number; "N/A", "nan" and other text are not numbers.
func (n flexNum) float() (float64, bool) {
	f, err := strconv.ParseFloat(strings.TrimSpace(string(n)), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// int parses an integer, accepting "-90.000000" from versions that print
// integers as decimals.
func (n flexNum) int() (int64, bool) {
	s := strings.TrimSpace(string(n))
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return i, true
	}
	f, ok := n.float()
	if !ok || f != math.Trunc(f) || f < math.MinInt64 || f >= math.MaxInt64 {
		return 0, false
	}
	return int64(f), true
}

func (n flexNum) int64Or(def int64) int64 {
	if i, ok := n.int(); ok {
		return i
	}
	return def
}

// intOr is int64Or limited to 32 bits, the range of every count and size
// vpack reads into an int.
func (n flexNum) intOr(def int) int {
	i, ok := n.int()
	if !ok || i < math.MinInt32 || i > math.MaxInt32 {
		return def
	}
	return int(i)
}
