package subtitle

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

// Namespaces of TTML. DFXP drafts used the ttaf1 ones; attributes are
// matched by their namespace's suffix (#styling, #parameter), or by the
// usual prefix when a sloppy file forgot to declare it.
const (
	nsTTML = "http://www.w3.org/ns/ttml"
	nsXML  = "http://www.w3.org/XML/1998/namespace"
)

// ParseTTML reads a TTML document (TTML1, IMSC1 text profile, DFXP,
// EBU-TT-D) and converts it to the WebVTT model:
//
//   - every p with text is a cue; its xml:id is the cue ID;
//   - timing: begin, end and dur on body, div, p (and span, ignored there)
//     as clock time (hh:mm:ss.fff, hh:mm:ss:ff frames) or offset time
//     (12.5s, 1500ms, 2m, 1h, 30f frames at ttp:frameRate ×
//     ttp:frameRateMultiplier, 10000000t ticks at ttp:tickRate), nested
//     as in a par time container (timeContainer="seq" is read as par): a
//     child's times count from its parent's begin and it ends no later
//     than its parent; times are rounded to the millisecond;
//   - text: br is a line break, whitespace collapses unless
//     xml:space="preserve";
//   - styling: tts:fontStyle italic becomes <i>, tts:fontWeight bold <b>,
//     tts:textDecoration underline <u>, whether inline, through style
//     references (chained) or inherited; tts:textAlign becomes an align
//     setting ("center", WebVTT's default, and no textAlign at all give
//     none); a region whose text sits in the upper half of the frame
//     (from tts:origin, tts:extent and tts:displayAlign, in %, px or c)
//     gives "line:0". All other styling (colours, fonts, sizes, outlines,
//     exact positions) is dropped on purpose: WebVTT cannot carry it
//     faithfully.
//
// Bad XML, a root other than tt, a malformed time expression and a p
// without an end time (no end or dur on it or an ancestor) are errors
// naming the line; ttp:timeBase="clock" is unsupported. name is how errors
// call the file.
func ParseTTML(name string, data []byte) (*Document, error) {
	text, err := decodeText(name, data)
	if err != nil {
		return nil, err
	}
	return parseTTML(name, text, false)
}

// styleProps are the styles vpack keeps, as set by one style or element:
// 0 unset, 1 on, -1 off; align is tts:textAlign, "" when unset.
type styleProps struct {
	italic, bold, underline int8
	align                   string
}

// over returns s with the properties o sets.
func (s styleProps) over(o styleProps) styleProps {
	if o.italic != 0 {
		s.italic = o.italic
	}
	if o.bold != 0 {
		s.bold = o.bold
	}
	if o.underline != 0 {
		s.underline = o.underline
	}
	if o.align != "" {
		s.align = o.align
	}
	return s
}

type ttmlStyle struct {
	refs  []string
	props styleProps
}

type ttmlRegion struct {
	refs                    []string
	props                   styleProps
	origin, extent, display string
}

// ttmlFrame is one open element.
type ttmlFrame struct {
	local      string
	begin, end float64 // seconds on the document timeline; end +Inf when unbounded
	props      styleProps
	region     string
	preserve   bool
}

// ttmlRune is one character of a p's text, with the styles in effect.
type ttmlRune struct {
	r        rune
	props    styleProps
	preserve bool // from xml:space="preserve": not collapsed
	br       bool // a line break from br
}

type ttmlParser struct {
	name string
	dec  *xml.Decoder

	frameRate    float64 // frames per second, multiplier applied
	subFrameRate float64
	tickRate     float64
	cellRows     float64
	rootHeightPx float64 // tts:extent of tt in px; 0 when unknown

	styles     map[string]*ttmlStyle
	resolved   map[string]styleProps // styles with their references applied
	regions    map[string]*ttmlRegion
	lastRegion *ttmlRegion // the region whose style children are being read

	doc   *Document
	stack []ttmlFrame
	skip  int // depth inside an element whose content is ignored
	inP   bool
	p     struct {
		line       int
		id         string
		begin, end float64
		region     string
		props      styleProps
		text       []ttmlRune
	}
}

func parseTTML(name, text string, allowEmpty bool) (*Document, error) {
	dec := xml.NewDecoder(strings.NewReader(text))
	// The text is UTF-8 already (decodeText); whatever encoding the XML
	// declaration names is what the bytes were.
	dec.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	p := &ttmlParser{name: name, dec: dec, styles: map[string]*ttmlStyle{}, resolved: map[string]styleProps{},
		regions: map[string]*ttmlRegion{},
		doc:     &Document{Format: TTML}}
	sawRoot := false
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, p.xmlError(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if !sawRoot {
				sawRoot = true
				if t.Name.Local != "tt" {
					return nil, p.errorf(ErrSyntax, "not a TTML document: the root element is <%s>, not <tt>", t.Name.Local)
				}
			}
			if err := p.start(t); err != nil {
				return nil, err
			}
		case xml.EndElement:
			if err := p.end(); err != nil {
				return nil, err
			}
		case xml.CharData:
			p.charData(t)
		}
	}
	if !sawRoot {
		return nil, &ParseError{File: name, Line: 1, Err: detail(ErrSyntax, "not a TTML document: no XML element")}
	}
	if len(p.doc.Cues) == 0 && !allowEmpty {
		return nil, &ParseError{File: name, Err: ErrEmpty}
	}
	sortCues(p.doc.Cues)
	return p.doc, nil
}

func (p *ttmlParser) line() int {
	l, _ := p.dec.InputPos()
	return l
}

func (p *ttmlParser) errorf(kind error, format string, args ...any) error {
	return &ParseError{File: p.name, Line: p.line(), Err: detail(kind, fmt.Sprintf(format, args...))}
}

func (p *ttmlParser) xmlError(err error) error {
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return &ParseError{File: p.name, Line: se.Line, Err: detail(ErrSyntax, "not well-formed XML: "+se.Msg)}
	}
	return &ParseError{File: p.name, Line: p.line(), Err: fmt.Errorf("%w: %v", ErrSyntax, err)}
}

func (p *ttmlParser) inside(local string) bool {
	for _, f := range p.stack {
		if f.local == local {
			return true
		}
	}
	return false
}

func isTTML(space string) bool {
	return space == "" || space == nsTTML || strings.HasPrefix(space, "http://www.w3.org/2006/") && strings.Contains(space, "ttaf1")
}

// attrKind classifies an attribute by namespace: "tts", "ttp", "xml" or
// "" for unqualified ones.
func attrKind(n xml.Name) string {
	switch {
	case n.Space == "":
		return ""
	case n.Space == nsXML || n.Space == "xml":
		return "xml"
	case strings.HasSuffix(n.Space, "#styling") || strings.HasSuffix(n.Space, "#style") || n.Space == "tts":
		return "tts"
	case strings.HasSuffix(n.Space, "#parameter") || n.Space == "ttp":
		return "ttp"
	}
	return n.Space
}

func attr(el xml.StartElement, kind, local string) (string, bool) {
	for _, a := range el.Attr {
		if a.Name.Local == local && attrKind(a.Name) == kind {
			return strings.TrimSpace(a.Value), true
		}
	}
	return "", false
}

func (p *ttmlParser) start(el xml.StartElement) error {
	if p.skip > 0 {
		p.skip++
		return nil
	}
	local := el.Name.Local
	if len(p.stack) == 0 {
		return p.startRoot(el)
	}
	parent := p.stack[len(p.stack)-1]
	f := ttmlFrame{local: local, begin: parent.begin, end: parent.end, props: parent.props,
		region: parent.region, preserve: parent.preserve}
	if v, ok := attr(el, "xml", "space"); ok {
		f.preserve = v == "preserve"
	}

	switch {
	case !isTTML(el.Name.Space):
		p.skip = 1
		return nil
	case p.inside("head"):
		p.headElement(el, parent)
		p.stack = append(p.stack, f)
		return nil
	case local == "head":
		p.stack = append(p.stack, f)
		return nil
	case local == "body" && parent.local == "tt",
		local == "div" && (parent.local == "body" || parent.local == "div"),
		local == "p" && (parent.local == "body" || parent.local == "div"),
		local == "span" && p.inP,
		local == "br" && p.inP:
	default:
		p.skip = 1
		return nil
	}

	if err := p.timing(el, &f, parent); err != nil {
		return err
	}
	if v, ok := attr(el, "", "region"); ok {
		f.region = v
	}
	for _, ref := range strings.Fields(attrOr(el, "", "style")) {
		f.props = f.props.over(p.styleProps(ref, 0))
	}
	f.props = f.props.over(inlineProps(el))
	p.stack = append(p.stack, f)

	switch local {
	case "p":
		p.inP = true
		p.p.line = p.line()
		p.p.id, _ = attr(el, "xml", "id")
		p.p.begin, p.p.end, p.p.region, p.p.props = f.begin, f.end, f.region, f.props
		p.p.text = p.p.text[:0]
	case "br":
		p.p.text = append(p.p.text, ttmlRune{r: '\n', br: true})
	}
	return nil
}

func attrOr(el xml.StartElement, kind, local string) string {
	v, _ := attr(el, kind, local)
	return v
}

// startRoot reads the parameters of the tt element.
func (p *ttmlParser) startRoot(el xml.StartElement) error {
	f := ttmlFrame{local: "tt", end: math.Inf(1)}
	if v, ok := attr(el, "xml", "space"); ok {
		f.preserve = v == "preserve"
	}
	p.doc.Language, _ = attr(el, "xml", "lang")
	num := func(local string, def float64) (float64, error) {
		v, ok := attr(el, "ttp", local)
		if !ok {
			return def, nil
		}
		n, err := strconv.ParseFloat(v, 64)
		if err != nil || n <= 0 || math.IsInf(n, 0) {
			return 0, p.errorf(ErrTiming, "ttp:%s=%q is not a positive number", local, clip(v))
		}
		return n, nil
	}
	var err error
	if p.frameRate, err = num("frameRate", 30); err != nil {
		return err
	}
	if p.subFrameRate, err = num("subFrameRate", 1); err != nil {
		return err
	}
	if v, ok := attr(el, "ttp", "frameRateMultiplier"); ok {
		fs := strings.Fields(v)
		n, err1 := strconv.ParseFloat(first(fs), 64)
		d, err2 := strconv.ParseFloat(second(fs), 64)
		if len(fs) != 2 || err1 != nil || err2 != nil || n <= 0 || d <= 0 {
			return p.errorf(ErrTiming, "ttp:frameRateMultiplier=%q is not two positive numbers", clip(v))
		}
		p.frameRate = p.frameRate * n / d
	}
	defTick := 1.0
	if _, ok := attr(el, "ttp", "frameRate"); ok {
		defTick = p.frameRate * p.subFrameRate
	}
	if p.tickRate, err = num("tickRate", defTick); err != nil {
		return err
	}
	if v, ok := attr(el, "ttp", "timeBase"); ok && v == "clock" {
		return p.errorf(ErrUnsupported, `ttp:timeBase="clock" (wall-clock times) is not supported; use media time`)
	}
	p.cellRows = 15
	if v, ok := attr(el, "ttp", "cellResolution"); ok {
		if fs := strings.Fields(v); len(fs) == 2 {
			if r, err := strconv.ParseFloat(fs[1], 64); err == nil && r > 0 {
				p.cellRows = r
			}
		}
	}
	if v, ok := attr(el, "tts", "extent"); ok {
		if fs := strings.Fields(v); len(fs) == 2 && strings.HasSuffix(fs[1], "px") {
			if h, err := strconv.ParseFloat(strings.TrimSuffix(fs[1], "px"), 64); err == nil && h > 0 {
				p.rootHeightPx = h
			}
		}
	}
	p.stack = append(p.stack, f)
	return nil
}

func first(s []string) string {
	if len(s) > 0 {
		return s[0]
	}
	return ""
}

func second(s []string) string {
	if len(s) > 1 {
		return s[1]
	}
	return ""
}

// headElement records style and region definitions.
func (p *ttmlParser) headElement(el xml.StartElement, parent ttmlFrame) {
	id, _ := attr(el, "xml", "id")
	switch el.Name.Local {
	case "style":
		if parent.local == "region" {
			// A style inside a region styles the region.
			if r := p.lastRegion; r != nil {
				r.props = r.props.over(inlineProps(el))
				r.refs = append(r.refs, strings.Fields(attrOr(el, "", "style"))...)
			}
			return
		}
		if id != "" {
			p.styles[id] = &ttmlStyle{refs: strings.Fields(attrOr(el, "", "style")), props: inlineProps(el)}
		}
	case "region":
		r := &ttmlRegion{
			refs:    strings.Fields(attrOr(el, "", "style")),
			props:   inlineProps(el),
			origin:  attrOr(el, "tts", "origin"),
			extent:  attrOr(el, "tts", "extent"),
			display: attrOr(el, "tts", "displayAlign"),
		}
		p.lastRegion = r
		if id != "" {
			p.regions[id] = r
		}
	}
}

// styleProps resolves a style reference and the styles it references in
// turn, once per style (a reference cycle resolves to nothing more).
func (p *ttmlParser) styleProps(id string, depth int) styleProps {
	if r, ok := p.resolved[id]; ok {
		return r
	}
	s, ok := p.styles[id]
	if !ok || depth > 32 {
		return styleProps{}
	}
	p.resolved[id] = styleProps{} // while resolving: breaks cycles
	var out styleProps
	for _, ref := range s.refs {
		out = out.over(p.styleProps(ref, depth+1))
	}
	out = out.over(s.props)
	p.resolved[id] = out
	return out
}

// inlineProps reads the styles vpack keeps from an element's attributes.
func inlineProps(el xml.StartElement) styleProps {
	var s styleProps
	switch v, _ := attr(el, "tts", "fontStyle"); v {
	case "italic", "oblique":
		s.italic = 1
	case "normal":
		s.italic = -1
	}
	switch v, _ := attr(el, "tts", "fontWeight"); v {
	case "bold":
		s.bold = 1
	case "normal":
		s.bold = -1
	}
	if v, ok := attr(el, "tts", "textDecoration"); ok {
		for _, d := range strings.Fields(v) {
			switch d {
			case "underline":
				s.underline = 1
			case "noUnderline", "none":
				s.underline = -1
			}
		}
	}
	if v, ok := attr(el, "tts", "textAlign"); ok {
		s.align = v
	}
	return s
}

// timing sets f's interval from the element's begin, end and dur, counted
// from the parent's begin and bounded by its end (a par time container,
// TTML1 §10.4). Spans keep their p's interval: vpack does not split cues.
func (p *ttmlParser) timing(el xml.StartElement, f *ttmlFrame, parent ttmlFrame) error {
	if el.Name.Local == "span" || el.Name.Local == "br" {
		return nil
	}
	get := func(local string) (float64, bool, error) {
		v, ok := attr(el, "", local)
		if !ok {
			return 0, false, nil
		}
		t, err := p.parseTime(v)
		if err != nil {
			return 0, false, p.errorf(ErrTiming, "%s=%q: %v", local, clip(v), err)
		}
		return t, true, nil
	}
	begin, _, err := get("begin")
	if err != nil {
		return err
	}
	end, hasEnd, err := get("end")
	if err != nil {
		return err
	}
	dur, hasDur, err := get("dur")
	if err != nil {
		return err
	}
	if hasEnd && end < begin {
		return p.errorf(ErrTiming, "<%s begin=%q end=%q>: end before begin", el.Name.Local, attrOr(el, "", "begin"), attrOr(el, "", "end"))
	}
	f.begin = parent.begin + begin
	f.end = parent.end
	if hasEnd {
		f.end = min(f.end, parent.begin+end)
	}
	if hasDur {
		f.end = min(f.end, f.begin+dur)
	}
	return nil
}

// parseTime parses a TTML1 time expression (§10.3.1) into seconds.
func (p *ttmlParser) parseTime(s string) (float64, error) {
	bad := errors.New("not a TTML time expression (hh:mm:ss.fff, hh:mm:ss:ff, or a number with h, m, s, ms, f or t)")
	if strings.Contains(s, ":") {
		parts := strings.Split(s, ":")
		if len(parts) != 3 && len(parts) != 4 {
			return 0, bad
		}
		if !digits(parts[0]) || len(parts[1]) != 2 || !digits(parts[1]) {
			return 0, bad
		}
		h, _ := strconv.ParseFloat(parts[0], 64)
		m, _ := strconv.ParseFloat(parts[1], 64)
		secs := parts[2]
		if len(parts) == 3 {
			whole, frac, _ := strings.Cut(secs, ".")
			if len(whole) != 2 || !digits(whole) || (strings.Contains(secs, ".") && !digits(frac)) {
				return 0, bad
			}
		} else if len(secs) != 2 || !digits(secs) {
			return 0, bad
		}
		sec, _ := strconv.ParseFloat(secs, 64)
		if m > 59 || sec >= 61 { // 60 allows a leap second
			return 0, errors.New("minutes and seconds are 00-59")
		}
		t := h*3600 + m*60 + sec
		if len(parts) == 4 {
			fr, sub, hasSub := strings.Cut(parts[3], ".")
			if !digits(fr) || (hasSub && !digits(sub)) {
				return 0, bad
			}
			frames, _ := strconv.ParseFloat(fr, 64)
			t += frames / p.frameRate
			if hasSub {
				subs, _ := strconv.ParseFloat(sub, 64)
				t += subs / p.subFrameRate / p.frameRate
			}
		}
		return t, nil
	}
	metric := ""
	for _, m := range []string{"ms", "h", "m", "s", "f", "t"} {
		if strings.HasSuffix(s, m) {
			metric = m
			break
		}
	}
	num := strings.TrimSuffix(s, metric)
	whole, frac, hasFrac := strings.Cut(num, ".")
	if metric == "" || !digits(whole) || (hasFrac && !digits(frac)) {
		return 0, bad
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return 0, bad
	}
	switch metric {
	case "h":
		v *= 3600
	case "m":
		v *= 60
	case "ms":
		v /= 1000
	case "f":
		v /= p.frameRate
	case "t":
		v /= p.tickRate
	}
	return v, nil
}

func (p *ttmlParser) end() error {
	if p.skip > 0 {
		p.skip--
		return nil
	}
	if len(p.stack) == 0 {
		return nil
	}
	f := p.stack[len(p.stack)-1]
	p.stack = p.stack[:len(p.stack)-1]
	if f.local == "p" && p.inP {
		p.inP = false
		return p.finishP()
	}
	return nil
}

func (p *ttmlParser) charData(data xml.CharData) {
	if p.skip > 0 || !p.inP || len(p.stack) == 0 {
		return
	}
	f := p.stack[len(p.stack)-1]
	for _, r := range string(data) {
		p.p.text = append(p.p.text, ttmlRune{r: r, props: f.props, preserve: f.preserve})
	}
}

// finishP turns the p just closed into a cue.
func (p *ttmlParser) finishP() error {
	text := ttmlText(p.p.text)
	if strings.TrimSpace(text) == "" {
		return nil
	}
	if math.IsInf(p.p.end, 1) {
		return &ParseError{File: p.name, Line: p.p.line, Err: detail(ErrTiming,
			"p has no end time (no end or dur on it or on an enclosing div or body)")}
	}
	if p.p.end <= p.p.begin {
		return nil // outside its parent's interval: never shown
	}
	if p.p.end > maxSeconds {
		return &ParseError{File: p.name, Line: p.p.line, Err: detail(ErrTiming,
			fmt.Sprintf("p ends at %.0fs, beyond any media", p.p.end))}
	}
	c := Cue{
		ID:    p.p.id,
		Start: roundMs(secondsToDuration(p.p.begin)),
		End:   roundMs(secondsToDuration(p.p.end)),
		Text:  text,
	}
	var settings []string
	if r, ok := p.regions[p.p.region]; ok {
		props := p.regionProps(r)
		if p.regionTop(r) {
			settings = append(settings, "line:0")
		}
		if p.p.props.align == "" {
			p.p.props.align = props.align
		}
	}
	switch a := p.p.props.align; a {
	case "left", "right", "start", "end":
		settings = append(settings, "align:"+a)
	}
	c.Settings = strings.Join(settings, " ")
	if c.End > c.Start {
		p.doc.Cues = append(p.doc.Cues, c)
	}
	return nil
}

func (p *ttmlParser) regionProps(r *ttmlRegion) styleProps {
	var out styleProps
	for _, ref := range r.refs {
		out = out.over(p.styleProps(ref, 0))
	}
	return out.over(r.props)
}

// regionTop reports whether text in r sits in the upper half of the root
// container: the region's top edge (displayAlign before, the default), its
// middle (center) or its bottom edge (after) is above the middle.
func (p *ttmlParser) regionTop(r *ttmlRegion) bool {
	y, h := 0.0, 1.0
	if r.origin != "" {
		fs := strings.Fields(r.origin)
		if len(fs) != 2 {
			return false
		}
		var ok bool
		if y, ok = p.fraction(fs[1]); !ok {
			return false
		}
	}
	if r.extent != "" {
		fs := strings.Fields(r.extent)
		if len(fs) != 2 {
			return false
		}
		var ok bool
		if h, ok = p.fraction(fs[1]); !ok {
			return false
		}
	}
	pos := y
	switch r.display {
	case "center":
		pos = y + h/2
	case "after":
		pos = y + h
	}
	return pos < 0.5
}

// fraction converts a vertical TTML length to a fraction of the root
// container's height: %, px (given the tt element's tts:extent) or c
// (cells, given ttp:cellResolution).
func (p *ttmlParser) fraction(s string) (float64, bool) {
	unit := func(suffix string, scale float64) (float64, bool) {
		v, err := strconv.ParseFloat(strings.TrimSuffix(s, suffix), 64)
		if err != nil || scale <= 0 {
			return 0, false
		}
		return v / scale, true
	}
	switch {
	case strings.HasSuffix(s, "%"):
		return unit("%", 100)
	case strings.HasSuffix(s, "px"):
		return unit("px", p.rootHeightPx)
	case strings.HasSuffix(s, "c"):
		return unit("c", p.cellRows)
	}
	return 0, false
}

// ttmlText turns a p's characters into WebVTT cue text: whitespace handled
// as xml:space says (default: runs collapse to one space, none at the
// start or end of a line), markup for the kept styles, &, < and >
// escaped, no empty line.
func ttmlText(rs []ttmlRune) string {
	// Collapse whitespace, then drop spaces at line edges.
	kept := make([]ttmlRune, 0, len(rs))
	for _, r := range rs {
		if !r.preserve && !r.br && isXMLSpace(r.r) {
			r.r = ' '
			if n := len(kept); n == 0 || kept[n-1].br || (kept[n-1].r == ' ' && !kept[n-1].preserve) {
				continue
			}
		}
		if r.preserve && r.r == '\n' {
			r.br = true
		}
		if r.br {
			for n := len(kept); n > 0 && kept[n-1].r == ' ' && !kept[n-1].preserve; n-- {
				kept = kept[:n-1]
			}
		}
		kept = append(kept, r)
	}
	for n := len(kept); n > 0 && kept[n-1].r == ' ' && !kept[n-1].preserve; n-- {
		kept = kept[:n-1]
	}

	var b strings.Builder
	var open []string // tags open, outermost first
	want := func(s styleProps) []string {
		var t []string
		if s.bold > 0 {
			t = append(t, "b")
		}
		if s.italic > 0 {
			t = append(t, "i")
		}
		if s.underline > 0 {
			t = append(t, "u")
		}
		return t
	}
	setTags := func(tags []string) {
		common := 0
		for common < len(open) && common < len(tags) && open[common] == tags[common] {
			common++
		}
		for i := len(open) - 1; i >= common; i-- {
			b.WriteString("</" + open[i] + ">")
		}
		for _, t := range tags[common:] {
			b.WriteString("<" + t + ">")
		}
		open = append(open[:common], tags[common:]...)
	}
	for _, r := range kept {
		if r.br {
			setTags(nil) // each line's markup is closed on it
			b.WriteByte('\n')
			continue
		}
		setTags(want(r.props))
		switch r.r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		default:
			b.WriteRune(r.r)
		}
	}
	setTags(nil)
	var lines []string
	for _, l := range strings.Split(b.String(), "\n") {
		if strings.TrimSpace(l) != "" {
			lines = append(lines, strings.ReplaceAll(l, "-->", "--&gt;"))
		}
	}
	return strings.Join(lines, "\n")
}

// isXMLSpace reports XML whitespace (XML 1.0 §2.3 S): not U+00A0 and
// the other spaces Unicode knows, which are text.
func isXMLSpace(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\r' }

// maxSeconds bounds cue times (a million hours) so that they fit a
// time.Duration.
const maxSeconds = 3.6e9

func secondsToDuration(s float64) time.Duration { return time.Duration(math.Round(s * 1e9)) }

// looksTTML reports whether text starts like an XML document.
func looksTTML(data []byte) bool {
	data = bytes.TrimLeft(bytes.TrimPrefix(data, []byte{0xEF, 0xBB, 0xBF}), " \t\r\n")
	return bytes.HasPrefix(data, []byte("<"))
}
