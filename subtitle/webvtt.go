package subtitle

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ParseWebVTT reads a W3C WebVTT file (https://www.w3.org/TR/webvtt1/):
// the WEBVTT header line and its header lines (X-TIMESTAMP-MAP is kept),
// NOTE comments (dropped), STYLE and REGION blocks before the first cue
// (kept), and cues with an optional ID, a timing line
// "[hh:]mm:ss.ttt --> [hh:]mm:ss.ttt [settings]" and their text.
//
// It is stricter than the specification's parser where leniency loses
// subtitles silently: a block that is not a cue, comment, style or region
// (typically text after a blank line inside a cue) and a malformed timing
// line are errors naming the line, where a browser would skip them. Cues
// that end before they start are errors; cues that end when they start
// are dropped (they are never shown). name is how errors call the file.
func ParseWebVTT(name string, data []byte) (*Document, error) {
	text, err := decodeText(name, data)
	if err != nil {
		return nil, err
	}
	return parseWebVTT(name, text, false)
}

func parseWebVTT(name, text string, allowEmpty bool) (*Document, error) {
	lines := strings.Split(text, "\n")
	if !isKeyword(lines[0], "WEBVTT") {
		return nil, &ParseError{File: name, Line: 1, Err: detail(ErrSyntax,
			`missing WEBVTT header: a WebVTT file starts with the line "WEBVTT"`)}
	}
	doc := &Document{Format: WebVTT}
	n := len(lines)
	i := 1
	for ; i < n && !blank(lines[i]) && !strings.Contains(lines[i], "-->"); i++ {
		if v, ok := strings.CutPrefix(lines[i], "X-TIMESTAMP-MAP="); ok {
			m, err := parseTimestampMap(v)
			if err != nil {
				return nil, &ParseError{File: name, Line: i + 1, Err: err}
			}
			doc.TimestampMap = m
		}
	}
	sawCue := false
	for i < n {
		if blank(lines[i]) {
			i++
			continue
		}
		first := lines[i]
		if !strings.Contains(first, "-->") && (i+1 >= n || !strings.Contains(lines[i+1], "-->")) {
			start := i
			end := i
			for end < n && !blank(lines[end]) {
				end++
			}
			block := strings.Join(lines[start+1:end], "\n")
			switch {
			case isKeyword(first, "NOTE"):
			case isKeyword(first, "STYLE") && !sawCue:
				doc.Styles = append(doc.Styles, block)
			case isKeyword(first, "REGION") && !sawCue:
				doc.Regions = append(doc.Regions, block)
			case isKeyword(first, "STYLE"), isKeyword(first, "REGION"):
				return nil, &ParseError{File: name, Line: start + 1, Err: detail(ErrSyntax,
					strings.Fields(first)[0]+" block after the first cue (WebVTT allows them only before the cues)")}
			default:
				return nil, &ParseError{File: name, Line: start + 1, Err: detail(ErrSyntax, fmt.Sprintf(
					"text outside a cue: %q (a cue starts with a timing line \"start --> end\"; a blank line ends a cue's text)", clip(first)))}
			}
			i = end
			continue
		}
		var c Cue
		if !strings.Contains(first, "-->") {
			c.ID = first
			i++
		}
		var err error
		if c.Start, c.End, c.Settings, err = parseVTTTiming(lines[i]); err != nil {
			return nil, &ParseError{File: name, Line: i + 1, Err: err}
		}
		i++
		var text []string
		// A line holding "-->" starts the next cue even without a blank
		// line before it, as in the specification's parser.
		for ; i < n && !blank(lines[i]) && !strings.Contains(lines[i], "-->"); i++ {
			text = append(text, lines[i])
		}
		c.Text = strings.Join(text, "\n")
		sawCue = true
		if c.End > c.Start {
			doc.Cues = append(doc.Cues, c)
		}
	}
	if len(doc.Cues) == 0 && !allowEmpty {
		return nil, &ParseError{File: name, Err: ErrEmpty}
	}
	sortCues(doc.Cues)
	return doc, nil
}

// parseVTTTiming parses "start --> end [settings]".
func parseVTTTiming(line string) (start, end time.Duration, settings string, err error) {
	fail := func(msg string) error {
		return fmt.Errorf("cue timing %q: %w", clip(line), detail(ErrTiming, msg))
	}
	left, right, _ := strings.Cut(line, "-->")
	fields := strings.Fields(right)
	if len(fields) == 0 {
		return 0, 0, "", fail("no end time")
	}
	if start, err = parseVTTTimestamp(strings.TrimSpace(left)); err != nil {
		return 0, 0, "", fail("start time: " + err.Error())
	}
	if end, err = parseVTTTimestamp(fields[0]); err != nil {
		return 0, 0, "", fail("end time: " + err.Error())
	}
	if end < start {
		return 0, 0, "", fail("end before start")
	}
	return start, end, strings.Join(fields[1:], " "), nil
}

// parseVTTTimestamp parses a WebVTT timestamp, [hh:]mm:ss.ttt. Hours may
// have any number of digits (the specification asks for at least two;
// one is common).
func parseVTTTimestamp(s string) (time.Duration, error) {
	bad := func(why string) error {
		return fmt.Errorf("%q is not a WebVTT timestamp [hh:]mm:ss.ttt%s", clip(s), why)
	}
	hms, frac, ok := strings.Cut(s, ".")
	if !ok {
		if strings.Contains(s, ",") {
			return 0, bad(" (WebVTT uses a period before the milliseconds, not a comma)")
		}
		return 0, bad("")
	}
	parts := strings.Split(hms, ":")
	if len(parts) < 2 || len(parts) > 3 || len(frac) != 3 || !digits(frac) {
		return 0, bad("")
	}
	var h int64
	if len(parts) == 3 {
		if !digits(parts[0]) || len(parts[0]) > 6 {
			return 0, bad("")
		}
		h, _ = strconv.ParseInt(parts[0], 10, 64)
		parts = parts[1:]
	}
	if len(parts[0]) != 2 || len(parts[1]) != 2 || !digits(parts[0]) || !digits(parts[1]) {
		return 0, bad("")
	}
	m, _ := strconv.Atoi(parts[0])
	sec, _ := strconv.Atoi(parts[1])
	ms, _ := strconv.Atoi(frac)
	if m > 59 || sec > 59 {
		return 0, bad(" (minutes and seconds are 00-59)")
	}
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(sec)*time.Second +
		time.Duration(ms)*time.Millisecond, nil
}

// parseTimestampMap parses the value of X-TIMESTAMP-MAP:
// "MPEGTS:<90 kHz ticks>,LOCAL:<WebVTT timestamp>", in either order.
func parseTimestampMap(v string) (*TimestampMap, error) {
	m := &TimestampMap{}
	var seen int
	for _, kv := range strings.Split(v, ",") {
		k, val, _ := strings.Cut(strings.TrimSpace(kv), ":")
		switch k {
		case "MPEGTS":
			n, err := strconv.ParseUint(val, 10, 64)
			if err != nil {
				return nil, detail(ErrTiming, fmt.Sprintf("X-TIMESTAMP-MAP: MPEGTS %q is not a number", clip(val)))
			}
			m.MPEGTS = n
			seen |= 1
		case "LOCAL":
			t, err := parseVTTTimestamp(val)
			if err != nil {
				return nil, detail(ErrTiming, "X-TIMESTAMP-MAP: LOCAL "+err.Error())
			}
			m.Local = t
			seen |= 2
		}
	}
	if seen != 3 {
		return nil, detail(ErrTiming, "X-TIMESTAMP-MAP needs MPEGTS and LOCAL")
	}
	return m, nil
}

// formatVTTTimestamp writes d as hh:mm:ss.ttt, rounded to the millisecond.
func formatVTTTimestamp(d time.Duration) string {
	ms := roundMs(max(d, 0)).Milliseconds()
	return fmt.Sprintf("%02d:%02d:%02d.%03d", ms/3600000, ms/60000%60, ms/1000%60, ms%1000)
}

// isKeyword reports whether line is kw alone or followed by a space or tab.
func isKeyword(line, kw string) bool {
	rest, ok := strings.CutPrefix(line, kw)
	return ok && (rest == "" || rest[0] == ' ' || rest[0] == '\t')
}

func blank(line string) bool { return strings.TrimSpace(line) == "" }

func digits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// clip shortens s for an error message.
func clip(s string) string {
	if len(s) <= 60 {
		return s
	}
	i := 57
	for i > 0 && s[i]&0xC0 == 0x80 {
		i--
	}
	return s[:i] + "..."
}
