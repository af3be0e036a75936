package manifest

// Plain-file tracks are those whose segments are not fragmented MP4
// (Track.MimeType set): WebVTT text and JPEG thumbnail tiles. They have no
// init segment and no byte ranges, whether or not the presentation is
// SingleFile, and they take part in one manifest or both (Track.Only):
//
//   - segmented WebVTT (MimeType text/vtt, Only hls): an HLS WebVTT
//     media playlist (RFC 8216 §3.5), one .vtt file per segment;
//   - side-car WebVTT (MimeType text/vtt, Only empty or dash): one .vtt
//     file for the whole presentation, Track.MediaURI (or the URI of the
//     one segment), as an HLS playlist of one segment and a DASH
//     Representation with that file as BaseURL;
//   - thumbnail tiles (Type image, MimeType image/jpeg): an HLS image
//     media playlist and a DASH-IF thumbnail AdaptationSet.
//
// A text/vtt track of several segments without Only, as ReadHLS returns
// segmented WebVTT, is written by WriteHLS and refused by WriteDASH.

// MIME types of plain-file tracks (Track.MimeType).
const (
	MimeTypeWebVTT = "text/vtt"
	MimeTypeJPEG   = "image/jpeg"
)

// Codec identifiers of plain-file tracks. Track.Codecs may be empty or
// this; the readers return it. Neither manifest writes it for plain files
// but the image playlist's CODECS: "wvtt" is WebVTT's sample entry
// (ISO/IEC 14496-30), "jpeg" what the Image Media Playlist specification
// puts in CODECS.
const (
	codecWebVTT = "wvtt"
	codecJPEG   = "jpeg"
)

// plainCodecs maps the MIME types of plain-file tracks to their codec
// identifier and the track type they carry.
var plainCodecs = map[string]struct {
	codecs string
	typ    TrackType
}{
	MimeTypeWebVTT: {codecWebVTT, Text},
	MimeTypeJPEG:   {codecJPEG, Image},
}

// plain reports whether t's segments are plain files rather than CMAF.
func (t *Track) plain() bool { return t.MimeType != "" }

// inHLS and inDASH report whether t belongs in that manifest (Track.Only).
func (t *Track) inHLS() bool  { return t.Only != DASH }
func (t *Track) inDASH() bool { return t.Only != HLS }

// sideCar reports whether t is one WebVTT file for the whole presentation:
// a text/vtt track that DASH carries (DASH has no segmented WebVTT).
func (t *Track) sideCar() bool { return t.MimeType == MimeTypeWebVTT && t.inDASH() }

// sideCarURI is the file of a side-car track: MediaURI, else the URI of
// its one segment.
func (t *Track) sideCarURI() string {
	if t.MediaURI != "" || len(t.Segments) == 0 {
		return t.MediaURI
	}
	return t.Segments[0].URI
}

// segmentURI is where segment i of a plain-file track is: its own URI,
// else (side-car) the track's file.
func (t *Track) segmentURI(i int) string {
	if u := t.Segments[i].URI; u != "" {
		return u
	}
	return t.MediaURI
}

// plainCodecsOf returns t.Codecs, or the codec a plain-file track's MIME
// type implies when it is empty.
func plainCodecsOf(t *Track) string {
	if t.Codecs == "" {
		return plainCodecs[t.MimeType].codecs
	}
	return t.Codecs
}
