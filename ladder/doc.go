// Package ladder owns vpack's bit rate ladders: the built-in ladders, ladder
// files, per-title analysis, and fitting a ladder to one source.
//
// A Ladder is a list of video rungs (size box, codec, average and peak bit
// rate, frame-rate cap) plus the audio renditions that go with them. Ladders
// come from three places, all reached through Resolve (the --ladder flag):
//
//   - Built-in: "apple-h264" and "apple-hevc", the example ladders of Apple's
//     HLS Authoring Specification (H.264 up to 1080p; HEVC up to 2160p with
//     separate HDR bit rates). Rungs Apple marks "≤30" fps have
//     MaxFrameRate 30. Audio is AAC-LC stereo at 128 kbit/s.
//   - A JSON ladder file (format below), read by Load and Parse.
//   - "auto": a per-title ladder built from trial encodes of the source
//     (PerTitle, below). Resolve cannot build it from the name and returns
//     ErrAutoNeedsSource; package pipeline runs PerTitle instead.
//
// A ladder as written is source-independent: each rung's size is a landscape
// box (16:9 in the built-ins). Adapt fits it to one source (Source: coded size, sample
// aspect ratio, rotation, frame rate, HDR) and returns the exact rungs to
// encode: even square-pixel sizes that keep the display aspect ratio and are
// never upscaled, exact frame rates, HDR bit rates where they apply, no
// duplicates, sorted by bit rate (highest first) and named like
// "720p-3000k". See Adapt for the rules.
//
// The package does not run ffmpeg or ffprobe: the caller probes the input
// (package encode) and converts the video stream to a Source, and package
// encode turns each adapted Rung into encoder arguments. Imports point down:
// encode imports ladder, never the reverse.
//
// # Ladder file format
//
// A ladder file is one JSON object. Unknown fields are errors, so a typo
// cannot silently fall back to a default.
//
//	{
//	  "name": "my-ladder",
//	  "codec": "h264",
//	  "video": [
//	    {"width": 1920, "height": 1080, "bitrate_kbps": 6000, "maxrate_kbps": 9000, "bufsize_kbps": 12000},
//	    {"width": 1920, "height": 1080, "bitrate_kbps": 4500, "hdr_bitrate_kbps": 5400, "codec": "hevc"},
//	    {"width": 1280, "height": 720, "bitrate_kbps": 3000, "crf": 23},
//	    {"width": 640, "height": 360, "bitrate_kbps": 365, "max_fps": 30, "name": "mobile"}
//	  ],
//	  "audio": [
//	    {"codec": "aac", "bitrate_kbps": 128, "channels": 2},
//	    {"codec": "eac3", "bitrate_kbps": 384, "channels": 6}
//	  ]
//	}
//
// Top level:
//
//	name    ladder name; default: the file name without ".json"
//	codec   video codec of rungs that name none: h264 (default), hevc, av1
//	video   the rungs, at least one, in any order (Adapt sorts them)
//	audio   audio renditions; omitted: AAC-LC stereo 128 kbit/s;
//	        [] (empty): no audio renditions
//
// Each video rung:
//
//	width, height     landscape box (width >= height), even, 2..8192; Adapt
//	                  fits the source's aspect inside it and turns it for
//	                  portrait sources
//	bitrate_kbps      average bit rate, > 0
//	maxrate_kbps      VBV peak, bitrate_kbps..2x bitrate_kbps (Apple: VOD peak
//	                  <= 200 % of average); 0 or omitted: 1.5x bitrate_kbps
//	bufsize_kbps      VBV buffer; 0 or omitted: 2x bitrate_kbps
//	hdr_bitrate_kbps  average bit rate for HDR sources on HEVC/AV1 rungs;
//	                  0 or omitted: bitrate_kbps
//	crf               capped CRF (0-51, AV1 0-63) under maxrate_kbps instead of
//	                  average bit rate; 0 or omitted: no CRF
//	max_fps           frame-rate cap (1-300), e.g. 30 for small rungs; 0 or
//	                  omitted: the source frame rate
//	codec             this rung's codec; default: the ladder's
//	name              rendition ID; default: Adapt names it "<short side>p-<kbps>k"
//
// Each audio rendition:
//
//	codec         aac (default), eac3, opus
//	bitrate_kbps  per track, > 0
//	channels      1-8; 0 or omitted: 2
//
//	analysis      written by per-title ladders (PerTitle, `vpack ladder`):
//	              metric, top_quality, presets, sample windows, calibration
//	              (the production-preset trial, its rate factor and CRF
//	              offset; "top": the one on the largest picture, when
//	              there is one), every trial point (width, height, frame_rate, codec, crf,
//	              preset, bitrate_kbps, quality), the hull and the chosen
//	              rungs with their predicted quality. Read back as is; Adapt
//	              and encoding ignore it.
//
// Problems are reported as a *FileError naming the file, the line and column
// for JSON errors, and the field:
//
//	my-ladder.json:5:37: unknown field "bitrate"
//	my-ladder.json: video[2]: bitrate_kbps must be > 0
//	my-ladder.json: video[0]: maxrate_kbps 20000 is more than 2x bitrate_kbps 6000 (peak must stay <= 2x average)
//
// # Per-title ladders
//
// PerTitle builds a ladder for one source from trial encodes, the Netflix
// per-title idea done cheaply. ladder owns the decisions; the encodes and
// quality scores come through the Trialer interface, which package encode
// implements with ffmpeg (encode.Trials): ladder cannot import encode
// (encode imports ladder), so it defines what it needs and the caller
// (package pipeline) plugs one into the other. Everything after the
// measurements is a pure function of the points:
//
//   - PickWindows: representative sample windows from the siti/scdet scan;
//   - FitMonotone: monotone PCHIP rate–quality curves (isotonic regression
//     first, so noisy points cannot make quality fall as rate grows);
//   - Hull: the upper convex hull over all resolutions;
//   - SelectRungs: rungs from the top quality target down, 1.5-2x apart,
//     within the bit rate limits, at most MaxRungs, a small lowest rung;
//     PerTitle selects once before the end too, and measures where a
//     resolution that was not tried at a rung's rate might beat the
//     rung's there (the hull's uncertain crossovers);
//   - BDRate: Bjøntegaard delta rate, for benchmarks.
//
// NewTrialCache keeps trial results on disk so a re-run is instant and an
// interrupted run resumes; WriteReportSVG and WriteReportPNG draw the
// curves, hull and rungs.
//
// # Usage
//
//	l, err := ladder.Resolve(flagLadder) // "apple-h264", "apple-hevc" or "my-ladder.json"
//	if err != nil {
//		return err
//	}
//	v := probe.Video[0]
//	src := ladder.Source{
//		Width: v.Width, Height: v.Height,
//		SAR:       ladder.Rate{Num: v.SAR.Num, Den: v.SAR.Den},
//		Rotation:  v.Rotation,
//		FrameRate: ladder.Rate{Num: v.FrameRate.Num, Den: v.FrameRate.Den},
//		HDR:       v.HDR,
//	}
//	l, err = ladder.Adapt(l, src, ladder.AdaptOptions{Codec: ladder.Codec(flagCodec)})
//	if err != nil {
//		return err
//	}
//	for _, r := range l.Video {
//		// encode r: r.Width x r.Height at r.FrameRate, r.BitrateKbps ...
//	}
package ladder
