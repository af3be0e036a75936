/*
Package subtitle is vpack's subtitle library: it reads WebVTT, SRT and
TTML files into one model and writes the forms HLS and DASH players take.
Bytes in, bytes out: it reads no file and writes none, runs no tool and
logs nothing.

# What it owns, what it does not

It owns:

  - the model: a Document of WebVTT cues (ID, start, end, cue settings,
    cue text with WebVTT markup), its STYLE and REGION blocks, Clip to the
    media's end and Shift by a timing offset;
  - readers: Parse recognises the format from the content (ParseWebVTT,
    ParseSRT, ParseTTML read one format), converting SRT and TTML markup to
    WebVTT's and dropping on purpose what WebVTT cannot carry (see each
    parser); text encodings (a UTF-8 byte order mark is dropped, UTF-16
    with one converted, anything else that is not UTF-8 refused with the
    iconv command that converts it);
  - errors: every problem in a file is a *ParseError naming the file and
    line and wrapping a sentinel (ErrEncoding, ErrEmpty, ErrSyntax,
    ErrTiming, ErrUnknownFormat, ErrUnsupported);
  - languages: Language checks a BCP 47 tag against ISO 639 and returns it
    as vpack publishes it ("eng" gives "en"); LanguageName names it;
  - writers: a side-car WebVTT file (WriteWebVTT) or IMSC1 document
    (WriteTTML); HLS WebVTT segments with X-TIMESTAMP-MAP
    (WriteWebVTTSegment); CMAF text tracks in ISO BMFF (ISO/IEC 14496-30),
    wvtt (WVTTInit, WVTTSegment) and IMSC1 stpp (STPPInit, STPPSegment);
  - readers of those tracks (ReadWVTT, ReadSTPP), for round trips and
    validation.

It does not choose segment boundaries, name tracks or write files (package
packager), nor write playlists or MPDs (package manifest).

# Timing

Cue times are durations from the start of the subtitle file's timeline.
Every writer rounds them to the millisecond. Segment writers take the
segment's span on the same timeline as the cues: the caller shifts the
Document when the media timeline starts elsewhere. A cue that overlaps
several segments is written whole into each HLS WebVTT segment (players
drop the repeats) and cut at the boundaries in wvtt and stpp segments,
whose samples carry times on the track timeline (see STPPSegment for the
choice of absolute TTML times).

# Usage

	doc, err := subtitle.Parse("en.srt", data) // *ParseError: "en.srt:12: cue timing ...: end before start"
	lang, err := subtitle.Language("eng")      // "en"
	doc.Shift(-500 * time.Millisecond)
	doc.Clip(mediaDuration)
	vtt := subtitle.WriteWebVTT(doc)
	seg := subtitle.WriteWebVTTSegment(doc, subtitle.Span{Start: 0, End: 4 * time.Second}, 0)
	init, err := subtitle.WVTTInit(doc, lang)
	m4s, err := subtitle.WVTTSegment(doc, subtitle.Span{Start: 0, End: 4 * time.Second}, 1)
*/
package subtitle
