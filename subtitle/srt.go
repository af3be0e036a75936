package subtitle

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ParseSRT reads a SubRip file and converts it to the WebVTT model:
//
//   - timings "hh:mm:ss,mmm --> hh:mm:ss,mmm" (a period is accepted too,
//     and one to three fraction digits); coordinates after them are dropped;
//   - the cue number becomes the cue ID;
//   - <b>, <i> and <u> are kept as WebVTT markup, <br> becomes a line
//     break; <font ...> and any other
//     HTML-like tag are dropped on purpose (WebVTT has no equivalent that
//     players apply); &, < and > are escaped;
//   - ASS override blocks such as {\an8} are dropped, except that the
//     alignment tags {\an1}..{\an9} become cue settings: top rows
//     "line:0", middle rows "line:50%", left columns "align:left", right
//     columns "align:right";
//   - text after a blank line inside a cue (a common authoring slip) is
//     kept in that cue, as ffmpeg does.
//
// A malformed timing line, or text before the first cue, is an error
// naming the line. name is how errors call the file.
func ParseSRT(name string, data []byte) (*Document, error) {
	text, err := decodeText(name, data)
	if err != nil {
		return nil, err
	}
	return parseSRT(name, text)
}

func parseSRT(name, text string) (*Document, error) {
	lines := strings.Split(text, "\n")
	doc := &Document{Format: SRT}
	var cur *Cue
	var body []string
	finish := func() {
		if cur == nil {
			return
		}
		for len(body) > 0 && blank(body[len(body)-1]) {
			body = body[:len(body)-1]
		}
		cur.Text, cur.Settings = convertSRTText(body)
		if cur.End > cur.Start {
			doc.Cues = append(doc.Cues, *cur)
		}
		cur, body = nil, nil
	}
	for i := 0; i < len(lines); i++ {
		line := strings.TrimRight(lines[i], " \t")
		// A cue is an optional number line, then a timing line.
		id := ""
		timing := i
		if digits(strings.TrimSpace(line)) && i+1 < len(lines) && strings.Contains(lines[i+1], "-->") {
			id = strings.TrimSpace(line)
			timing = i + 1
		}
		if strings.Contains(lines[timing], "-->") {
			start, end, err := parseSRTTiming(lines[timing])
			if err != nil {
				return nil, &ParseError{File: name, Line: timing + 1, Err: err}
			}
			finish()
			cur = &Cue{ID: id, Start: start, End: end}
			i = timing
			continue
		}
		if cur == nil {
			if blank(line) {
				continue
			}
			return nil, &ParseError{File: name, Line: i + 1, Err: detail(ErrSyntax,
				fmt.Sprintf("expected a cue number or timing line \"hh:mm:ss,mmm --> hh:mm:ss,mmm\", got %q", clip(line)))}
		}
		body = append(body, line)
	}
	finish()
	if len(doc.Cues) == 0 {
		return nil, &ParseError{File: name, Err: ErrEmpty}
	}
	sortCues(doc.Cues)
	return doc, nil
}

// parseSRTTiming parses "hh:mm:ss,mmm --> hh:mm:ss,mmm [X1:.. X2:.. Y1:.. Y2:..]".
func parseSRTTiming(line string) (start, end time.Duration, err error) {
	fail := func(msg string) error {
		return fmt.Errorf("cue timing %q: %w", clip(strings.TrimSpace(line)), detail(ErrTiming, msg))
	}
	left, right, _ := strings.Cut(line, "-->")
	fields := strings.Fields(right)
	if len(fields) == 0 {
		return 0, 0, fail("no end time")
	}
	if start, err = parseSRTTimestamp(strings.TrimSpace(left)); err != nil {
		return 0, 0, fail("start time: " + err.Error())
	}
	if end, err = parseSRTTimestamp(fields[0]); err != nil {
		return 0, 0, fail("end time: " + err.Error())
	}
	if end < start {
		return 0, 0, fail("end before start")
	}
	return start, end, nil
}

// parseSRTTimestamp parses [hh:]mm:ss,fff with one to three fraction
// digits, the comma or a period before them.
func parseSRTTimestamp(s string) (time.Duration, error) {
	bad := fmt.Errorf("%q is not an SRT timestamp hh:mm:ss,mmm", clip(s))
	hms, frac, ok := strings.Cut(strings.Replace(s, ",", ".", 1), ".")
	if !ok || len(frac) == 0 || len(frac) > 3 || !digits(frac) {
		return 0, bad
	}
	parts := strings.Split(hms, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, bad
	}
	var v [3]int64
	off := 3 - len(parts)
	for k, p := range parts {
		if !digits(p) || len(p) > 6 || (k > 0 && len(p) > 2) {
			return 0, bad
		}
		v[off+k], _ = strconv.ParseInt(p, 10, 64)
	}
	if v[1] > 59 || v[2] > 59 {
		return 0, fmt.Errorf("%q: minutes and seconds are 00-59", clip(s))
	}
	ms, _ := strconv.Atoi((frac + "00")[:3])
	return time.Duration(v[0])*time.Hour + time.Duration(v[1])*time.Minute + time.Duration(v[2])*time.Second +
		time.Duration(ms)*time.Millisecond, nil
}

// convertSRTText turns SRT cue lines into WebVTT cue text and the cue
// settings its ASS alignment tag asks for.
func convertSRTText(lines []string) (text, settings string) {
	var out []string
	an := 0
	for _, line := range lines {
		if blank(line) {
			continue
		}
		var b strings.Builder
		for i := 0; i < len(line); {
			switch c := line[i]; c {
			case '<':
				j := strings.IndexByte(line[i:], '>')
				tag := ""
				if j > 0 {
					tag = line[i+1 : i+j]
				}
				name, closing := srtTagName(tag)
				if name == "" {
					b.WriteString("&lt;")
					i++
					continue
				}
				switch name {
				case "br":
					b.WriteByte('\n')
				case "b", "i", "u":
					if closing {
						b.WriteString("</" + name + ">")
					} else {
						b.WriteString("<" + name + ">")
					}
				}
				i += j + 1
			case '{':
				j := strings.IndexByte(line[i:], '}')
				if j < 0 || !strings.HasPrefix(line[i+1:], `\`) {
					b.WriteByte(c)
					i++
					continue
				}
				if n := assAlignment(line[i+1 : i+j]); n != 0 && an == 0 {
					an = n
				}
				i += j + 1
			case '&':
				b.WriteString("&amp;")
				i++
			case '>':
				b.WriteString("&gt;")
				i++
			default:
				b.WriteByte(c)
				i++
			}
		}
		for _, l := range strings.Split(b.String(), "\n") {
			if l = strings.TrimSpace(l); l != "" {
				out = append(out, strings.ReplaceAll(l, "-->", "--&gt;"))
			}
		}
	}
	return strings.Join(out, "\n"), anSettings(an)
}

// srtTagName returns the lower-case name of an HTML-like tag body ("b",
// "/i", `font color="red"`), or "" when tag is not one (as in "a < b").
func srtTagName(tag string) (name string, closing bool) {
	t, closing := strings.CutPrefix(strings.TrimSpace(tag), "/")
	n := 0
	for n < len(t) && (t[n] >= 'a' && t[n] <= 'z' || t[n] >= 'A' && t[n] <= 'Z') {
		n++
	}
	if n == 0 || (n < len(t) && t[n] != ' ' && t[n] != '\t' && t[n] != '/') {
		return "", false
	}
	return strings.ToLower(t[:n]), closing
}

// assAlignment returns n of an \anN tag (numpad layout: 7 8 9 top, 1 2 3
// bottom) in an ASS override block, 0 when there is none. Legacy SSA \aN
// tags are dropped with the rest.
func assAlignment(block string) int {
	for _, tag := range strings.Split(block, `\`) {
		if v, ok := strings.CutPrefix(tag, "an"); ok && len(v) == 1 && v[0] >= '1' && v[0] <= '9' {
			return int(v[0] - '0')
		}
	}
	return 0
}

// anSettings maps an ASS numpad alignment to WebVTT cue settings; bottom
// centre (2, the default) needs none.
func anSettings(an int) string {
	if an == 0 {
		return ""
	}
	var s []string
	switch (an - 1) / 3 {
	case 2:
		s = append(s, "line:0")
	case 1:
		s = append(s, "line:50%")
	}
	switch (an - 1) % 3 {
	case 0:
		s = append(s, "align:left")
	case 2:
		s = append(s, "align:right")
	}
	return strings.Join(s, " ")
}
