package push

import (
	"fmt"
	"strconv"
	"strings"
)

var sizeUnits = []struct {
	suffix string
	mult   float64
}{
	{"kib", 1 << 10}, {"mib", 1 << 20}, {"gib", 1 << 30}, {"tib", 1 << 40},
	{"kb", 1e3}, {"mb", 1e6}, {"gb", 1e9}, {"tb", 1e12},
	{"k", 1e3}, {"m", 1e6}, {"g", 1e9}, {"t", 1e12},
	{"b", 1},
}

// ParseSize parses a byte count: "500MB", "2GB", "1.5TB" (powers of 1000),
// "512MiB" (powers of 1024) or a plain number of bytes.
func ParseSize(s string) (int64, error) {
	v, err := parseScaled(strings.TrimSpace(s), sizeUnits)
	if err != nil || v < 0 {
		return 0, fmt.Errorf("size %q: want a number of bytes like 500MB, 2GB or 512MiB", s)
	}
	return int64(v), nil
}

// ParseRate parses a transfer rate in bytes per second: "200MB/s",
// "50MiB/s", or in bits: "800Mbit/s", "1Gbps". The "/s" is optional.
func ParseRate(s string) (int64, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	t = strings.TrimSuffix(t, "/s")
	bits := false
	for _, suf := range []string{"bit", "bps"} {
		if strings.HasSuffix(t, suf) {
			t, bits = strings.TrimSuffix(t, suf)+"b", true
			break
		}
	}
	v, err := parseScaled(t, sizeUnits)
	if err != nil || v <= 0 {
		return 0, fmt.Errorf("rate %q: want bytes per second like 200MB/s or bits like 800Mbit/s", s)
	}
	if bits {
		v /= 8
	}
	return max(int64(v), 1), nil
}

func parseScaled(s string, units []struct {
	suffix string
	mult   float64
}) (float64, error) {
	low := strings.ToLower(s)
	mult := 1.0
	for _, u := range units {
		if strings.HasSuffix(low, u.suffix) {
			low, mult = strings.TrimSuffix(low, u.suffix), u.mult
			break
		}
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(low), 64)
	if err != nil {
		return 0, err
	}
	return v * mult, nil
}

// FormatBytes formats n for people: "1.5 GB".
func FormatBytes(n int64) string {
	switch {
	case n >= 1e12:
		return fmt.Sprintf("%.1f TB", float64(n)/1e12)
	case n >= 1e9:
		return fmt.Sprintf("%.1f GB", float64(n)/1e9)
	case n >= 1e6:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	case n >= 1e3:
		return fmt.Sprintf("%.1f kB", float64(n)/1e3)
	}
	return fmt.Sprintf("%d B", n)
}
