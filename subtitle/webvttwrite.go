package subtitle

import (
	"strconv"
	"strings"
)

// WriteWebVTT writes doc as a WebVTT file: the WEBVTT line, its STYLE and
// REGION blocks, and every cue with times as hh:mm:ss.ttt. Cue text is
// written as it is, except that empty lines (which would end the cue) are
// left out and "-->" (which would start one) is escaped.
func WriteWebVTT(doc *Document) []byte {
	var b strings.Builder
	b.WriteString("WEBVTT\n")
	writeVTTBody(&b, doc, doc.Cues)
	return []byte(b.String())
}

// WriteWebVTTSegment writes the WebVTT file of one HLS subtitle segment
// (RFC 8216 §3.5): every cue of doc shown at some time within span, each
// with its full timing, so a cue spanning a boundary is in every segment it
// overlaps (players drop the repeats), under the header
//
//	X-TIMESTAMP-MAP=MPEGTS:<mpegts>,LOCAL:00:00:00.000
//
// which says that cue time 0 is media time mpegts, in 90 kHz ticks. A
// segment without cues is a valid WebVTT file with just the header.
func WriteWebVTTSegment(doc *Document, span Span, mpegts uint64) []byte {
	var b strings.Builder
	b.WriteString("WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:")
	b.WriteString(strconv.FormatUint(mpegts, 10))
	b.WriteString(",LOCAL:00:00:00.000\n")
	var cues []Cue
	for _, c := range doc.Cues {
		if c.overlaps(span) {
			cues = append(cues, c)
		}
	}
	writeVTTBody(&b, doc, cues)
	return []byte(b.String())
}

func writeVTTBody(b *strings.Builder, doc *Document, cues []Cue) {
	for _, s := range doc.Styles {
		b.WriteString("\nSTYLE\n")
		writeVTTLines(b, s)
	}
	for _, r := range doc.Regions {
		b.WriteString("\nREGION\n")
		writeVTTLines(b, r)
	}
	for _, c := range cues {
		b.WriteByte('\n')
		if id := vttID(c.ID); id != "" {
			b.WriteString(id)
			b.WriteByte('\n')
		}
		b.WriteString(formatVTTTimestamp(c.Start))
		b.WriteString(" --> ")
		b.WriteString(formatVTTTimestamp(c.End))
		if s := strings.Join(strings.Fields(c.Settings), " "); s != "" {
			b.WriteByte(' ')
			b.WriteString(s)
		}
		b.WriteByte('\n')
		writeVTTLines(b, c.Text)
	}
}

// writeVTTLines writes the non-empty lines of s, each ending in "\n", with
// "-->" escaped.
func writeVTTLines(b *strings.Builder, s string) {
	for _, line := range strings.Split(s, "\n") {
		if blank(line) {
			continue
		}
		b.WriteString(strings.ReplaceAll(line, "-->", "--&gt;"))
		b.WriteByte('\n')
	}
}

// vttID makes an ID that parses back: one line, no "-->".
func vttID(id string) string {
	id = strings.Join(strings.Fields(id), " ")
	return strings.ReplaceAll(id, "-->", "->")
}
