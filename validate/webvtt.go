package validate

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/vpack-dev/vpack/subtitle"
)

// vttDoc is what the timing checks need from a WebVTT file (an HLS
// WebVTT segment or a side-car file): its X-TIMESTAMP-MAP and its cues
// with the lines of their timings. subtitle.ParseWebVTT decides whether
// the file is valid; the validator scans it again for the lines, which the
// subtitle model does not keep.
type vttDoc struct {
	hasMap  bool
	mapOK   bool    // the map parsed: its values below are usable
	mapLine int     // 1-based
	mpegts  uint64  // MPEGTS: media time of cue time local, in 90 kHz ticks
	local   float64 // LOCAL, seconds
	cues    []vttCue
}

// vttCue is one cue: its times as written, in seconds, and where.
type vttCue struct {
	start, end float64
	line       int    // of the timing line
	text       string // the first payload line, for messages
}

// offset is what X-TIMESTAMP-MAP adds to a cue time to make it media
// time, in seconds (RFC 8216 §3.5): cue time LOCAL is media time MPEGTS,
// and without a map cue time 0 is media time 0. For fMP4 media, MPEGTS
// is read as the media time (the tfdt timeline) at 90 kHz, as hls.js,
// shaka-player and AVPlayer do.
func (d *vttDoc) offset() float64 {
	if !d.hasMap || !d.mapOK {
		return 0
	}
	return float64(d.mpegts)/90000 - d.local
}

// parseVTT checks a WebVTT file: it must parse (subtitle.ParseWebVTT,
// reported as TEXT-WEBVTT at its line), and its X-TIMESTAMP-MAP, when
// there is one, must be well-formed (TEXT-TIMESTAMP-MAP-SYNTAX). It
// returns nil when the file does not parse. A file without cues is valid:
// an HLS WebVTT segment during which no subtitle shows is one.
func (c *checker) parseVTT(file string, data []byte) *vttDoc {
	d := &vttDoc{}
	text := string(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")))
	lines := strings.Split(text, "\n")
	for i := range lines {
		lines[i] = strings.TrimSuffix(lines[i], "\r")
	}
	// The header: the lines after WEBVTT up to the first blank line (or
	// cue timing, which the parser then reports).
	i := 1
	for ; i < len(lines) && strings.TrimSpace(lines[i]) != "" && !strings.Contains(lines[i], "-->"); i++ {
		v, ok := strings.CutPrefix(lines[i], "X-TIMESTAMP-MAP=")
		if !ok {
			continue
		}
		loc := Location{File: file, Line: i + 1}
		if d.hasMap {
			c.add(rTextTimestampMapSyntax, loc, "a second X-TIMESTAMP-MAP (the first is on line %d)", d.mapLine)
			continue
		}
		d.hasMap, d.mapLine = true, i+1
		mpegts, local, err := parseTimestampMap(v)
		if err != nil {
			c.add(rTextTimestampMapSyntax, loc, "X-TIMESTAMP-MAP=%s: %v (want MPEGTS:<90 kHz time>,LOCAL:<cue time>)", clipText(v), err)
			continue
		}
		d.mapOK, d.mpegts, d.local = true, mpegts, local
	}

	if _, err := subtitle.ParseWebVTT(file, data); err != nil && !errors.Is(err, subtitle.ErrEmpty) {
		var pe *subtitle.ParseError
		loc := Location{File: file}
		msg := err.Error()
		if errors.As(err, &pe) {
			loc.Line, msg = pe.Line, pe.Err.Error()
		}
		if !(d.hasMap && !d.mapOK && loc.Line == d.mapLine) { // reported above
			c.add(rTextWebVTT, loc, "%s", msg)
		}
		return nil
	}

	// The cues. The file parsed, so every line holding "-->" after the
	// header is a cue timing line.
	for ; i < len(lines); i++ {
		if !strings.Contains(lines[i], "-->") {
			continue
		}
		left, right, _ := strings.Cut(lines[i], "-->")
		fields := strings.Fields(right)
		if len(fields) == 0 {
			continue
		}
		start, ok1 := parseCueTime(strings.TrimSpace(left))
		end, ok2 := parseCueTime(fields[0])
		if !ok1 || !ok2 || end <= start {
			continue // dropped by the parser too: never shown
		}
		cue := vttCue{start: start, end: end, line: i + 1}
		if i+1 < len(lines) {
			cue.text = clipText(lines[i+1])
		}
		d.cues = append(d.cues, cue)
	}
	return d
}

// parseTimestampMap parses the value of X-TIMESTAMP-MAP (RFC 8216 §3.5):
// "MPEGTS:<decimal>,LOCAL:<WebVTT timestamp>", in either order, each once.
func parseTimestampMap(v string) (mpegts uint64, local float64, err error) {
	var seen [2]bool
	for _, kv := range strings.Split(v, ",") {
		k, val, ok := strings.Cut(kv, ":")
		if !ok {
			return 0, 0, fmt.Errorf("%q is not KEY:value", kv)
		}
		switch k {
		case "MPEGTS":
			if seen[0] {
				return 0, 0, errors.New("MPEGTS twice")
			}
			n, err := strconv.ParseUint(val, 10, 64)
			if err != nil || strings.TrimLeft(val, "0123456789") != "" {
				return 0, 0, fmt.Errorf("MPEGTS %q is not a decimal integer", val)
			}
			mpegts, seen[0] = n, true
		case "LOCAL":
			if seen[1] {
				return 0, 0, errors.New("LOCAL twice")
			}
			t, ok := parseCueTime(val)
			if !ok {
				return 0, 0, fmt.Errorf("LOCAL %q is not a WebVTT timestamp [hh:]mm:ss.ttt", val)
			}
			local, seen[1] = t, true
		default:
			return 0, 0, fmt.Errorf("unknown key %q", k)
		}
	}
	if !seen[0] || !seen[1] {
		return 0, 0, errors.New("MPEGTS and LOCAL are both required")
	}
	return mpegts, local, nil
}

// parseCueTime parses a WebVTT timestamp, [hh:]mm:ss.ttt, into seconds.
func parseCueTime(s string) (float64, bool) {
	hms, frac, ok := strings.Cut(s, ".")
	parts := strings.Split(hms, ":")
	if !ok || len(frac) != 3 || !allDigits(frac) || len(parts) < 2 || len(parts) > 3 {
		return 0, false
	}
	var h uint64
	if len(parts) == 3 {
		var err error
		if h, err = strconv.ParseUint(parts[0], 10, 32); err != nil || !allDigits(parts[0]) {
			return 0, false
		}
		parts = parts[1:]
	}
	if len(parts[0]) != 2 || len(parts[1]) != 2 || !allDigits(parts[0]) || !allDigits(parts[1]) {
		return 0, false
	}
	m, _ := strconv.Atoi(parts[0])
	sec, _ := strconv.Atoi(parts[1])
	ms, _ := strconv.Atoi(frac)
	if m > 59 || sec > 59 {
		return 0, false
	}
	return float64(h)*3600 + float64(m)*60 + float64(sec) + float64(ms)/1000, true
}

func allDigits(s string) bool {
	return s != "" && strings.TrimLeft(s, "0123456789") == ""
}

// clipText shortens s for a message.
func clipText(s string) string {
	r := []rune(s)
	if len(r) <= 40 {
		return s
	}
	return string(r[:37]) + "..."
}

// cueTime formats seconds as a WebVTT timestamp, for messages.
func cueTime(sec float64) string {
	ms := int64(sec*1000 + 0.5)
	if sec < 0 {
		return "-" + cueTime(-sec)
	}
	return fmt.Sprintf("%02d:%02d:%02d.%03d", ms/3600000, ms/60000%60, ms/1000%60, ms%1000)
}
