// Package encode is the only package that runs ffmpeg and ffprobe. Every
// other stage reaches them through its Runner interface, so tests can use a
// fake and the CLI can map a *ToolError or ErrToolMissing to an exit code.
//
// It owns:
//   - probing an input (ProbeFile, ParseProbe → Probe);
//   - encoding the bit-rate ladder (Run): one ffmpeg process decodes the
//     source once, splits the picture into every rung (frame rate, size,
//     pixel format) and writes one video-only MP4 per rung and one
//     audio-only MP4 per audio rendition of each source audio track;
//   - the exact ffmpeg command (Args, RungArgs) and its progress output
//     (ParseProgress);
//   - per-title trial encodes (Trials, which implements ladder.Trialer):
//     the siti/scdet scan, raw sample windows at the display size, trial
//     encodes per CRF and size, each scored at the display size;
//   - quality metrics behind one interface (Metric): PSNR-Y and SSIM with
//     the ffmpeg on PATH, VMAF with any ffmpeg that has libvmaf (FindVMAF).
//
// It does not choose the ladder (package ladder adapts it to the source and
// hands Run the rungs), package CMAF segments or write manifests (packager,
// manifest), and it never creates or removes its output folder: the caller
// passes an existing OutDir and cleans it up after an error or a
// cancellation, when partial files may be left in it.
//
// The outputs are ready for a CMAF packager: every video rung has closed
// GOPs with keyframes at identical media times, one at every segment
// boundary; rate control is capped (peak at most twice the average); every
// output starts at 0 and lasts as long as the source; pixels are square and
// frames upright.
//
// Usage sketch:
//
//	r := encode.NewExecRunner(log)
//	probe, err := encode.ProbeFile(ctx, r, "movie.mov")
//	// ... l, err := ladder.Adapt(lad, source(probe), ladder.AdaptOptions{})
//	res, err := encode.Run(ctx, r, encode.Config{
//		Input: "movie.mov", Probe: probe, Video: l.Video, Audio: l.Audio,
//		OutDir: work, SegmentDuration: 4 * time.Second, Preset: "medium",
//		Log: log, Progress: func(done, total time.Duration) { ... },
//	})
//	for _, v := range res.Video {
//		fmt.Println(v.Path, v.Rung.BitrateKbps)
//	}
package encode
