package subtitle

import (
	"slices"
	"strings"
	"time"
)

// Format is the format a Document was read from.
type Format string

const (
	WebVTT Format = "webvtt" // W3C WebVTT
	SRT    Format = "srt"    // SubRip
	TTML   Format = "ttml"   // W3C TTML1 / IMSC1 / DFXP
)

// Document is a subtitle file in vpack's model, which is WebVTT's: cues
// with WebVTT timings, settings and cue text markup. SRT and TTML are
// converted to it when read.
type Document struct {
	Format Format // the source format
	// Language is the document's own language, when the source has one
	// (TTML xml:lang); WriteTTML writes it. It is not checked.
	Language string
	// Styles are the WebVTT STYLE blocks (CSS, without the STYLE line) and
	// Regions the REGION blocks (the region settings lines, without the
	// REGION line), kept as given and written back before the cues.
	Styles  []string
	Regions []string
	// TimestampMap is the X-TIMESTAMP-MAP header of an HLS WebVTT segment;
	// nil when the file has none.
	TimestampMap *TimestampMap
	// Cues are sorted by start time (stable: cues starting together keep
	// their order in the file). They may overlap: overlapping cues are
	// shown together.
	Cues []Cue
}

// Cue is one WebVTT cue.
type Cue struct {
	ID         string
	Start, End time.Duration // End > Start
	// Settings are the WebVTT cue settings, e.g. "line:0 align:start",
	// separated by single spaces.
	Settings string
	// Text is the cue payload with WebVTT cue text markup (<b>, <i>, <u>,
	// <v Name>, <c.class>, <lang>, <ruby>, inner timestamps) and the
	// character references &amp; &lt; &gt;. Lines are separated by "\n";
	// none is empty.
	Text string
}

// TimestampMap is the X-TIMESTAMP-MAP header of HLS WebVTT segments
// (RFC 8216 §3.5): cue time Local is media time MPEGTS (90 kHz ticks).
type TimestampMap struct {
	MPEGTS uint64
	Local  time.Duration
}

// Span is one segment's time range, [Start, End).
type Span struct {
	Start, End time.Duration
}

// overlaps reports whether c is shown at some time within s.
func (c *Cue) overlaps(s Span) bool { return c.Start < s.End && c.End > s.Start }

// Clip drops the cues that start at or after end and cuts those that run
// past it, so that no cue outlives the media.
func (d *Document) Clip(end time.Duration) {
	out := d.Cues[:0]
	for _, c := range d.Cues {
		if c.Start >= end {
			continue
		}
		c.End = min(c.End, end)
		out = append(out, c)
	}
	d.Cues = out
}

// Shift moves every cue by off, which may be negative. Cues that then end
// at or before 0 are dropped and starts before 0 are clamped to 0. Inner
// timestamps of the cue text move with the cue.
func (d *Document) Shift(off time.Duration) {
	out := d.Cues[:0]
	for _, c := range d.Cues {
		c.Start += off
		c.End += off
		if c.End <= 0 {
			continue
		}
		c.Start = max(c.Start, 0)
		c.Text = shiftTimestamps(c.Text, off)
		out = append(out, c)
	}
	d.Cues = out
}

// Clone returns a deep copy of d.
func (d *Document) Clone() *Document {
	c := *d
	c.Styles = slices.Clone(d.Styles)
	c.Regions = slices.Clone(d.Regions)
	c.Cues = slices.Clone(d.Cues)
	if d.TimestampMap != nil {
		m := *d.TimestampMap
		c.TimestampMap = &m
	}
	return &c
}

// sortCues orders cues by start time, keeping the file order of cues that
// start together.
func sortCues(cues []Cue) {
	slices.SortStableFunc(cues, func(a, b Cue) int {
		switch {
		case a.Start < b.Start:
			return -1
		case a.Start > b.Start:
			return 1
		}
		return 0
	})
}

// mergeSplitCues joins the pieces of cues that a segmented or sampled track
// cut at boundaries: a cue that ends exactly where an identical cue (same
// ID, settings and text) starts. Two distinct back-to-back cues that are
// identical are joined too; they show the same as one.
func mergeSplitCues(cues []Cue) []Cue {
	type key struct{ id, settings, text string }
	open := map[key]int{}
	var out []Cue
	for _, c := range cues {
		k := key{c.ID, c.Settings, c.Text}
		if i, ok := open[k]; ok && out[i].End == c.Start {
			out[i].End = c.End
			continue
		}
		open[k] = len(out)
		out = append(out, c)
	}
	sortCues(out)
	return out
}

// roundMs rounds d to the nearest millisecond, the precision of every
// format vpack writes.
func roundMs(d time.Duration) time.Duration { return d.Round(time.Millisecond) }

// shiftTimestamps moves the inner timestamps of WebVTT cue text
// ("<00:00:01.500>") by off.
func shiftTimestamps(text string, off time.Duration) string {
	if off == 0 || !strings.Contains(text, "<") {
		return text
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(text, '<')
		if i < 0 {
			b.WriteString(text)
			return b.String()
		}
		j := strings.IndexByte(text[i:], '>')
		if j < 0 {
			b.WriteString(text)
			return b.String()
		}
		tag := text[i+1 : i+j]
		b.WriteString(text[:i])
		if t, err := parseVTTTimestamp(tag); err == nil {
			b.WriteString("<" + formatVTTTimestamp(max(t+off, 0)) + ">")
		} else {
			b.WriteString(text[i : i+j+1])
		}
		text = text[i+j+1:]
	}
}
