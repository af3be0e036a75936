package manifest

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"strconv"
	"strings"
)

// errTicks is wrapped by durations that cannot be converted.
var errTicks = errors.New("bad duration")

// ticksToMs converts a duration in timescale ticks to whole milliseconds,
// rounding half up. HLS writes durations with three decimals (RFC 8216
// §4.3.2.1 allows any decimal-floating-point), so milliseconds are what a
// playlist carries. The product is computed in 128 bits so that no tick
// count overflows.
func ticksToMs(ticks uint64, timescale uint32) (uint64, error) {
	if timescale == 0 {
		return 0, fmt.Errorf("timescale 0: %w", errTicks)
	}
	hi, lo := bits.Mul64(ticks, 1000)
	lo, carry := bits.Add64(lo, uint64(timescale/2), 0)
	hi += carry
	if hi >= uint64(timescale) {
		return 0, fmt.Errorf("%d ticks at %d Hz: %w", ticks, timescale, errTicks)
	}
	q, _ := bits.Div64(hi, lo, uint64(timescale))
	return q, nil
}

// formatMs formats milliseconds as seconds with exactly three decimals,
// the EXTINF form vpack writes: 2002 → "2.002".
func formatMs(ms uint64) string {
	return fmt.Sprintf("%d.%03d", ms/1000, ms%1000)
}

// secondsToMs converts a decimal number of seconds read from a playlist to
// whole milliseconds, refusing what no segment can last.
func secondsToMs(s float64) (uint64, error) {
	const maxSeconds = 1 << 40 // far beyond any VOD, far below float64 precision loss
	if math.IsNaN(s) || s < 0 || s > maxSeconds {
		return 0, fmt.Errorf("%v s: %w", s, errTicks)
	}
	return uint64(math.Round(s * 1000)), nil
}

// targetDuration implements RFC 8216 §4.3.3.1 for the longest EXTINF as
// written (in ms). From protocol version 6 on, each EXTINF rounded to the
// nearest integer must be ≤ EXT-X-TARGETDURATION, so the smallest valid
// target is the longest duration rounded half up. Up to version 5 (§7: "it
// indicated the maximum segment duration") it must be ≥ every EXTINF, so it
// is the longest duration rounded up. A target is at least 1.
func targetDuration(maxMs uint64, version int) uint {
	var t uint64
	if version >= 6 {
		t = (maxMs + 500) / 1000
	} else {
		t = (maxMs + 999) / 1000
	}
	return uint(max(t, 1))
}

// mediaPlaylistVersion is the lowest EXT-X-VERSION a media playlist with
// these features may declare, per RFC 8216 §7:
//   - 3 for decimal EXTINF durations (vpack always writes them);
//   - 4 for EXT-X-BYTERANGE or EXT-X-I-FRAMES-ONLY;
//   - 5 for EXT-X-MAP;
//   - 6 for EXT-X-MAP in a playlist without EXT-X-I-FRAMES-ONLY.
//
// EXT-X-INDEPENDENT-SEGMENTS and EXT-X-PLAYLIST-TYPE need no version.
func mediaPlaylistVersion(iFramesOnly, byteRanges, hasMap bool) int {
	v := 3
	if byteRanges || iFramesOnly {
		v = 4
	}
	if hasMap {
		v = 5
		if !iFramesOnly {
			v = 6
		}
	}
	return v
}

// rateString formats a frame rate as DASH FrameRateType: "25" or "30000/1001".
func rateString(r Rate) string {
	if r.Den == 1 {
		return strconv.Itoa(r.Num)
	}
	return strconv.Itoa(r.Num) + "/" + strconv.Itoa(r.Den)
}

// rateValid reports whether r is a usable positive rate.
func rateValid(r Rate) bool { return r.Num > 0 && r.Den > 0 }

// rateLess reports a < b without floating point.
func rateLess(a, b Rate) bool {
	return int64(a.Num)*int64(b.Den) < int64(b.Num)*int64(a.Den)
}

// parseRate parses a DASH FrameRateType ("25", "30000/1001").
func parseRate(s string) (Rate, error) {
	num, den, found := strings.Cut(s, "/")
	n, err := strconv.Atoi(num)
	if err != nil || n <= 0 {
		return Rate{}, fmt.Errorf("frame rate %q: not a positive integer ratio", s)
	}
	d := 1
	if found {
		if d, err = strconv.Atoi(den); err != nil || d <= 0 {
			return Rate{}, fmt.Errorf("frame rate %q: not a positive integer ratio", s)
		}
	}
	return Rate{Num: n, Den: d}, nil
}

// rateFromFloat recovers an exact frame rate from an HLS FRAME-RATE, which
// has three decimals: integer rates (25.000 → 25/1) and the NTSC family
// (29.970 → 30000/1001, 23.976 → 24000/1001, 59.940 → 60000/1001) come back
// exactly, anything else as its milliframe value (12.345 → 12345/1000).
func rateFromFloat(f float64) (Rate, bool) {
	if math.IsNaN(f) || f <= 0 || f > 1e6 {
		return Rate{}, false
	}
	if r := math.Round(f); math.Abs(f-r) < 0.0005 {
		return Rate{Num: int(r), Den: 1}, true
	}
	if n := math.Round(f * 1.001); math.Abs(n*1000/1001-f) < 0.0005 {
		return Rate{Num: int(n) * 1000, Den: 1001}, true
	}
	m := int(math.Round(f * 1000))
	g := gcd(m, 1000)
	return Rate{Num: m / g, Den: 1000 / g}, true
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	if a == 0 {
		return 1
	}
	return a
}

// ratio formats a:b reduced, as DASH RatioType.
func ratio(a, b int) string {
	g := gcd(a, b)
	return strconv.Itoa(a/g) + ":" + strconv.Itoa(b/g)
}

// bitsPerSecond returns ceil(bytes*8*timescale/ticks), the bit rate of
// bytes lasting ticks, or 0 when ticks is 0.
func bitsPerSecond(bytes int64, ticks uint64, timescale uint32) int64 {
	if ticks == 0 || bytes <= 0 {
		return 0
	}
	hi, lo := bits.Mul64(uint64(bytes)*8, uint64(timescale))
	if hi >= ticks {
		return math.MaxInt64
	}
	q, r := bits.Div64(hi, lo, ticks)
	if r != 0 {
		q++
	}
	if q > math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(q)
}
