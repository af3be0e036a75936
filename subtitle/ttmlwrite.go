package subtitle

import (
	"html"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// IMSC1 text profile designator (W3C IMSC1 §5.1), written as ttp:profile.
const imsc1Text = "http://www.w3.org/ns/ttml/profile/imsc1/text"

// WriteTTML writes doc as an IMSC1 text profile document (W3C TTML
// Profiles for Internet Media Subtitles and Captions 1.0.1), a side-car
// TTML file.
func WriteTTML(doc *Document) []byte {
	return writeTTML(doc, doc.Cues)
}

// writeTTML writes cues (times as they are, on the media timeline) as one
// IMSC1 document with xml:lang doc.Language:
//
//   - two regions over the middle 80% of the frame, "bottom" (text at the
//     bottom, the default) and "top" (for cues whose line setting puts
//     them in the upper half);
//   - a p per cue, timed with clock-time begin and end, xml:id when the
//     cue ID is an XML name, tts:textAlign from the align setting;
//   - <b>, <i>, <u> as spans with tts:fontWeight, tts:fontStyle,
//     tts:textDecoration; line breaks as br. Voice (<v>), class (<c>) and
//     language spans keep their text but lose the tag; ruby text and inner
//     timestamps are dropped. Other cue settings (position, size,
//     vertical, region) and WebVTT STYLE and REGION blocks are dropped.
func writeTTML(doc *Document, cues []Cue) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<tt xmlns="http://www.w3.org/ns/ttml" xmlns:ttp="http://www.w3.org/ns/ttml#parameter"`)
	b.WriteString(` xmlns:tts="http://www.w3.org/ns/ttml#styling" ttp:profile="` + imsc1Text + `"`)
	b.WriteString(` ttp:timeBase="media" xml:lang="` + xmlEscape(doc.Language) + `">` + "\n")
	b.WriteString("  <head>\n    <layout>\n")
	b.WriteString(`      <region xml:id="bottom" tts:origin="10% 10%" tts:extent="80% 80%" tts:displayAlign="after" tts:textAlign="center"/>` + "\n")
	b.WriteString(`      <region xml:id="top" tts:origin="10% 10%" tts:extent="80% 80%" tts:displayAlign="before" tts:textAlign="center"/>` + "\n")
	b.WriteString("    </layout>\n  </head>\n")
	if len(cues) == 0 {
		b.WriteString("  <body region=\"bottom\">\n    <div/>\n  </body>\n</tt>\n")
		return []byte(b.String())
	}
	b.WriteString("  <body region=\"bottom\">\n    <div>\n")
	ids := map[string]bool{}
	for _, c := range cues {
		b.WriteString("      <p")
		if isNCName(c.ID) && !ids[c.ID] {
			ids[c.ID] = true
			b.WriteString(` xml:id="` + xmlEscape(c.ID) + `"`)
		}
		b.WriteString(` begin="` + formatVTTTimestamp(c.Start) + `" end="` + formatVTTTimestamp(c.End) + `"`)
		top, align := ttmlPlacement(c.Settings)
		if top {
			b.WriteString(` region="top"`)
		}
		if align != "" {
			b.WriteString(` tts:textAlign="` + align + `"`)
		}
		b.WriteString(">")
		b.WriteString(vttToTTML(c.Text))
		b.WriteString("</p>\n")
	}
	b.WriteString("    </div>\n  </body>\n</tt>\n")
	return []byte(b.String())
}

// ttmlPlacement maps WebVTT cue settings to a region and tts:textAlign: a
// line setting in the upper half ("line:0", "line:3", "line:20%") is the
// top region; align left, right, start and end are kept.
func ttmlPlacement(settings string) (top bool, align string) {
	for _, s := range strings.Fields(settings) {
		k, v, _ := strings.Cut(s, ":")
		switch k {
		case "line":
			v, _, _ = strings.Cut(v, ",")
			if pct, ok := strings.CutSuffix(v, "%"); ok {
				f, err := strconv.ParseFloat(pct, 64)
				top = err == nil && f < 50
			} else {
				n, err := strconv.Atoi(v)
				top = err == nil && n >= 0
			}
		case "align":
			switch v {
			case "left", "right", "start", "end":
				align = v
			}
		}
	}
	return top, align
}

// vttToTTML converts WebVTT cue text to the content of a TTML p, following
// the WebVTT cue text parsing rules for end tags: one that does not close
// the current element is ignored.
func vttToTTML(text string) string {
	var b strings.Builder
	type elem struct {
		name string
		span bool // written as a TTML span
	}
	var stack []elem
	inRT := 0
	for len(text) > 0 {
		if text[0] == '<' {
			j := strings.IndexByte(text, '>')
			if j < 0 {
				break // an unterminated tag ends the cue text
			}
			tag := text[1:j]
			text = text[j+1:]
			if end, ok := strings.CutPrefix(tag, "/"); ok {
				end = strings.TrimSpace(end)
				if n := len(stack); n > 0 && stack[n-1].name == end {
					if stack[n-1].span {
						b.WriteString("</span>")
					}
					if end == "rt" {
						inRT--
					}
					stack = stack[:n-1]
				}
				continue
			}
			if tag == "" || tag[0] >= '0' && tag[0] <= '9' {
				continue // an inner timestamp
			}
			name := tag
			if i := strings.IndexAny(name, ". \t"); i >= 0 {
				name = name[:i]
			}
			e := elem{name: name}
			switch name {
			case "b":
				b.WriteString(`<span tts:fontWeight="bold">`)
				e.span = true
			case "i":
				b.WriteString(`<span tts:fontStyle="italic">`)
				e.span = true
			case "u":
				b.WriteString(`<span tts:textDecoration="underline">`)
				e.span = true
			case "rt":
				inRT++
			case "c", "v", "lang", "ruby":
			default:
				continue // not a WebVTT tag: ignored, as a browser does
			}
			stack = append(stack, e)
			continue
		}
		j := strings.IndexByte(text, '<')
		if j < 0 {
			j = len(text)
		}
		if inRT == 0 {
			for k, line := range strings.Split(html.UnescapeString(text[:j]), "\n") {
				if k > 0 {
					b.WriteString("<br/>")
				}
				b.WriteString(xmlEscape(line))
			}
		}
		text = text[j:]
	}
	for i := len(stack) - 1; i >= 0; i-- {
		if stack[i].span {
			b.WriteString("</span>")
		}
	}
	return b.String()
}

// xmlEscape escapes text for XML content and attribute values, replacing
// what XML 1.0 cannot hold (control characters) with U+FFFD.
func xmlEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '&':
			b.WriteString("&amp;")
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '"':
			b.WriteString("&quot;")
		case r == '\t' || r == '\n':
			b.WriteRune(r)
		case r < 0x20 || r == 0xFFFE || r == 0xFFFF || r >= 0xD800 && r < 0xE000:
			b.WriteRune(utf8.RuneError)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// isNCName reports whether s can be an xml:id (an XML non-colonised name,
// simplified to letters, digits, '.', '-', '_').
func isNCName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		ok := unicode.IsLetter(r) || r == '_' || i > 0 && (unicode.IsDigit(r) || r == '.' || r == '-')
		if !ok {
			return false
		}
	}
	return true
}
