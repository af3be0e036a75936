package validate

import (
	"strconv"
	"strings"
)

// Location points at what a finding is about, as precisely as the format
// allows: a file and line in a playlist, an XPath-like element path in an
// MPD, a box path and sample number in a media file.
type Location struct {
	// File is the resource: a path relative to the package root (local
	// packages) or a URL (HTTP).
	File string `json:"file,omitempty"`
	Line int    `json:"line,omitempty"` // 1-based line in a playlist or MPD
	// Path is the element path in an MPD, with 1-based indexes and @id
	// where there is one: MPD/Period[1]/AdaptationSet[@id="0"]/Representation[@id="720p"].
	Path string `json:"path,omitempty"`
	// Box is the box path in a media file, with 1-based indexes of
	// repeated boxes: moof[2]/traf[1]/trun.
	Box    string `json:"box,omitempty"`
	Offset int64  `json:"offset,omitempty"` // byte offset of Box in File, when known
	Sample int    `json:"sample,omitempty"` // 1-based sample number within the box's run
}

// String formats the location as "file:line path box@offset sample N".
func (l Location) String() string {
	var b strings.Builder
	b.WriteString(l.File)
	if l.Line > 0 {
		b.WriteString(":" + strconv.Itoa(l.Line))
	}
	add := func(s string) {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s)
	}
	if l.Path != "" {
		add(l.Path)
	}
	if l.Box != "" {
		s := l.Box
		if l.Offset > 0 {
			s += "@" + strconv.FormatInt(l.Offset, 10)
		}
		add(s)
	}
	if l.Sample > 0 {
		add("sample " + strconv.Itoa(l.Sample))
	}
	return b.String()
}
