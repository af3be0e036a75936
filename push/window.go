package push

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Window is a daily fill window, "02:00-06:00", in a time zone. It may
// wrap midnight ("22:00-04:00"). Start is inclusive, End exclusive.
type Window struct {
	Start, End time.Duration // since midnight
	Loc        *time.Location
}

// ParseWindow parses "HH:MM-HH:MM" in loc (nil means time.Local).
func ParseWindow(s string, loc *time.Location) (Window, error) {
	if loc == nil {
		loc = time.Local
	}
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		return Window{}, fmt.Errorf("window %q: want HH:MM-HH:MM", s)
	}
	start, err1 := parseClock(a)
	end, err2 := parseClock(b)
	if err1 != nil || err2 != nil {
		return Window{}, fmt.Errorf("window %q: want HH:MM-HH:MM with hours 00-24 and minutes 00-59", s)
	}
	if start == end {
		return Window{}, fmt.Errorf("window %q is empty (start equals end)", s)
	}
	return Window{Start: start, End: end, Loc: loc}, nil
}

func parseClock(s string) (time.Duration, error) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok || len(m) != 2 {
		return 0, fmt.Errorf("bad clock %q", s)
	}
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || hh < 0 || hh > 24 || mm < 0 || mm > 59 || (hh == 24 && mm != 0) {
		return 0, fmt.Errorf("bad clock %q", s)
	}
	return time.Duration(hh)*time.Hour + time.Duration(mm)*time.Minute, nil
}

// sinceMidnight is t's wall-clock time of day in w's zone.
func (w Window) sinceMidnight(t time.Time) time.Duration {
	t = t.In(w.Loc)
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute +
		time.Duration(t.Second())*time.Second + time.Duration(t.Nanosecond())
}

// Contains reports whether t is inside the window.
func (w Window) Contains(t time.Time) bool {
	d := w.sinceMidnight(t)
	if w.Start < w.End {
		return d >= w.Start && d < w.End
	}
	return d >= w.Start || d < w.End
}

// Opens returns the next time at or after t that the window opens (t
// itself when it is open).
func (w Window) Opens(t time.Time) time.Time {
	if w.Contains(t) {
		return t
	}
	t = t.In(w.Loc)
	y, mo, d := t.Date()
	open := time.Date(y, mo, d, 0, 0, 0, 0, w.Loc).Add(w.Start)
	if !open.After(t) {
		open = time.Date(y, mo, d+1, 0, 0, 0, 0, w.Loc).Add(w.Start)
	}
	return open
}

func (w Window) String() string {
	f := func(d time.Duration) string {
		return fmt.Sprintf("%02d:%02d", int(d.Hours()), int(d.Minutes())%60)
	}
	return f(w.Start) + "-" + f(w.End)
}
