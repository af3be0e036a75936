// Package packager turns rendition MP4 files into CMAF tracks for HLS and
// DASH, and builds the manifest.Presentation that describes them.
//
// It owns reading MP4 inputs (progressive or fragmented, made by any
// encoder, each holding video, audio or both), choosing segment boundaries,
// checking that the video renditions can be switched between, and writing
// CMAF headers, media segments (or single files with a sidx) and
// package.json, encrypted when Config.Encryption says so (through package
// drm). It does not encode (package encode), write playlists or MPDs
// (package manifest), or read keys from files.
//
// Every input is read and checked before anything is written; a bad one
// gives a *RenditionError naming the file (truncated, not an MP4, no
// samples, unsupported codec, keyframes not aligned with the other
// renditions) and leaves Config.OutDir untouched.
//
// Inputs are never loaded whole. Run reads the moov box, and the moof boxes
// of fragmented files, into a compact sample table (32 bytes per sample);
// sample data is then streamed from the file by ranges: large contiguous
// runs are copied in the kernel (copy_file_range), interleaved samples are
// gathered through a fixed buffer per worker. Memory does not grow with the
// length of the input beyond the sample table.
//
// # Output layout
//
// URIs are relative to Config.OutDir, which also receives package.json:
//
//	video/<id>/init.mp4        CMAF header: ftyp (cmfc, iso6), moov with one trak and mvex/trex
//	video/<id>/seg-00001.m4s   media segments: styp (msdh, cmfs), then moof+mdat per chunk
//	video/<id>/media.mp4       single-file mode instead: header, sidx, the segments' fragments
//	video/<id>/index.m3u8      Track.PlaylistURI (written by package manifest)
//	video/<id>/iframes.m3u8    Track.IFramePlaylistURI (video only)
//	audio/<id>/...             the same for audio tracks
//	text/<id>/...              text tracks in CMAF (wvtt, stpp): init.mp4, seg-00001.m4s, index.m3u8
//	text/<id>-vtt/seg-00001.vtt  HLS segmented WebVTT, beside each DASH wvtt track
//	text/<id>.vtt              a side-car WebVTT file (SubtitleSidecar)
//
// Track IDs are URL-safe, unique and stable for the same inputs:
//
//   - video: "<height>p-<kbps>k", kbps being the measured average bit rate of
//     the sample data, e.g. "720p-2874k";
//   - audio: "<language>-<codec>", plus "-<n>ch" when not stereo, e.g.
//     "en-aac", "en-ec3-6ch"; audio tracks that would share an ID get
//     "-<kbps>k" appended;
//   - Input.ID replaces the derived ID of a file's first video (else audio)
//     track; any remaining clash gets "-2", "-3", ... in input order.
//
// Identical audio tracks (same codec, language and sample sizes), as when
// every rendition file carries the same audio, are packaged once.
//
// # Segments
//
// Each media segment starts with a sync sample. Cut points come from the
// video keyframes: the video rendition with the fewest keyframes is the
// reference, a segment starts at its first keyframe at or after each
// multiple of Config.SegmentDuration, and every other video rendition must
// have a keyframe at the same presentation time (within 1 ms) or Run fails
// with ErrNotAligned, naming both files and the time. Renditions at
// different frame rates are accepted when their keyframes align (12.5 fps
// next to 25 fps), and refused by that check otherwise (24 fps next to
// 25 fps with 2-second GOPs). Video renditions must also end within 0.5 s
// of each other (ErrDurationsDiffer). Audio is cut at the audio frame boundary
// nearest to each video cut; without video, near each multiple of the
// target.
//
// Inside a segment a video track gets one fragment (CMAF chunk) per GOP, so
// each keyframe's I-frame byte range is its moof, mdat header and the
// keyframe alone. Audio gets one fragment per segment. Sample durations,
// sizes and composition offsets are copied from the source, never
// recomputed; tfdt is the source decode time.
//
// # Edit lists
//
// Encoders describe a start offset with an edit list: ffmpeg writes
// media_time = the B-frame delay for H.264/HEVC with B-frames, and the
// encoder delay (priming, 1024 samples for AAC, the pre-skip for Opus) for
// audio. The packager keeps presentation times where the source's edit list
// puts them, in the way players handle best:
//
//   - video with media_time > 0: composition offsets are reduced by it (trun
//     version 1, signed offsets, as CMAF allows), so the first frame is
//     presented at its decode time, 0, even by players that ignore edit
//     lists (hls.js);
//   - audio with media_time > 0: the samples are left as they are (they
//     cannot be shifted before 0) and the init segment carries a one-entry
//     edit list with that media_time and segment_duration 0, which MSE
//     and Apple players apply to drop the priming;
//   - a leading empty edit (a start delay) is added to tfdt.
//
// Later edits, which only trim the end, are ignored.
//
// # Languages
//
// The language of an audio track is Input.Language when set, else the elng
// box, else mdhd. It is published as BCP 47 with the two-letter ISO 639-1
// code where one exists ("eng" becomes "en"); other codes are kept as
// given, "und" when unknown. The first audio track is the default.
//
// # Encryption
//
// With Config.Encryption every track is encrypted with Common Encryption
// (ISO/IEC 23001-7), cenc or cbcs, with the key its track class or CPIX
// usage rule picks (drm.KeySet.Select: by media type, and for video by
// height: SD, HD, UHD), and signalled as drm.Signals builds it:
//
//   - init segments: encv/enca sample entries with sinf (frma, schm,
//     schi/tenc holding the KID, the per-sample IV size or constant IV and,
//     for cbcs video, the 1:9 pattern), and one pssh per DRM system;
//   - fragments: senc (per-sample IVs for cenc, subsample maps for video),
//     saiz and saio after the trun; for cbcs audio, which has neither,
//     none (CMAF §8.2.2.1);
//   - clear lead: segments that start before Encryption.ClearLead are
//     written clear, their fragments marked with a 'seig' sample group
//     whose isProtected is 0;
//   - manifests: Track.Protection (DASH ContentProtection, HLS EXT-X-KEY
//     and EXT-X-SESSION-KEY).
//
// Clear packaging copies sample data in the kernel; encrypted packaging
// must read it: each fragment is read into memory by ranges (so memory is
// bounded by the largest fragment, one GOP, per worker), encrypted in
// place and written after its moof. Its sizes are only known then, so the
// writer records them for the manifests; in single-file mode the segments
// go to temporary files that are joined once the sidx can be written.
//
// # Subtitles
//
// Config.Subtitles are WebVTT, SRT or TTML files (package subtitle reads
// them), each with a required language. Every one is read and checked
// before anything is written, like the media inputs; a bad one is a
// *SubtitleError whose message names the file and line. Each becomes a
// text track (IDs "text-<language>", "text-<language>-forced") cut on the
// first video track's segment boundaries (without video, at multiples of
// the target), its cues moved by Subtitle.Offset and cut at the end of the
// presentation. Config.SubtitleFormat chooses the form:
//
//   - wvtt (the default): a CMAF WebVTT track (ISO/IEC 14496-30) that only
//     the MPD lists, and its twin that only HLS lists, WebVTT files with
//     X-TIMESTAMP-MAP (Apple players read no wvtt);
//   - stpp: one CMAF IMSC1 track for both manifests;
//   - sidecar: one WebVTT file for both, the only choice in single-file
//     mode.
//
// Cue time 0 is the video's first presented frame (see planText for how
// that maps to media time). Text tracks are not encrypted.
//
// # Usage
//
//	res, err := packager.Run(ctx, packager.Config{
//		Inputs: []packager.Input{{Path: "v1080.mp4"}, {Path: "v720.mp4"}, {Path: "audio_en.mp4"}},
//		OutDir: "out",
//		HLS:    &manifest.HLSOptions{},  // optional: write master.m3u8 and media playlists
//		DASH:   &manifest.DASHOptions{}, // optional: write manifest.mpd
//	})
//	// res.Presentation is the model of what was written, res.Summary is package.json.
package packager
