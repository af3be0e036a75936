package encode

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/vpack-dev/vpack/ladder"
)

// Config is the input of Run.
type Config struct {
	Input string
	// Probe is ProbeFile's report on Input (the caller probes once and
	// shares it with ladder). Run uses the duration, the primary video
	// stream (index, frame rate, bit depth, HDR colour) and the audio
	// streams (index, language, channels).
	Probe *Probe
	// Video are the rungs to encode, as ladder.Adapt returns them: exact
	// even output size, FrameRate set, unique names. A zero FrameRate means
	// the source's nominal rate; zero MaxrateKbps and BufsizeKbps become
	// 1.5x and 2x BitrateKbps.
	Video []ladder.Rung
	// Audio renditions are applied to every audio stream of the source.
	// A rendition with more than two channels is skipped for a source
	// stream with fewer channels (no upmix); a stereo rendition of a mono
	// stream stays mono. Empty means ladder.DefaultAudio (AAC-LC stereo,
	// 128 kbit/s).
	Audio []ladder.Audio
	// OutDir is an existing folder; renditions are written into it under
	// fixed names (see Run). The caller owns it, including cleaning it up
	// after a failed or cancelled run.
	OutDir string
	// SegmentDuration is the segment length the packager will cut; every
	// rung has a keyframe at every boundary. Default 4 s.
	SegmentDuration time.Duration
	// Preset trades speed for quality: ultrafast, veryfast, faster, fast,
	// medium (default), slow or slower. x264 and x265 take the name as is;
	// SVT-AV1 gets 13, 12, 11, 10, 8, 6 and 4.
	Preset string
	// Prefilter is an optional ffmpeg filter chain applied once to the
	// decoded source before it is split into rungs (e.g. "yadif" or
	// "crop=1920:800"). The rung sizes must already account for it.
	Prefilter string
	Log       *slog.Logger
	// Progress, when set, receives the media time encoded so far (of the
	// first rung) and the source duration, about twice a second, and
	// (total, total) at the end of a successful run. Calls come from the
	// goroutine that copies ffmpeg's output, one at a time, and all before
	// Run returns.
	Progress func(done, total time.Duration)
}

// Result lists what Run wrote.
type Result struct {
	Video []VideoOutput `json:"video"`
	Audio []AudioOutput `json:"audio"`
	// GOPDuration is the keyframe interval of every rung: keyframes sit at
	// exact multiples of it, in media time.
	GOPDuration time.Duration `json:"gop_duration_ns"`
	// SegmentDuration is a whole number of GOPs: Config.SegmentDuration
	// when that is a whole number of frames of every rung, else the nearest
	// such length (4.004 s for 4 s at 29.97 fps).
	SegmentDuration time.Duration `json:"segment_duration_ns"`
}

// VideoOutput is one rung's file: a video-only MP4.
type VideoOutput struct {
	File string `json:"file"` // name in OutDir: <rung name>.mp4
	Path string `json:"path"` // OutDir joined with File
	// Rung is the rung as encoded: codec, frame rate, maxrate and bufsize
	// filled in.
	Rung      ladder.Rung `json:"rung"`
	PixFmt    string      `json:"pix_fmt"`    // yuv420p or yuv420p10le
	GOPFrames int         `json:"gop_frames"` // keyframe interval in frames
	SizeBytes int64       `json:"size_bytes"`
}

// AudioOutput is one audio rendition of one source audio stream: an
// audio-only MP4 with the language in the track's metadata.
type AudioOutput struct {
	File         string       `json:"file"` // audio-<lang>-<codec>[-<n>].mp4
	Path         string       `json:"path"`
	SourceIndex  int          `json:"source_index"` // ffprobe index of the source stream
	Language     string       `json:"language"`     // ISO 639-2 as in the source, "und" when unknown
	Codec        ladder.Codec `json:"codec"`
	Channels     int          `json:"channels"`
	BitrateKbps  int          `json:"bitrate_kbps"`
	SampleRateHz int          `json:"sample_rate_hz"`
	SizeBytes    int64        `json:"size_bytes"`
}

// Run encodes cfg.Input into every video rung and audio rendition with a
// single ffmpeg process that decodes the source once (see Args for the
// command). It writes into cfg.OutDir:
//
//   - <rung name>.mp4 per video rung, video only;
//   - audio-<lang>-<codec>.mp4 per audio rendition of each source audio
//     stream, with "-2", "-3"... when a language and codec repeat (two
//     English tracks); <lang> is the stream's ISO 639-2 tag or "und".
//
// All video rungs have closed GOPs and keyframes at the same media times,
// one at every segment boundary (Result.GOPDuration); all outputs start at
// 0 and last as long as the source.
//
// Errors: a config problem is returned before ffmpeg starts; a failing
// ffmpeg is a *ToolError (with the stderr tail); cancelling ctx makes ffmpeg
// stop and the error wraps ctx.Err() (context.Canceled). Run never removes
// files: after an error OutDir may hold partial outputs, and the caller,
// who owns OutDir, cleans it up.
func Run(ctx context.Context, r Runner, cfg Config) (*Result, error) {
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	p, err := newPlan(cfg)
	if err != nil {
		return nil, err
	}
	if fi, err := os.Stat(cfg.OutDir); err != nil {
		return nil, fmt.Errorf("output folder: %w", err)
	} else if !fi.IsDir() {
		return nil, fmt.Errorf("output folder %s: not a folder", cfg.OutDir)
	}
	for _, s := range p.skipped {
		log.Warn("audio rendition skipped: no upmix", "stream", s.stream.Index, "language", s.stream.Language,
			"channels", s.stream.Channels, "codec", string(s.rend.Codec), "rendition_channels", s.rend.Channels)
	}
	if !p.gop.exact {
		log.Info("segment duration is not a whole number of frames; segments will be a little longer",
			"segment_duration", p.segmentDuration(), "requested", p.cfg.SegmentDuration)
	}
	args := p.args()
	log.Info("encode", "input", cfg.Input, "rungs", len(p.video), "audio", len(p.audio),
		"gop_duration", p.gop.dur.duration(), "preset", p.cfg.Preset)

	total := cfg.Probe.Duration
	first := p.video[0].rung.FrameRate
	var last time.Duration
	prog := newProgressWriter(func(u ProgressUpdate) {
		log.Debug("progress", "out_time", u.OutTime, "frame", u.Frame, "speed", u.Speed)
		if cfg.Progress == nil || total <= 0 {
			return
		}
		// ffmpeg's out_time is the furthest of all outputs, so the audio,
		// which the encoders do not hold back, runs ahead of the picture.
		// frame counts the pictures given to the first rung's encoder.
		done := u.OutTime
		if u.Frame > 0 {
			done = time.Duration(u.Frame) * time.Second * time.Duration(first.Den) / time.Duration(first.Num)
		}
		done = min(max(done, last), total)
		last = done
		cfg.Progress(done, total)
	})
	start := time.Now()
	err = r.Run(ctx, FFmpeg, args, prog)
	if ctxErr := ctx.Err(); ctxErr != nil && (err == nil || !errors.Is(err, ctxErr)) {
		// A runner that does not report the cancellation itself.
		if err == nil {
			err = ctxErr
		} else {
			err = fmt.Errorf("%w: %w", ctxErr, err)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("encode %d video and %d audio renditions: %w", len(p.video), len(p.audio), err)
	}
	res, err := p.result()
	if err != nil {
		return nil, err
	}
	log.Info("encoded", "elapsed", time.Since(start).Round(time.Millisecond))
	if cfg.Progress != nil && total > 0 {
		cfg.Progress(total, total)
	}
	return res, nil
}

// result stats the outputs the plan named.
func (p *plan) result() (*Result, error) {
	res := &Result{GOPDuration: p.gop.dur.duration(), SegmentDuration: p.segmentDuration()}
	for _, v := range p.video {
		fi, err := os.Stat(v.path)
		if err != nil {
			return nil, fmt.Errorf("rendition %s: %w", v.rung.Name, err)
		}
		res.Video = append(res.Video, VideoOutput{
			File: v.file, Path: v.path, Rung: v.rung, PixFmt: v.pixFmt, GOPFrames: v.gopFrames, SizeBytes: fi.Size(),
		})
	}
	for _, a := range p.audio {
		fi, err := os.Stat(a.path)
		if err != nil {
			return nil, fmt.Errorf("rendition %s: %w", a.file, err)
		}
		res.Audio = append(res.Audio, AudioOutput{
			File: a.file, Path: a.path, SourceIndex: a.stream.Index, Language: a.language, Codec: a.codec,
			Channels: a.channels, BitrateKbps: a.bitrateKbps, SampleRateHz: audioSampleRateHz, SizeBytes: fi.Size(),
		})
	}
	return res, nil
}
