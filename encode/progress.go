package encode

import (
	"bufio"
	"bytes"
	"io"
	"strconv"
	"strings"
	"time"
)

// ProgressUpdate is one block of ffmpeg's -progress output. Values ffmpeg
// reports as N/A are zero.
type ProgressUpdate struct {
	Frame          int64         // frames written to the first video output
	FPS            float64       // frames per wall-clock second
	BitrateKbps    float64       // of the first output
	TotalSizeBytes int64         // written to the first output so far
	OutTime        time.Duration // media time encoded so far; never negative
	DupFrames      int64
	DropFrames     int64
	Speed          float64 // media seconds per wall-clock second
	End            bool    // the last block (progress=end)
}

// ParseProgress reads ffmpeg's -progress output from r and calls fn once per
// block. A block is key=value lines ending with progress=continue or
// progress=end; unknown keys, blank and malformed lines are skipped, and an
// unfinished last block is dropped. The only errors are r's.
//
// The encoded media time is out_time_us; ffmpeg 5.1 also prints it as
// out_time_ms, which despite its name is in microseconds too, and as
// out_time (HH:MM:SS.micro). The first one present in a block is used, in
// that order.
func ParseProgress(r io.Reader, fn func(ProgressUpdate)) error {
	var p progressParser
	p.fn = fn
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 4096), maxProgressLine)
	for sc.Scan() {
		p.line(sc.Text())
	}
	return sc.Err()
}

// maxProgressLine bounds one line of progress output; ffmpeg's are short.
const maxProgressLine = 64 << 10

type progressParser struct {
	fn  func(ProgressUpdate)
	cur ProgressUpdate
	// which out_time keys the current block had
	haveUS, haveMS, haveClock bool
	us, ms                    int64
	clock                     time.Duration
}

func (p *progressParser) line(s string) {
	key, val, ok := strings.Cut(strings.TrimSpace(s), "=")
	if !ok {
		return
	}
	key, val = strings.TrimSpace(key), strings.TrimSpace(val)
	switch key {
	case "frame":
		p.cur.Frame = parseInt(val)
	case "fps":
		p.cur.FPS = parseFloat(val)
	case "bitrate":
		p.cur.BitrateKbps = parseFloat(strings.TrimSuffix(val, "kbits/s"))
	case "total_size":
		p.cur.TotalSizeBytes = parseInt(val)
	case "out_time_us":
		p.us, p.haveUS = parseIntOK(val)
	case "out_time_ms":
		p.ms, p.haveMS = parseIntOK(val)
	case "out_time":
		p.clock, p.haveClock = parseClock(val)
	case "dup_frames":
		p.cur.DupFrames = parseInt(val)
	case "drop_frames":
		p.cur.DropFrames = parseInt(val)
	case "speed":
		p.cur.Speed = parseFloat(strings.TrimSuffix(val, "x"))
	case "progress":
		switch {
		case p.haveUS:
			p.cur.OutTime = time.Duration(p.us) * time.Microsecond
		case p.haveMS:
			p.cur.OutTime = time.Duration(p.ms) * time.Microsecond // sic: microseconds
		case p.haveClock:
			p.cur.OutTime = p.clock
		}
		p.cur.OutTime = max(p.cur.OutTime, 0)
		p.cur.End = val == "end"
		if p.fn != nil {
			p.fn(p.cur)
		}
		*p = progressParser{fn: p.fn}
	}
}

func parseIntOK(s string) (int64, bool) {
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

func parseInt(s string) int64 {
	n, _ := parseIntOK(s)
	return n
}

func parseFloat(s string) float64 {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		return 0
	}
	return f
}

// parseClock reads ffmpeg's [-]HH:MM:SS.ffffff.
func parseClock(s string) (time.Duration, bool) {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	parts := strings.Split(s, ":")
	if len(parts) != 3 {
		return 0, false
	}
	h, err1 := strconv.ParseInt(parts[0], 10, 64)
	m, err2 := strconv.ParseInt(parts[1], 10, 64)
	sec, err3 := strconv.ParseFloat(parts[2], 64)
	if err1 != nil || err2 != nil || err3 != nil {
		return 0, false
	}
	d := time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(sec*float64(time.Second))
	if neg {
		d = -d
	}
	return d, true
}

// progressWriter is the io.Writer Run hands the Runner as ffmpeg's stdout:
// it parses progress blocks as they arrive. It never fails a write, since
// a failing stdout would make ffmpeg die of a broken pipe.
type progressWriter struct {
	p       progressParser
	partial []byte
}

func newProgressWriter(fn func(ProgressUpdate)) *progressWriter {
	return &progressWriter{p: progressParser{fn: fn}}
}

func (w *progressWriter) Write(b []byte) (int, error) {
	n := len(b)
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			if len(w.partial)+len(b) <= maxProgressLine {
				w.partial = append(w.partial, b...)
			} else {
				w.partial = w.partial[:0] // not progress output; drop it
			}
			break
		}
		line := b[:i]
		if len(w.partial) > 0 {
			line = append(w.partial, line...)
			w.partial = w.partial[:0]
		}
		w.p.line(string(line))
		b = b[i+1:]
	}
	return n, nil
}
