package manifest

import "strconv"

// ParseError locates a problem in a manifest read by ReadHLS or ReadDASH, so
// that a report can point at it: a playlist file and line, or an MPD
// element path.
type ParseError struct {
	File    string // playlist path as given to the fs.FS; "" for an MPD read from bytes
	Line    int    // 1-based line, 0 when unknown
	Element string // MPD element path, e.g. `Period[1]/AdaptationSet[2]/Representation[@id="720p"]`
	Err     error
}

func (e *ParseError) Error() string {
	s := e.File
	if e.Line > 0 {
		if s == "" {
			s = "line"
		}
		s += ":" + strconv.Itoa(e.Line)
	}
	if e.Element != "" {
		if s != "" {
			s += ": "
		}
		s += e.Element
	}
	if s == "" {
		return e.Err.Error()
	}
	return s + ": " + e.Err.Error()
}

func (e *ParseError) Unwrap() error { return e.Err }
