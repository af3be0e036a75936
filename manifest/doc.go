/*
Package manifest writes and reads the manifests of a VOD CMAF presentation:
HLS playlists (RFC 8216, through Eyevinn/hls-m3u8) and DASH MPDs (ISO/IEC
23009-1, through Eyevinn/dash-mpd), over its own input model, [Presentation].

# What it owns, what it does not

manifest formats and parses text. It never touches media: every number in a
[Presentation] (durations in ticks, byte ranges, bit rates) is measured by the
packager, which builds the Presentation from the segments it wrote. manifest
does not write files either: [WriteHLS] returns [File] values in the order
they must be written (media playlists first, the multivariant playlist
last), [WriteDASH] returns the MPD's bytes. It imports no other vpack
package.

# Inputs and outputs

  - [WriteHLS](p, [HLSOptions]) → media playlists, I-frame playlists and the
    multivariant playlist ("master.m3u8").
  - [WriteDASH](p, [DASHOptions]) → one static MPD, isoff-live + CMAF
    profiles with SegmentTemplate and SegmentTimeline, or isoff-on-demand
    with SegmentBase when p.SingleFile.
  - [ReadHLS](fsys, name) and [ReadDASH](data) → a [Presentation] with as
    much as the manifests carry (see each for what does not round-trip) and,
    for HLS, the declared bit rates in Presentation.Variants. Their errors
    are [*ParseError] values naming the file and line, or the MPD element.

# Encryption

A Track with Protection is encrypted with Common Encryption (ISO/IEC
23001-7). WriteDASH gives its AdaptationSet an mp4protection
ContentProtection with the scheme and cenc:default_KID, then one per DRM
system with its cenc:pssh, mspr:pro and dashif:Laurl; tracks with
different keys go to AdaptationSets of their own, linked by an
adaptation-set-switching SupplementalProperty. WriteHLS writes one
EXT-X-KEY per system (METHOD SAMPLE-AES for cbcs, SAMPLE-AES-CTR for cenc,
URI, KEYID, KEYFORMAT, KEYFORMATVERSIONS) before the first segment after
the clear lead, in media and I-frame playlists, and the matching
EXT-X-SESSION-KEY tags in the multivariant playlist. The readers return
what each format carries of it.

# Naming contract with the packager

URIs in the model are slash-separated paths relative to the folder of the
multivariant playlist and the MPD (both are written in that folder), never
absolute, never climbing out with "..". Inside a media playlist WriteHLS
rewrites them relative to the playlist's own folder. For DASH the segment
URIs of a track must differ only in a decimal segment number that counts up
by one, which becomes $Number$ (zero padding is kept: "seg-00001.m4s" →
"seg-$Number%05d$.m4s"); the first number becomes startNumber. The layout
the packager uses fits:

	video/<id>/init.mp4          Track.InitURI
	video/<id>/seg-00001.m4s     Segment.URI, numbered from 1
	video/<id>/index.m3u8        Track.PlaylistURI
	video/<id>/iframes.m3u8      Track.IFramePlaylistURI
	audio/<id>/...               the same for audio (text/<id>/... for text)
	video/<id>/media.mp4         Track.MediaURI in single-file mode, where
	                             InitRange (ftyp+moov), IndexRange (sidx) and
	                             Segment.Range point into it
	text/<id>/seg-00001.vtt      segmented WebVTT (MimeType text/vtt, Only hls)
	text/<id>/<id>.vtt           side-car WebVTT: Track.MediaURI, one Segment
	image/<id>/tile-00001.jpg    thumbnail tiles (Type image, MimeType image/jpeg)

When the track ID is a path segment, the MPD uses $RepresentationID$ and one
SegmentTemplate per AdaptationSet. In single-file mode InitURI and
Segment.URI are unused and IFrame.URI may be empty (it defaults to
MediaURI).

# Subtitles and thumbnails

Text tracks take one of four forms: fMP4 WebVTT (wvtt) or IMSC1 (stpp),
segmented WebVTT files, or one side-car WebVTT file. Track.Only keeps a
form to one manifest: the packager pairs a segmented WebVTT track for HLS
(WebVTT segments, RFC 8216 §3.5, which every HLS client plays) with an fMP4
wvtt track for DASH (which has no segmented WebVTT). HLS lists every subtitle in one
SUBTITLES group, "subs", with FORCED=YES for Track.Forced and
CHARACTERISTICS; DASH gives each text track its AdaptationSet with Role
"subtitle" or "forced-subtitle". Image tracks are thumbnail tiles: an HLS
image media playlist (Image Media Playlist v0.4, as Roku reads it) and a
DASH-IF IOP thumbnail AdaptationSet. Plain-file tracks (MimeType set) have
no init segment, byte ranges or encryption, in either mode.

# Usage

	p := &manifest.Presentation{Duration: d, SegmentDuration: 2 * time.Second, Tracks: tracks}
	files, err := manifest.WriteHLS(p, manifest.HLSOptions{})
	if err != nil {
		return err
	}
	for _, f := range files { // master.m3u8 comes last
		if err := store.Put(ctx, f.Name, f.Data); err != nil {
			return err
		}
	}
	mpd, err := manifest.WriteDASH(p, manifest.DASHOptions{})

	// Later, to check what was published:
	got, err := manifest.ReadHLS(os.DirFS(outDir), "master.m3u8")

# Library limits worked around

  - hls-m3u8 reports no line numbers and panics on some malformed playlists
    (a segment tag without a segment): ReadHLS recovers, and finds the line
    by decoding prefixes (see decodeStrict). It also reads a BYTERANGE
    without @offset as offset 0; ReadHLS applies RFC 8216 §4.3.2.2.
  - hls-m3u8 sorts EXT-X-MEDIA tags by group and NAME; WriteHLS lists
    renditions in that order too.
  - dash-mpd's patched XML decoder loops forever on some malformed
    documents: ReadDASH checks the document with encoding/xml first.
*/
package manifest
