package validate

// Rule IDs. Each names one entry of catalogue; code reports findings by
// these constants only, and TestCatalogue checks that every rule is used.
const (
	// References and the package as a whole.
	rRefEscape     = "REF-ESCAPE"
	rRefInvalid    = "REF-INVALID"
	rRefMissing    = "REF-MISSING"
	rRefTooLarge   = "REF-TOO-LARGE"
	rRefByteRange  = "REF-BYTERANGE"
	rPkgNoManifest = "PKG-NO-MANIFEST"
	rInternal      = "VALIDATE-INTERNAL"
	rNotChecked    = "VALIDATE-NOT-CHECKED"

	// HLS playlists.
	rHLSEncoding        = "HLS-ENCODING"
	rHLSLineEndings     = "HLS-LINE-ENDINGS"
	rHLSCRLF            = "HLS-CRLF"
	rHLSExtM3U          = "HLS-EXTM3U"
	rHLSSyntax          = "HLS-SYNTAX"
	rHLSNumber          = "HLS-NUMBER"
	rHLSUnknownTag      = "HLS-UNKNOWN-TAG"
	rHLSPlaylistKind    = "HLS-PLAYLIST-KIND"
	rHLSTagRepeated     = "HLS-TAG-REPEATED"
	rHLSTagRequired     = "HLS-TAG-REQUIRED"
	rHLSTagPlacement    = "HLS-TAG-PLACEMENT"
	rHLSAttrRequired    = "HLS-ATTR-REQUIRED"
	rHLSAttrRecommended = "HLS-ATTR-RECOMMENDED"
	rHLSVersion         = "HLS-VERSION"
	rHLSTargetDuration  = "HLS-TARGETDURATION"
	rHLSExtinfMedia     = "HLS-EXTINF-MEDIA"
	rHLSMap             = "HLS-MAP"
	rHLSEndlist         = "HLS-ENDLIST"
	rHLSEmpty           = "HLS-EMPTY"
	rHLSSegmentRepeated = "HLS-SEGMENT-REPEATED"
	rHLSGroupMissing    = "HLS-GROUP-MISSING"
	rHLSGroupRules      = "HLS-GROUP-RULES"
	rHLSBandwidth       = "HLS-BANDWIDTH"
	rHLSBandwidthHigh   = "HLS-BANDWIDTH-HIGH"
	rHLSAverageBW       = "HLS-AVERAGE-BANDWIDTH"
	rHLSPeakRatio       = "HLS-PEAK-RATIO"
	rHLSCodecs          = "HLS-CODECS"
	rHLSResolution      = "HLS-RESOLUTION"
	rHLSFrameRate       = "HLS-FRAME-RATE"
	rHLSIFrame          = "HLS-IFRAME"
	rHLSAlignment       = "HLS-ALIGNMENT"
	rHLSKeyMethod       = "HLS-KEY-METHOD"
	rHLSKeyID           = "HLS-KEY-KEYID"
	rHLSKeyFormat       = "HLS-KEY-FORMAT"

	// DASH MPDs.
	rDASHXML           = "DASH-XML"
	rDASHSchema        = "DASH-SCHEMA"
	rDASHXSD           = "DASH-XSD"
	rDASHDuplicateID   = "DASH-DUPLICATE-ID"
	rDASHDuration      = "DASH-DURATION"
	rDASHAddressing    = "DASH-ADDRESSING"
	rDASHTemplate      = "DASH-TEMPLATE"
	rDASHTimelineGap   = "DASH-TIMELINE-GAP"
	rDASHTimelineMedia = "DASH-TIMELINE-MEDIA"
	rDASHTimelineTotal = "DASH-TIMELINE-TOTAL"
	rDASHAlignment     = "DASH-SEGMENT-ALIGNMENT"
	rDASHStartWithSAP  = "DASH-START-WITH-SAP"
	rDASHBandwidth     = "DASH-BANDWIDTH"
	rDASHCodecs        = "DASH-CODECS"
	rDASHMediaAttrs    = "DASH-MEDIA-ATTRIBUTES"
	rDASHCPMissing     = "DASH-CP-MISSING"
	rDASHCPDefaultKID  = "DASH-CP-DEFAULT-KID"
	rDASHCPPssh        = "DASH-CP-PSSH"
	rDASHLive          = "DASH-DYNAMIC"

	// Media: ISOBMFF / CMAF structure and timing.
	rMP4Box            = "MP4-BOX"
	rMP4Truncated      = "MP4-TRUNCATED"
	rCMAFBrand         = "CMAF-BRAND"
	rCMAFInit          = "CMAF-INIT"
	rCMAFInitSamples   = "CMAF-INIT-SAMPLES"
	rCMAFFragmentOrder = "CMAF-FRAGMENT-ORDER"
	rCMAFTrackID       = "CMAF-TRACK-ID"
	rCMAFDataOffset    = "CMAF-DATA-OFFSET"
	rCMAFTfdt          = "CMAF-TFDT"
	rCMAFTfdtGap       = "CMAF-TFDT-GAP"
	rCMAFTfdtOverlap   = "CMAF-TFDT-OVERLAP"
	rCMAFSampleDur     = "CMAF-SAMPLE-DURATION"
	rCMAFSegmentSAP    = "CMAF-SEGMENT-SAP"
	rCMAFSequence      = "CMAF-SEQUENCE"
	rCMAFSidx          = "CMAF-SIDX"
	rMediaNotFMP4      = "MEDIA-NOT-FMP4"
	rMediaNAL          = "MEDIA-NAL"

	// Common encryption.
	rCENCScheme      = "CENC-SCHEME"
	rCENCSenc        = "CENC-SENC"
	rCENCSaizSaio    = "CENC-SAIZ-SAIO"
	rCENCSubsamples  = "CENC-SUBSAMPLES"
	rCENCAlignment   = "CENC-PROTECTED-ALIGNMENT"
	rCENCSampleGroup = "CENC-SAMPLE-GROUP"
	rCENCPssh        = "CENC-PSSH"
	rCENCPsshMissing = "CENC-PSSH-MISSING"
	rCENCKeyMissing  = "CENC-KEY-MISSING"
	rCENCDecrypt     = "CENC-DECRYPT"

	// Text tracks: WebVTT (HLS segments, side-car files), wvtt, stpp.
	rTextWebVTT             = "TEXT-WEBVTT"
	rTextTimestampMap       = "TEXT-TIMESTAMP-MAP"
	rTextTimestampMapSyntax = "TEXT-TIMESTAMP-MAP-SYNTAX"
	rTextCueOutside         = "TEXT-CUE-OUTSIDE"
	rTextCueMissing         = "TEXT-CUE-MISSING"
	rTextWVTTSamples        = "TEXT-WVTT-SAMPLES"
	rTextSTPP               = "TEXT-STPP"
	rTextLanguage           = "TEXT-LANGUAGE"

	// Thumbnail tiles.
	rThumbJPEG       = "THUMB-JPEG"
	rThumbSize       = "THUMB-SIZE"
	rThumbCoverage   = "THUMB-COVERAGE"
	rThumbSignalling = "THUMB-SIGNALLING"

	// HLS against DASH.
	rCrossTracks     = "CROSS-TRACKS"
	rCrossSegments   = "CROSS-SEGMENTS"
	rCrossDuration   = "CROSS-DURATION"
	rCrossKID        = "CROSS-KID"
	rCrossLanguages  = "CROSS-LANGUAGES"
	rCrossThumbnails = "CROSS-THUMBNAILS"
)

// Spec references used more than once.
const (
	specRFC       = "RFC 8216 "
	specBis       = "draft-pantos-hls-rfc8216bis-15 "
	specApple     = "Apple HLS Authoring Specification: "
	specDASH      = "ISO/IEC 23009-1:2022 "
	specIOP       = "DASH-IF IOP v4.3: "
	specCMAF      = "ISO/IEC 23000-19:2020 "
	specBMFF      = "ISO/IEC 14496-12:2022 "
	specCENC      = "ISO/IEC 23001-7:2023 "
	specNALFormat = "ISO/IEC 14496-15:2022 "
	specText      = "ISO/IEC 14496-30:2018 "
	specWebVTT    = "W3C WebVTT (CR 2019) "
	specImage     = "Image Media Playlist specification v0.4: "
	specThumbs    = "DASH-IF IOP v4.3 §6.2.6 (thumbnails)"
)

// catalogue is every rule; it is sorted by ID when the package loads.
var catalogue = []Rule{
	{rCENCDecrypt, Error, specCENC + "§9–10 (with --keys)", "a sampled segment does not decrypt with the given key: the NAL structure does not survive decryption"},
	{rCENCKeyMissing, Warning, specCENC + "§8.2 (with --keys)", "--keys has no key for a track's default_KID, so its segments were not decrypted"},
	{rCENCAlignment, Warning, specCENC + "§10.1 (cenc: video NAL subsample protection)", "cenc video subsample protected range is not a multiple of 16 bytes"},
	{rCENCPssh, Error, specCENC + "§8.1", "pssh box does not parse, or lists KIDs without the track's default_KID"},
	{rCENCPsshMissing, Warning, specCENC + "§8.1; " + specIOP + "content protection signalling", "encrypted track with no pssh for any DRM system, neither in the init segment nor in a manifest"},
	{rCENCSampleGroup, Error, specCENC + "§6; " + specBMFF + "§8.9.2–8.9.3", "seig sample group inconsistent: sbgp counts, group description indexes or seig KID/IV"},
	{rCENCSaizSaio, Error, specCENC + "§7; " + specBMFF + "§8.7.8–8.7.9", "saiz/saio missing, sample count or sizes differ from senc, or saio does not point at the senc data"},
	{rCENCScheme, Error, specCENC + "§4, §8.2", "encrypted sample entry without a valid sinf/frma/schm/tenc (scheme, IV size, KID, pattern)"},
	{rCENCSenc, Error, specCENC + "§7.2", "senc missing, sample count differs from trun, or IV size differs from tenc"},
	{rCENCSubsamples, Error, specCENC + "§7.2, §9.5", "subsample clear + protected bytes do not add up to the sample size"},
	{rCMAFBrand, Warning, specCMAF + "(CMAF brands: cmfc/cmf2 in the header, cmfs in segments)", "init segment ftyp lacks a CMAF brand (cmfc/cmf2), or a media segment styp lacks cmfs"},
	{rCMAFDataOffset, Error, specBMFF + "§8.8.8", "trun data offset or sample sizes point outside the mdat that follows the moof"},
	{rCMAFFragmentOrder, Error, specBMFF + "§8.8.4; " + specCMAF + "(CMAF fragment: moof then mdat)", "media segment boxes out of order: no moof, moof not followed by mdat, or moov in a segment"},
	{rCMAFInit, Error, specCMAF + "(CMAF header: one track, mvex); " + specBMFF + "§8.8.1", "init segment structure: ftyp, moov with one track, mvex/trex required, no fragments"},
	{rCMAFInitSamples, Error, specCMAF + "(CMAF header holds no samples)", "init segment contains samples (stts/stsz/stco entries or an mdat)"},
	{rCMAFSampleDur, Error, specBMFF + "§8.8.8; " + specCMAF + "(CMAF fragment)", "sample durations are zero or missing (no trun duration, tfhd or trex default)"},
	{rCMAFSegmentSAP, Error, specCMAF + "(CMAF fragment starts with SAP type 1 or 2); " + specApple + "media segments", "media segment does not start with a sync sample (SAP type 1 or 2)"},
	{rCMAFSequence, Warning, specBMFF + "§8.8.5", "mfhd sequence numbers do not increase through the track"},
	{rCMAFSidx, Error, specBMFF + "§8.16.3; " + specDASH + "§6.3.4 (indexed media segments)", "sidx references do not match the fragments they index (offsets, sizes, durations)"},
	{rCMAFTfdt, Error, specCMAF + "(tfdt required); " + specBMFF + "§8.8.12", "traf without tfdt"},
	{rCMAFTfdtGap, Error, specCMAF + "(CMAF track: contiguous decode times)", "tfdt leaves a gap of more than one frame after the previous segment's end"},
	{rCMAFTfdtOverlap, Error, specCMAF + "(CMAF track: contiguous decode times)", "tfdt starts more than one frame before the previous segment's end (overlap or duplicate)"},
	{rCMAFTrackID, Error, specBMFF + "§8.8.7", "tfhd track_ID is not the track of the init segment"},
	{rCrossDuration, Error, specRFC + "§4.3.2.1; " + specDASH + "§5.3.9.6", "HLS EXTINF and DASH SegmentTimeline give different durations for the same segment"},
	{rCrossKID, Error, specCENC + "§8.2", "HLS and DASH signal different KIDs for the same track"},
	{rCrossSegments, Error, specRFC + "§4.3.2; " + specDASH + "§5.3.9", "HLS and DASH list different segments for the same track"},
	{rCrossLanguages, Warning, "vpack package contract; " + specRFC + "§4.3.4.1 (LANGUAGE, FORCED); " + specDASH + "§5.3.7.2 (@lang), §5.8.5.5 (Role)", "HLS and DASH offer different audio languages, or different text tracks (language and forced)"},
	{rCrossThumbnails, Error, specThumbs + "; " + specImage + "EXT-X-TILES", "HLS EXT-X-TILES and the DASH thumbnail_tile, @width × @height or @duration describe the same tiles differently"},
	{rCrossTracks, Warning, "vpack package contract", "a track is in one manifest and not in the other"},
	{rDASHAddressing, Error, specDASH + "§5.3.9.1", "Representation has no usable segment information (SegmentBase, SegmentList or SegmentTemplate with timeline or @duration)"},
	{rDASHAlignment, Error, specDASH + "§5.3.3.2 (segmentAlignment); " + specIOP + "segment alignment", "segmentAlignment is true but the Representations' segments start at different times (misaligned keyframes)"},
	{rDASHBandwidth, Error, specDASH + "§5.3.5.2 (@bandwidth with @minBufferTime)", "@bandwidth is too low: delivered at that rate, the segments do not arrive in time after minBufferTime"},
	{rDASHCodecs, Error, specDASH + "§5.3.7.2 (@codecs); RFC 6381", "@codecs does not match the sample entry of the init segment"},
	{rDASHCPDefaultKID, Error, specIOP + "content protection; " + specCENC + "§8.2; ISO/IEC 23009-1 §5.8.5.2", "no mp4protection ContentProtection, or its cenc:default_KID (or @value scheme) differs from tenc"},
	{rDASHCPMissing, Error, specDASH + "§5.8.4.1; " + specIOP + "content protection", "encrypted Representation without ContentProtection (or ContentProtection on clear media)"},
	{rDASHCPPssh, Error, specCENC + "§8.1; " + specIOP + "cenc:pssh", "cenc:pssh is not base64 of a pssh box of the ContentProtection's system, or lacks the default_KID"},
	{rDASHDuplicateID, Error, specDASH + "§5.3.3.2, §5.3.5.2", "duplicate AdaptationSet@id or Representation@id within a Period"},
	{rDASHDuration, Error, specDASH + "§5.3.1.2, §5.3.2.2", "static MPD without mediaPresentationDuration or Period@duration, or the duration is not positive"},
	{rDASHLive, Info, specDASH + "§5.3.1.2 (@type)", "dynamic MPD: validated as it is now; availability times are not checked"},
	{rDASHMediaAttrs, Error, specDASH + "§5.3.7.2", "@width/@height/@frameRate/@audioSamplingRate/@mimeType/@contentType do not match the media"},
	{rDASHSchema, Error, specDASH + "§5.3 and DASH-MPD.xsd", "MPD structure: unknown or misplaced element, missing required attribute, attribute value of the wrong type"},
	{rDASHStartWithSAP, Error, specDASH + "§5.3.7.2 (@startWithSAP)", "startWithSAP says segments start with a SAP but a segment's first sample is not a sync sample"},
	{rDASHTemplate, Error, specDASH + "§5.3.9.4.4", "SegmentTemplate @media/@initialization is malformed or uses identifiers not allowed there"},
	{rDASHTimelineGap, Error, specDASH + "§5.3.9.6; " + specIOP + "SegmentTimeline", "SegmentTimeline S@t leaves a gap or an overlap after the previous S"},
	{rDASHTimelineMedia, Error, specDASH + "§5.3.9.6; " + specCMAF + "(tfdt is the media time)", "a segment's tfdt or duration differs from what the SegmentTimeline (or @duration) says"},
	{rDASHTimelineTotal, Error, specDASH + "§5.3.9.6, §5.3.1.2", "the SegmentTimeline of a Representation does not add up to the Period / mediaPresentationDuration"},
	{rDASHXML, Error, "W3C XML 1.0; " + specDASH + "§5.3.1", "MPD is not well-formed XML, or its root is not MPD in urn:mpeg:dash:schema:mpd:2011"},
	{rDASHXSD, Error, specDASH + "DASH-MPD.xsd (xmllint)", "xmllint schema validation of the MPD failed"},
	{rTextCueMissing, Error, specRFC + "§3.5 (a WebVTT segment MUST contain every cue shown during its EXTINF)", "a cue shown during a WebVTT segment's span is not in that segment: cues spanning a boundary must be repeated"},
	{rTextCueOutside, Error, specRFC + "§3.5; " + specText + "§5 (TTML times are track times)", "a cue lies outside the segment that carries it: a WebVTT cue (after X-TIMESTAMP-MAP) that does not overlap its segment, a TTML cue outside its stpp sample"},
	{rTextLanguage, Warning, specRFC + "§4.3.4.1 (LANGUAGE); " + specDASH + "§5.3.7.2 (@lang); " + specBMFF + "§8.4.2 (mdhd), §8.4.6 (elng)", "EXT-X-MEDIA LANGUAGE or @lang differs from the language of the text track's init segment (mdhd, elng)"},
	{rTextSTPP, Error, specText + "§6; W3C TTML1, IMSC1", "an stpp sample is not a TTML document that parses"},
	{rTextTimestampMap, Warning, specRFC + "§3.5 (X-TIMESTAMP-MAP SHOULD be added to each WebVTT header; without it cue time 0 is media time 0)", "HLS WebVTT segment without X-TIMESTAMP-MAP alongside fMP4 media"},
	{rTextTimestampMapSyntax, Error, specRFC + "§3.5; " + specBis + "§3.1.4", "X-TIMESTAMP-MAP malformed or repeated: not MPEGTS:<90 kHz time>,LOCAL:<cue time>"},
	{rTextWVTTSamples, Error, specText + "§7 (a WebVTT sample for every interval, vtte when no cue shows)", "wvtt samples do not tile the track and its segments: gap, overlap, a span other than the manifest's, or a sample that is not vttc/vtte/vtta boxes"},
	{rTextWebVTT, Error, specWebVTT + "§4 (file syntax); " + specRFC + "§3.5", "a WebVTT file (HLS segment or side-car) does not parse: no WEBVTT line, a malformed cue timing, text outside a cue"},
	{rThumbCoverage, Error, specThumbs + "; " + specImage + "EXT-X-TILES DURATION", "the tiles do not cover the presentation: count is not ceil(duration / (interval × columns × rows)), or a tile but the last is not a full tile"},
	{rThumbJPEG, Error, "ISO/IEC 10918-1 (JPEG); " + specThumbs, "a thumbnail tile is not a JPEG image that decodes"},
	{rThumbSignalling, Error, specThumbs + "; " + specImage + "EXT-X-IMAGES-ONLY, EXT-X-TILES", "thumbnail signalling malformed or inconsistent: EXT-X-TILES or thumbnail_tile value, RESOLUTION against EXT-X-TILES, @width × @height not a whole grid"},
	{rThumbSize, Error, specThumbs + " (@width × @height); " + specImage + "EXT-X-TILES RESOLUTION × LAYOUT", "a thumbnail tile's pixel size differs from the declared tile size"},
	{rHLSAlignment, Warning, specApple + "media segmentation (segments aligned across variants)", "video variants' segments start at different times"},
	{rHLSAttrRecommended, Warning, specRFC + "§4.3.4.2; " + specApple + "playlists", "recommended attribute missing: CODECS, RESOLUTION or FRAME-RATE (video), AVERAGE-BANDWIDTH"},
	{rHLSAttrRequired, Error, specRFC + "§4.3.2.4, §4.3.2.5, §4.3.4.1–4.3.4.3", "required attribute missing (BANDWIDTH, URI, TYPE, GROUP-ID, NAME, METHOD)"},
	{rHLSAverageBW, Warning, specApple + "bit rates (VOD: average within 10 % of AVERAGE-BANDWIDTH); " + specRFC + "§4.3.4.2", "AVERAGE-BANDWIDTH differs from the measured average segment bit rate by more than 10 %"},
	{rHLSBandwidth, Error, specRFC + "§4.3.4.2; " + specApple + "bit rates (measured peak within 10 % of BANDWIDTH)", "BANDWIDTH is below the measured peak segment bit rate (by more than Apple's 10 %)"},
	{rHLSBandwidthHigh, Warning, specApple + "bit rates (measured peak within 10 % of BANDWIDTH)", "BANDWIDTH is more than 10 % above the measured peak segment bit rate"},
	{rHLSCRLF, Info, specRFC + "§4.1", "playlist uses CRLF line endings (allowed; vpack writes LF)"},
	{rHLSCodecs, Error, specRFC + "§4.3.4.2 (CODECS); RFC 6381", "CODECS does not list exactly the codecs of the variant's init segments"},
	{rHLSEmpty, Error, specRFC + "§4.3.3", "media playlist without segments"},
	{rHLSEncoding, Error, specRFC + "§4.1", "playlist is not UTF-8, has a byte order mark or control characters"},
	{rHLSEndlist, Warning, specRFC + "§4.3.3.4, §4.3.3.5", "VOD media playlist without EXT-X-ENDLIST"},
	{rHLSExtM3U, Error, specRFC + "§4.3.1.1", "first line is not #EXTM3U"},
	{rHLSExtinfMedia, Error, specRFC + "§4.3.2.1; " + specApple + "media segments", "EXTINF differs from the segment's media duration by more than one frame"},
	{rHLSFrameRate, Error, specRFC + "§4.3.4.2 (FRAME-RATE)", "FRAME-RATE differs from the frame rate measured in the segments"},
	{rHLSGroupMissing, Error, specRFC + "§4.3.4.2", "AUDIO, VIDEO, SUBTITLES or CLOSED-CAPTIONS group referenced by EXT-X-STREAM-INF has no EXT-X-MEDIA"},
	{rHLSGroupRules, Error, specRFC + "§4.3.4.1, §4.3.4.1.1", "rendition group breaks the rules: duplicate NAME, more than one DEFAULT=YES, DEFAULT=YES with AUTOSELECT=NO"},
	{rHLSIFrame, Error, specRFC + "§4.3.3.6, §4.3.4.3", "I-frame playlist entry does not cover a whole keyframe from the start of its moof"},
	{rHLSKeyFormat, Warning, specBis + "§4.4.4.4; " + specCENC + "§8.1", "EXT-X-KEY KEYFORMAT/URI signalling cannot be checked or is inconsistent (data URI without a pssh of that system)"},
	{rHLSKeyID, Error, specBis + "§4.4.4.4; " + specCENC + "§8.2", "EXT-X-KEY KEYID (or the KIDs of its pssh) differs from the default_KID in tenc"},
	{rHLSKeyMethod, Error, specBis + "§4.4.4.4; " + specCENC + "§10.1, §10.4", "EXT-X-KEY METHOD does not match the media: SAMPLE-AES for cbcs, SAMPLE-AES-CTR for cenc, NONE for clear"},
	{rHLSLineEndings, Warning, specRFC + "§4.1", "mixed line endings, or a carriage return that does not end a line"},
	{rHLSMap, Error, specRFC + "§4.3.2.5, §3.3", "fragmented MP4 segments without EXT-X-MAP"},
	{rHLSNumber, Error, specRFC + "§4.2", "number out of range: decimal-integer beyond 2^64-1, negative or absurd duration or bit rate"},
	{rHLSPeakRatio, Warning, specApple + "bit rates (VOD peak ≤ 200 % of average)", "measured peak segment bit rate is more than twice the average"},
	{rHLSPlaylistKind, Error, specRFC + "§4.3.3, §4.3.4", "multivariant and media playlist tags mixed, or the wrong kind of playlist referenced"},
	{rHLSResolution, Error, specRFC + "§4.3.4.2 (RESOLUTION)", "RESOLUTION differs from the video sample entry's dimensions"},
	{rHLSSegmentRepeated, Error, specRFC + "§4.3.2", "the same segment (URI and byte range) is listed twice"},
	{rHLSSyntax, Error, specRFC + "§4.2, §4.3", "malformed tag: bad attribute list, quoting, enumerated value or missing value"},
	{rHLSTagPlacement, Error, specRFC + "§4.3.2, §4.3.4.2", "tag in the wrong place: segment tags without a URI line, EXT-X-STREAM-INF not followed by a URI"},
	{rHLSTagRepeated, Error, specRFC + "§4.3.1.2, §4.3.3", "a tag that may appear once appears more than once"},
	{rHLSTagRequired, Error, specRFC + "§4.3.2.1, §4.3.3.1", "required tag missing: EXT-X-TARGETDURATION, EXTINF before a segment URI"},
	{rHLSTargetDuration, Error, specRFC + "§4.3.3.1", "an EXTINF rounded to the nearest integer exceeds EXT-X-TARGETDURATION"},
	{rHLSUnknownTag, Info, specRFC + "§4.1 (clients ignore unknown tags)", "unknown #EXT tag"},
	{rHLSVersion, Error, specRFC + "§4.3.1.2, §7", "EXT-X-VERSION is lower than the features the playlist uses require"},
	{rMP4Box, Error, specBMFF + "§4.2", "malformed box: size smaller than its header, or a full box too short for its fields"},
	{rMP4Truncated, Error, specBMFF + "§4.2", "a box extends past the end of the file (truncated segment)"},
	{rMediaNAL, Error, specNALFormat + "(AVC/HEVC sample format: NAL unit lengths); ISO/IEC 14496-10 §7.3.1, §7.4.1", "sample NAL structure broken: lengths do not add up, forbidden bit set, or a segment's first sample is not an IDR/IRAP picture"},
	{rMediaNotFMP4, Info, specRFC + "§3", "segments are not fragmented MP4 (e.g. MPEG-TS): media checks skipped"},
	{rPkgNoManifest, Error, "vpack package layout", "no multivariant playlist or MPD found"},
	{rRefByteRange, Error, specRFC + "§4.3.2.2; " + specDASH + "§5.3.9.2", "byte range outside the resource, or malformed"},
	{rRefEscape, Error, "vpack safety; RFC 3986 §5.2", "URI leaves the package root (../, absolute path, other host): never read"},
	{rRefInvalid, Error, "RFC 3986 §4", "URI cannot be parsed"},
	{rRefMissing, Error, specRFC + "§4.1; " + specDASH + "§5.3.9", "referenced resource cannot be read (missing file, HTTP error)"},
	{rRefTooLarge, Error, "vpack safety", "resource exceeds the size limit"},
	{rNotChecked, Info, "vpack", "part of the package was not checked (and why)"},
	{rInternal, Error, "vpack", "a check failed unexpectedly (a validator bug): please report it"},
}
