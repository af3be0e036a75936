/*
Package validate checks an HLS + DASH + CMAF package the way players and
CDNs will meet it, and reports every problem it finds as a [Finding] with a
stable rule ID, a severity, the spec clause it comes from and a precise
location. It reports problems, never fixes them.

# What it owns, what it does not

validate reads manifests and media and judges them; it writes nothing and
changes nothing. It checks:

  - HLS playlists (RFC 8216, draft-pantos-hls-rfc8216bis, Apple's HLS
    Authoring Specification): encoding and line endings, tag syntax and
    placement, required and repeated tags, EXT-X-VERSION against the
    features used, EXTINF against EXT-X-TARGETDURATION and against the
    media, EXT-X-MAP, rendition groups, BANDWIDTH and AVERAGE-BANDWIDTH
    against the measured segment bit rates (Apple's 10 % rules), CODECS,
    RESOLUTION and FRAME-RATE against the init segments and samples,
    I-frame playlists against the keyframes, EXT-X-KEY against tenc.
  - DASH MPDs (ISO/IEC 23009-1, DASH-IF IOP): well-formedness and the
    structure and types of the MPD schema (in Go; with xmllint and
    DASH-MPD.xsd too when Options.MPDSchema is set), SegmentTemplate,
    SegmentTimeline, SegmentList and SegmentBase (sidx) resolved to real
    segments, timelines against the media and the Period duration, segment
    alignment, startWithSAP, @bandwidth with @minBufferTime, @codecs and
    the other media attributes, ContentProtection against tenc and pssh.
  - CMAF media (ISO/IEC 23000-19, ISO/IEC 14496-12): brands, headers
    without samples, box structure and order, tfdt continuity, sample
    durations, a sync sample first in every segment, and common encryption
    (ISO/IEC 23001-7): tenc, senc, saiz/saio, seig sample groups, subsample
    sums, pssh. With Options.Keys a sample of segments is decrypted and
    its NAL structure checked.
  - Text tracks (RFC 8216 §3.5, W3C WebVTT, ISO/IEC 14496-30): HLS
    WebVTT segments and side-car files parse (file:line), carry a
    well-formed X-TIMESTAMP-MAP alongside fMP4 media, and, once mapped
    onto the media timeline, hold only cues shown during their EXTINF and
    every such cue (cues spanning a boundary repeated); wvtt samples tile
    the track and each segment's declared span; stpp samples are TTML
    documents whose cues lie inside them; EXT-X-MEDIA LANGUAGE and @lang
    against the init segment's mdhd/elng.
  - Thumbnail tiles (DASH-IF IOP v4.3 §6.2.6, Image Media Playlist
    specification v0.4): EXT-X-IMAGE-STREAM-INF, EXT-X-IMAGES-ONLY and
    EXT-X-TILES, the thumbnail_tile property, every tile a JPEG of the
    declared size, ceil(duration / (interval × columns × rows)) of them.
  - HLS against DASH: the same tracks, segments, durations and KIDs, the
    same audio languages and text tracks (language, forced), the same
    thumbnail grids. Text tracks may take a different form in each (HLS
    WebVTT segments, DASH wvtt) and are compared by what they offer.

Static validation reads the manifests, every init segment and the moof
boxes of every segment, never the mdat payloads of audio and video
(unless Options.Keys asks for decryption): a 2-hour, 7-track package of
12,600 segments validates in well under two seconds
(bench/validatebench). Text segments (wvtt, stpp), WebVTT files and JPEG
tiles, all small, are read whole.

The rule catalogue is [Rules]; `vpack validate --rules` prints it. A rule
never changes meaning; retired IDs are not reused.

# Inputs and outputs

  - [Dir](ctx, folder, [Options]): a package folder (master.m3u8 and
    manifest.mpd, else every multivariant playlist and MPD at its top).
  - [File](ctx, path, opts): one playlist or MPD and what it references.
  - [URL](ctx, url, opts): the same over HTTP(S), with per-request
    timeouts, size limits and bounded concurrency.
  - [Target] picks one of the three from its argument.

Each returns a [*Report]: the findings sorted by location, and what was
read. The error is non-nil only when validation could not run at all (the
folder does not exist, ctx was cancelled); everything wrong with the
package is a finding. A Report is an error only when it contains errors:
[Report.Check] returns it (or nil), and errors.Is(err, [ErrFailed]) holds.

# Safety

Everything is read through a root: an os.Root on the package folder, or
the folder of the URL on its host. A URI that leaves it (../, an absolute
path, another host, a redirect elsewhere) is reported as REF-ESCAPE and
never read. Every read has a size limit (Options.MaxManifestBytes,
MaxSegmentBytes), MPDs a depth and element limit, timelines a segment
limit, so a hostile package cannot exhaust memory; malformed input of any
kind is a finding, never a panic (the fuzz tests check the playlist and
MPD readers and the box walker).

# Usage

In a Go test of a packaging pipeline:

	report, err := validate.Dir(ctx, "out/", validate.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if report.HasErrors() {
		t.Fatal(report)
	}

In a program, failing on warnings too:

	report, err := validate.Target(ctx, "https://cdn.example/title/manifest.mpd", validate.Options{})
	if err != nil {
		return err
	}
	report.WriteText(os.Stdout)
	return report.Check(true) // *Report, errors.Is(err, validate.ErrFailed)

# How it reads

Playlists are scanned line by line by the validator itself (hls-m3u8 keeps
no line numbers and stops at the first error); MPDs are read with
encoding/xml into an element tree that keeps lines and element paths
(dash-mpd's decoder can loop on malformed input, see manifest/dashread.go).
Boxes are walked by the validator's own box walker, which keeps offsets and
survives broken sizes; mp4ff decodes the moov boxes, the samples of text
tracks and, with Keys, decrypts. WebVTT and TTML are parsed by package
subtitle (ParseWebVTT, ParseTTML); the validator scans WebVTT files again
for X-TIMESTAMP-MAP and the lines of the cue timings, and decodes wvtt
samples itself, since subtitle.ReadWVTT and ReadSTPP join the cues of a
track and so hide how its samples and segments are cut.
*/
package validate
