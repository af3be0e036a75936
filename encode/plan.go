package encode

import (
	"cmp"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/vpack-dev/vpack/ladder"
)

// Defaults of Config.
const (
	DefaultSegmentDuration = 4 * time.Second
	DefaultPreset          = "medium"
)

// audioSampleRateHz is the rate of every audio output: the one rate AAC,
// E-AC-3 and Opus all take, so renditions of one track can be switched
// between without resampling in the player.
const audioSampleRateHz = 48000

// plan is a validated Config with every default filled in and every output
// named: what Args prints and what Run reports.
type plan struct {
	cfg     Config
	src     VideoStream
	gop     gopPlan
	video   []videoJob
	audio   []audioJob
	skipped []skippedAudio
}

type videoJob struct {
	rung      ladder.Rung // defaults filled in
	file      string
	path      string
	pixFmt    string
	gopFrames int
	// hdr keeps the source's HDR colour description (HEVC, AV1);
	// toneMap converts an HDR source to SDR BT.709 (H.264).
	hdr, toneMap bool
}

type audioJob struct {
	stream      AudioStream
	codec       ladder.Codec
	bitrateKbps int
	channels    int
	language    string
	file        string
	path        string
}

type skippedAudio struct {
	stream AudioStream
	rend   ladder.Audio
}

// presets maps vpack's preset names to SVT-AV1's numeric presets (x264 and
// x265 share the names). SVT-AV1 1.4 runs from 0 (slowest) to 13.
var presets = map[string]string{
	"ultrafast": "13",
	"veryfast":  "12",
	"faster":    "11",
	"fast":      "10",
	"medium":    "8",
	"slow":      "6",
	"slower":    "4",
}

// PresetNames lists the accepted Config.Preset values, fastest first.
var PresetNames = []string{"ultrafast", "veryfast", "faster", "fast", "medium", "slow", "slower"}

// rungName is what a rung name may contain: it becomes a file name.
var rungName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// defaultAudioKbps is the bit rate of an audio rendition that states none.
func defaultAudioKbps(c ladder.Codec, channels int) int {
	switch {
	case c == ladder.EAC3 && channels > 2:
		return 384
	case c == ladder.EAC3:
		return 192
	case c == ladder.Opus && channels > 2:
		return 256
	case c == ladder.Opus:
		return 96
	case channels > 2:
		return 384 // AAC 5.1
	}
	return 128
}

func newPlan(cfg Config) (*plan, error) {
	if cfg.Input == "" {
		return nil, errors.New("no input file")
	}
	if cfg.Probe == nil {
		return nil, fmt.Errorf("%s: not probed", cfg.Input)
	}
	src, err := cfg.Probe.PrimaryVideo()
	if err != nil {
		return nil, err
	}
	if len(cfg.Video) == 0 {
		return nil, errors.New("no video rungs")
	}
	cfg.SegmentDuration = cmp.Or(cfg.SegmentDuration, DefaultSegmentDuration)
	cfg.Preset = cmp.Or(cfg.Preset, DefaultPreset)
	if _, ok := presets[cfg.Preset]; !ok {
		return nil, fmt.Errorf("preset %q: want one of %s", cfg.Preset, strings.Join(PresetNames, ", "))
	}
	if len(cfg.Audio) == 0 {
		cfg.Audio = ladder.DefaultAudio()
	}
	p := &plan{cfg: cfg, src: src}

	names := map[string]bool{}
	var rates []ladder.Rate
	for i, r := range cfg.Video {
		job, err := p.videoJob(r)
		if err != nil {
			return nil, fmt.Errorf("rung %d (%s): %w", i, r.Name, err)
		}
		if names[job.rung.Name] {
			return nil, fmt.Errorf("rung %d: name %q is used twice", i, r.Name)
		}
		names[job.rung.Name] = true
		p.video = append(p.video, job)
		rates = append(rates, job.rung.FrameRate)
	}
	if p.gop, err = newGOPPlan(cfg.SegmentDuration, rates); err != nil {
		return nil, fmt.Errorf("keyframes: %w", err)
	}
	for i := range p.video {
		p.video[i].gopFrames = p.gop.frames(p.video[i].rung.FrameRate)
	}
	if err := p.planAudio(); err != nil {
		return nil, err
	}
	return p, nil
}

// videoJob checks one rung and fills its defaults.
func (p *plan) videoJob(r ladder.Rung) (videoJob, error) {
	r.Codec = cmp.Or(r.Codec, ladder.H264)
	switch {
	case !rungName.MatchString(r.Name):
		return videoJob{}, fmt.Errorf("name %q: want letters, digits, '.', '_' or '-'", r.Name)
	case r.Codec != ladder.H264 && r.Codec != ladder.HEVC && r.Codec != ladder.AV1:
		return videoJob{}, fmt.Errorf("codec %q: want h264, hevc or av1", r.Codec)
	case r.Width <= 0 || r.Height <= 0 || r.Width%2 != 0 || r.Height%2 != 0:
		return videoJob{}, fmt.Errorf("size %dx%d: want positive even sides (4:2:0)", r.Width, r.Height)
	case r.BitrateKbps < 0 || r.MaxrateKbps < 0 || r.BufsizeKbps < 0 || r.CRF < 0:
		return videoJob{}, errors.New("negative rate")
	case r.CRF == 0 && r.BitrateKbps == 0:
		return videoJob{}, errors.New("neither bitrate_kbps nor crf")
	case r.CRF > 0 && r.BitrateKbps == 0 && r.MaxrateKbps == 0:
		return videoJob{}, errors.New("crf needs bitrate_kbps or maxrate_kbps for its cap")
	}
	if r.MaxrateKbps == 0 {
		r.MaxrateKbps = r.BitrateKbps * 3 / 2
	}
	if r.BufsizeKbps == 0 {
		r.BufsizeKbps = cmp.Or(r.BitrateKbps, r.MaxrateKbps) * 2
	}
	if r.BitrateKbps > 0 && r.MaxrateKbps > 2*r.BitrateKbps {
		return videoJob{}, fmt.Errorf("maxrate %d kbit/s is above twice the bit rate %d kbit/s", r.MaxrateKbps, r.BitrateKbps)
	}
	if r.FrameRate.IsZero() {
		r.FrameRate = ladder.Rate{Num: p.src.FrameRate.Num, Den: p.src.FrameRate.Den}
		if r.FrameRate.IsZero() {
			return videoJob{}, errors.New("no frame rate, and the source's is unknown")
		}
	}
	if r.FrameRate.Num < 0 || r.FrameRate.Den < 0 {
		return videoJob{}, fmt.Errorf("frame rate %d/%d is negative", r.FrameRate.Num, r.FrameRate.Den)
	}
	g := gcd64(int64(r.FrameRate.Num), int64(r.FrameRate.Den))
	r.FrameRate = ladder.Rate{Num: r.FrameRate.Num / int(g), Den: r.FrameRate.Den / int(g)}

	job := videoJob{rung: r, file: r.Name + ".mp4", pixFmt: "yuv420p"}
	job.path = filepath.Join(p.cfg.OutDir, job.file)
	switch {
	case r.Codec == ladder.H264:
		job.toneMap = p.src.HDR
	case p.src.BitDepth > 8:
		job.pixFmt = "yuv420p10le"
		job.hdr = p.src.HDR
	default:
		job.hdr = p.src.HDR
	}
	return job, nil
}

// planAudio applies every audio rendition to every source audio stream.
func (p *plan) planAudio() error {
	seen := map[string]int{}
	for _, s := range p.cfg.Probe.Audio {
		lang := cmp.Or(s.Language, "und")
		for _, a := range p.cfg.Audio {
			a.Codec = cmp.Or(a.Codec, ladder.AAC)
			a.Channels = cmp.Or(a.Channels, 2)
			switch {
			case a.Codec != ladder.AAC && a.Codec != ladder.EAC3 && a.Codec != ladder.Opus:
				return fmt.Errorf("audio codec %q: want aac, eac3 or opus", a.Codec)
			case a.Channels < 1 || a.Channels > 8:
				return fmt.Errorf("audio %s: %d channels: want 1 to 8", a.Codec, a.Channels)
			case a.BitrateKbps < 0:
				return fmt.Errorf("audio %s: negative bit rate", a.Codec)
			}
			channels := a.Channels
			if s.Channels > 0 && s.Channels < a.Channels {
				if a.Channels > 2 {
					p.skipped = append(p.skipped, skippedAudio{stream: s, rend: a})
					continue
				}
				channels = s.Channels // mono stays mono
			}
			kbps := a.BitrateKbps
			if kbps == 0 {
				kbps = defaultAudioKbps(a.Codec, channels)
			} else if channels < a.Channels {
				kbps = kbps * channels / a.Channels
			}
			base := fmt.Sprintf("audio-%s-%s", fileSafe(lang), a.Codec)
			seen[base]++
			file := base + ".mp4"
			if n := seen[base]; n > 1 {
				file = fmt.Sprintf("%s-%d.mp4", base, n)
			}
			p.audio = append(p.audio, audioJob{
				stream: s, codec: a.Codec, bitrateKbps: kbps, channels: channels, language: lang,
				file: file, path: filepath.Join(p.cfg.OutDir, file),
			})
		}
	}
	return nil
}

// fileSafe keeps a language tag usable in a file name (tags are ASCII
// letters, but files are not always well-formed).
func fileSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' {
			return r
		}
		return '_'
	}, s)
}

func (p *plan) segmentDuration() time.Duration {
	return p.gop.dur.mul(newRat(int64(p.gop.perSegment), 1)).duration()
}
