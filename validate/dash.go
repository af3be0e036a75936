package validate

import (
	"encoding/base64"
	"fmt"
	"iter"
	"math"
	"strconv"
	"strings"

	"github.com/vpack-dev/vpack/manifest"
)

// maxDASHSegments bounds the segments an MPD may expand to: a few bytes
// of SegmentTimeline can describe billions.
const maxDASHSegments = 1 << 20

// dashPackage is one MPD and the Representations it describes.
type dashPackage struct {
	name      string
	file      string
	root      *xnode
	dynamic   bool
	dur       float64 // mediaPresentationDuration, s; 0 when absent
	minBuffer float64 // minBufferTime, s
	periods   []*dashPeriod
}

type dashPeriod struct {
	node  *xnode
	start float64
	dur   float64 // 0 when unknown
	sets  []*dashSet
}

type dashSet struct {
	node *xnode
	reps []*dashRep
}

// dashRep is a Representation, its resolved segments and what the media
// checks compare.
type dashRep struct {
	node   *xnode
	set    *dashSet
	period *dashPeriod
	id     string
	track  *trackRef
	plain  *plainTrack // side-car WebVTT, thumbnail tiles: instead of track

	timescale uint64
	pto       uint64
	sidx      *sidxInfo // SegmentBase: the index that lists the segments
}

// inherited returns an attribute of the Representation, else of its
// AdaptationSet (the common attributes of ISO/IEC 23009-1 §5.3.7).
func (r *dashRep) inherited(name string) (string, bool) {
	if v, ok := r.node.attr(name); ok {
		return v, true
	}
	return r.set.node.attr(name)
}

// readDASH reads and checks an MPD and declares its Representations'
// tracks.
func (c *checker) readDASH(name string) *dashPackage {
	data, _, err := c.src.read(c.ctx, name, 0, -1, c.opts.MaxManifestBytes)
	if err != nil {
		c.readErr(c.at(name), "MPD", name, err)
		return nil
	}
	c.mu.Lock()
	c.stats.MPDs++
	c.mu.Unlock()
	file := c.src.display(name)
	root, err := parseXMLTree(data)
	if err != nil {
		xe := err.(*xmlError)
		c.add(rDASHXML, Location{File: file, Line: xe.line}, "%s", xe.msg)
		return nil
	}
	if root.name.Local != "MPD" || root.name.Space != nsDASH {
		c.add(rDASHXML, Location{File: file, Line: root.line, Path: root.path}, "root element {%s}%s, want {%s}MPD", root.name.Space, root.name.Local, nsDASH)
		return nil
	}
	c.runXMLLint(file, data)
	c.checkSchema(file, root)

	dp := &dashPackage{name: name, file: file, root: root}
	at := func(n *xnode) Location { return Location{File: file, Line: n.line, Path: n.path} }
	if t, _ := root.attr("type"); t == "dynamic" {
		dp.dynamic = true
		c.add(rDASHLive, at(root), "type=\"dynamic\": a live MPD, checked as it is now")
	}
	if v, ok := root.attr("mediaPresentationDuration"); ok {
		if d, ok := parseXSDuration(v); ok {
			dp.dur = d
			if d <= 0 {
				c.add(rDASHDuration, at(root), "mediaPresentationDuration %s is not positive", v)
			}
		}
	}
	if v, ok := root.attr("minBufferTime"); ok {
		dp.minBuffer, _ = parseXSDuration(v)
	}
	// The MPD's folder is the base of its URLs; a BaseURL may replace it
	// with a folder (trailing slash) or a file (SegmentBase media).
	base := c.baseURL(file, name[:strings.LastIndexByte(name, '/')+1], root)
	periods := root.kids("Period")
	if len(periods) == 0 {
		c.add(rDASHSchema, at(root), "MPD without Period")
	}
	start := 0.0
	for i, pn := range periods {
		p := &dashPeriod{node: pn, start: start}
		if v, ok := pn.attr("start"); ok {
			p.start, _ = parseXSDuration(v)
		}
		if v, ok := pn.attr("duration"); ok {
			p.dur, _ = parseXSDuration(v)
		} else if i+1 < len(periods) {
			if v, ok := periods[i+1].attr("start"); ok {
				next, _ := parseXSDuration(v)
				p.dur = next - p.start
			}
		} else if dp.dur > 0 {
			p.dur = dp.dur - p.start
		}
		if p.dur <= 0 && !dp.dynamic && i == len(periods)-1 {
			c.add(rDASHDuration, at(pn), "static MPD without mediaPresentationDuration or Period@duration: the last Period has no end")
		}
		start = p.start + p.dur
		dp.periods = append(dp.periods, p)
		c.readPeriod(dp, p, c.baseURL(file, base, pn))
	}
	return dp
}

// baseURL resolves the first BaseURL child of n against base; base is
// kept when there is none or it cannot be followed.
func (c *checker) baseURL(file, base string, n *xnode) string {
	b := n.kid("BaseURL")
	if b == nil {
		return base
	}
	ref := strings.TrimSpace(b.text)
	if ref == "" {
		return base
	}
	name, ok := c.resolve(Location{File: file, Line: b.line, Path: b.path}, "BaseURL", base, ref)
	if !ok {
		return base
	}
	if strings.HasSuffix(ref, "/") && !strings.HasSuffix(name, "/") && name != "" {
		name += "/"
	}
	return name
}

func (c *checker) readPeriod(dp *dashPackage, p *dashPeriod, base string) {
	at := func(n *xnode) Location { return Location{File: dp.file, Line: n.line, Path: n.path} }
	setIDs := make(map[string]int)
	repIDs := make(map[string]int)
	for _, an := range p.node.kids("AdaptationSet") {
		set := &dashSet{node: an}
		p.sets = append(p.sets, set)
		if id, ok := an.attr("id"); ok {
			if prev, dup := setIDs[id]; dup {
				c.add(rDASHDuplicateID, at(an), "AdaptationSet@id %q is used again (first on line %d)", id, prev)
			}
			setIDs[id] = an.line
		}
		setBase := c.baseURL(dp.file, base, an)
		for _, rn := range an.kids("Representation") {
			id, _ := rn.attr("id")
			if prev, dup := repIDs[id]; dup && id != "" {
				c.add(rDASHDuplicateID, at(rn), "Representation@id %q is used again in the Period (first on line %d)", id, prev)
			}
			repIDs[id] = rn.line
			r := &dashRep{node: rn, set: set, period: p, id: id}
			set.reps = append(set.reps, r)
			c.resolveSegments(dp, r, c.baseURL(dp.file, setBase, rn))
		}
	}
}

// segInfoNodes returns the SegmentTemplate (or SegmentList, SegmentBase)
// elements that apply to r, lowest level first.
func segNodes(r *dashRep, kind string) []*xnode {
	var out []*xnode
	for _, n := range []*xnode{r.node, r.set.node, r.period.node} {
		if k := n.kid(kind); k != nil {
			out = append(out, k)
		}
	}
	return out
}

// segAttr looks an attribute up through the inheritance chain.
func segAttr(chain []*xnode, name string) (string, bool) {
	for _, n := range chain {
		if v, ok := n.attr(name); ok {
			return v, true
		}
	}
	return "", false
}

func segKid(chain []*xnode, name string) *xnode {
	for _, n := range chain {
		if k := n.kid(name); k != nil {
			return k
		}
	}
	return nil
}

// resolveSegments expands the segment information of r (ISO/IEC 23009-1
// §5.3.9) into its track: init and media segment URLs with their MPD
// timing.
func (c *checker) resolveSegments(dp *dashPackage, r *dashRep, base string) {
	loc := Location{File: dp.file, Line: r.node.line, Path: r.node.path}
	label := fmt.Sprintf("Representation %q", r.id)
	t := &trackRef{label: label, from: loc}
	mt, hasMT := r.inherited("mimeType")
	t.plain = plainMime(mt)
	if ct, _ := r.set.node.attr("contentType"); ct == "image" && t.plain == "" {
		if !hasMT {
			c.add(rThumbSignalling, loc, "image Representation without @mimeType (image/jpeg for thumbnail tiles)")
		}
		t.plain = "image/" // tiles of an unknown format: their content is not checked
	}
	level := func(kind string) int {
		for i, n := range []*xnode{r.node, r.set.node, r.period.node} {
			if n.kid(kind) != nil {
				return i
			}
		}
		return 99
	}
	lt, ll, lb := level("SegmentTemplate"), level("SegmentList"), level("SegmentBase")
	switch {
	case lt < 99 && lt <= ll && lt <= lb:
		c.templateSegments(dp, r, t, base, segNodes(r, "SegmentTemplate"))
	case ll < 99 && ll <= lb:
		c.listSegments(dp, r, t, base, segNodes(r, "SegmentList"))
	case lb < 99 || base != "" && !strings.HasSuffix(base, "/"):
		c.baseSegments(dp, r, t, base, segNodes(r, "SegmentBase"))
	default:
		c.add(rDASHAddressing, loc, "no SegmentBase, SegmentList or SegmentTemplate, and no BaseURL naming a file")
		return
	}
	if t.plain != "" {
		r.plain = &plainTrack{label: label, from: loc, mime: t.plain, segs: t.segs}
		if r.plain.image() {
			r.plain.grid = c.dashImageGrid(dp, r, r.plain)
		}
		return
	}
	if t.initName != "" || len(t.segs) > 0 {
		r.track = t
	}
}

// timeline expands the SegmentTimeline or @duration of a multiple-segment
// base into (start, duration) pairs in timescale ticks, checking S@t
// continuity.
func (c *checker) timeline(dp *dashPackage, r *dashRep, chain []*xnode) (starts, durs []uint64, ok bool) {
	ts := r.timescale
	if tl := segKid(chain, "SegmentTimeline"); tl != nil {
		var next uint64
		ss := tl.kids("S")
		periodEnd := uint64(0)
		if r.period.dur > 0 {
			periodEnd = r.pto + uint64(r.period.dur*float64(ts))
		}
		for i, s := range ss {
			sl := Location{File: dp.file, Line: s.line, Path: s.path}
			d, err := strconv.ParseUint(attrOrEmpty(s, "d"), 10, 64)
			if err != nil || d == 0 {
				c.add(rDASHSchema, sl, "S@d must be a positive integer")
				return nil, nil, false
			}
			t := next
			if v, ok := s.attr("t"); ok {
				tv, err := strconv.ParseUint(v, 10, 64)
				if err != nil {
					return nil, nil, false
				}
				if i > 0 && tv != next {
					if tv > next {
						c.add(rDASHTimelineGap, sl, "S@t=%d leaves a gap of %d ticks (%.3f s) after the previous segment's end %d", tv, tv-next, float64(tv-next)/float64(ts), next)
					} else {
						c.add(rDASHTimelineGap, sl, "S@t=%d overlaps the previous segment, which ends at %d", tv, next)
					}
				}
				t = tv
			} else if i == 0 {
				t = r.pto
			}
			rep := int64(0)
			if v, ok := s.attr("r"); ok {
				rep, err = strconv.ParseInt(v, 10, 64)
				if err != nil || rep < -1 {
					c.add(rDASHSchema, sl, "S@r=%q", v)
					return nil, nil, false
				}
			}
			if rep == -1 {
				end := periodEnd
				if i+1 < len(ss) {
					if v, ok := ss[i+1].attr("t"); ok {
						end, _ = strconv.ParseUint(v, 10, 64)
					}
				}
				if end <= t {
					c.add(rDASHTimelineGap, sl, "S@r=-1 without a following S@t or a Period end to repeat up to")
					return nil, nil, false
				}
				rep = int64((end-t+d-1)/d) - 1
			}
			if int64(len(starts))+rep+1 > maxDASHSegments {
				c.add(rNotChecked, sl, "the SegmentTimeline expands to more than %d segments: not checked", maxDASHSegments)
				return nil, nil, false
			}
			for k := int64(0); k <= rep; k++ {
				starts = append(starts, t)
				durs = append(durs, d)
				t += d
			}
			next = t
		}
		return starts, durs, len(starts) > 0
	}
	v, ok := segAttr(chain, "duration")
	if !ok {
		c.add(rDASHAddressing, Location{File: dp.file, Line: chain[0].line, Path: chain[0].path}, "%s without SegmentTimeline or @duration", chain[0].name.Local)
		return nil, nil, false
	}
	d, err := strconv.ParseUint(v, 10, 32)
	if err != nil || d == 0 {
		return nil, nil, false
	}
	if r.period.dur <= 0 {
		c.add(rDASHDuration, Location{File: dp.file, Line: chain[0].line, Path: chain[0].path}, "@duration addressing needs the Period's duration")
		return nil, nil, false
	}
	n := uint64(math.Ceil(r.period.dur*float64(ts)/float64(d) - 1e-9))
	if n > maxDASHSegments {
		c.add(rNotChecked, Location{File: dp.file, Line: chain[0].line, Path: chain[0].path}, "@duration gives more than %d segments: not checked", maxDASHSegments)
		return nil, nil, false
	}
	// Every segment lasts @duration but the last, which ends with the
	// Period (ISO/IEC 23009-1 §5.3.9.2, @duration).
	end := r.pto + uint64(math.Round(r.period.dur*float64(ts)))
	for k := uint64(0); k < n; k++ {
		start := r.pto + k*d
		starts = append(starts, start)
		durs = append(durs, min(d, end-start))
	}
	return starts, durs, true
}

func attrOrEmpty(n *xnode, name string) string {
	v, _ := n.attr(name)
	return v
}

// timing reads @timescale and @presentationTimeOffset.
func (c *checker) timing(r *dashRep, chain []*xnode) {
	r.timescale = 1
	if v, ok := segAttr(chain, "timescale"); ok {
		if ts, err := strconv.ParseUint(v, 10, 32); err == nil && ts > 0 {
			r.timescale = ts
		}
	}
	if v, ok := segAttr(chain, "presentationTimeOffset"); ok {
		r.pto, _ = strconv.ParseUint(v, 10, 64)
	}
}

func (c *checker) templateSegments(dp *dashPackage, r *dashRep, t *trackRef, base string, chain []*xnode) {
	tl := Location{File: dp.file, Line: chain[0].line, Path: chain[0].path}
	c.timing(r, chain)
	bw, _ := strconv.ParseUint(attrOrEmpty(r.node, "bandwidth"), 10, 64)
	vars := manifest.TemplateVars{RepresentationID: r.id, Bandwidth: bw}
	if init, ok := segAttr(chain, "initialization"); ok {
		u, err := manifest.ExpandTemplate(init, vars)
		if err != nil {
			c.add(rDASHTemplate, tl, "@initialization: %v", err)
		} else if name, ok := c.resolve(tl, "initialization", base, u); ok {
			t.initName = name
		}
	} else if in := segKid(chain, "Initialization"); in != nil {
		c.initElement(dp, t, base, in)
	} else if t.plain == "" { // plain files (thumbnail tiles) have no header
		c.add(rDASHAddressing, tl, "SegmentTemplate without @initialization: the CMAF header is not found")
	}
	media, ok := segAttr(chain, "media")
	if !ok {
		c.add(rDASHAddressing, tl, "SegmentTemplate without @media")
		return
	}
	if _, err := manifest.ExpandTemplate(media, manifest.TemplateVars{RepresentationID: r.id, Bandwidth: bw, HasNumber: true}); err != nil {
		c.add(rDASHTemplate, tl, "@media: %v", err)
		return
	}
	hasNumber, hasTime := strings.Contains(media, "$Number"), strings.Contains(media, "$Time")
	if hasNumber && hasTime {
		c.add(rDASHTemplate, tl, "@media uses both $Number$ and $Time$")
	}
	starts, durs, ok := c.timeline(dp, r, chain)
	if !ok {
		return
	}
	if !hasNumber && !hasTime && len(starts) > 1 {
		c.add(rDASHTemplate, tl, "@media %q has neither $Number$ nor $Time$: every segment has the same URL", media)
		return
	}
	startNumber := uint64(1)
	if v, ok := segAttr(chain, "startNumber"); ok {
		if n, err := strconv.ParseUint(v, 10, 32); err == nil {
			startNumber = n // else reported by the schema check
		}
	}
	ts := float64(r.timescale)
	for i := range starts {
		vars.Number, vars.Time, vars.HasNumber = startNumber+uint64(i), starts[i], true
		u, err := manifest.ExpandTemplate(media, vars)
		if err != nil {
			c.add(rDASHTemplate, tl, "@media: %v", err)
			return
		}
		sl := Location{File: dp.file, Line: chain[0].line, Path: fmt.Sprintf("%s (segment %d, $Number$=%d, $Time$=%d)", chain[0].path, i+1, vars.Number, starts[i])}
		name, ok := c.resolve(sl, "segment", base, u)
		if !ok {
			if i == 0 {
				continue
			}
			return // one escape finding per Representation is enough
		}
		t.segs = append(t.segs, segRef{name: name, from: sl, start: float64(starts[i]) / ts, dur: float64(durs[i]) / ts})
	}
}

func (c *checker) initElement(dp *dashPackage, t *trackRef, base string, in *xnode) {
	il := Location{File: dp.file, Line: in.line, Path: in.path}
	name := base
	if src, ok := in.attr("sourceURL"); ok {
		n, ok := c.resolve(il, "Initialization", base, src)
		if !ok {
			return
		}
		name = n
	}
	if v, ok := in.attr("range"); ok {
		rng, err := parseRange(v)
		if err != nil {
			c.add(rRefByteRange, il, "Initialization@range %q: %v", v, err)
			return
		}
		t.initRng = rng
	}
	t.initName = name
}

func (c *checker) listSegments(dp *dashPackage, r *dashRep, t *trackRef, base string, chain []*xnode) {
	c.timing(r, chain)
	if in := segKid(chain, "Initialization"); in != nil {
		c.initElement(dp, t, base, in)
	}
	urls := chain[0].kids("SegmentURL")
	starts, durs, ok := c.timeline(dp, r, chain)
	ts := float64(r.timescale)
	for i, u := range urls {
		ul := Location{File: dp.file, Line: u.line, Path: u.path}
		name := base
		if m, ok := u.attr("media"); ok {
			n, ok := c.resolve(ul, "SegmentURL", base, m)
			if !ok {
				continue
			}
			name = n
		}
		s := segRef{name: name, from: ul}
		if v, ok := u.attr("mediaRange"); ok {
			rng, err := parseRange(v)
			if err != nil {
				c.add(rRefByteRange, ul, "SegmentURL@mediaRange %q: %v", v, err)
				continue
			}
			s.rng = rng
		}
		if ok && i < len(starts) {
			s.start, s.dur = float64(starts[i])/ts, float64(durs[i])/ts
		}
		t.segs = append(t.segs, s)
	}
}

// baseSegments handles SegmentBase (and a bare BaseURL): one file whose
// segments are listed by its sidx.
func (c *checker) baseSegments(dp *dashPackage, r *dashRep, t *trackRef, base string, chain []*xnode) {
	loc := Location{File: dp.file, Line: r.node.line, Path: r.node.path}
	if base == "" || strings.HasSuffix(base, "/") {
		c.add(rDASHAddressing, loc, "SegmentBase without a BaseURL naming the media file")
		return
	}
	c.timing(r, chain)
	if t.plain != "" {
		// One plain file for the whole Period: a side-car WebVTT file.
		t.segs = append(t.segs, segRef{name: base, from: loc, dur: r.period.dur})
		return
	}
	t.initName = base
	if in := segKid(chain, "Initialization"); in != nil {
		c.initElement(dp, t, base, in)
	}
	if t.initRng.n == 0 {
		t.headerOnly = true
	}
	var idx byteRange
	if v, ok := segAttr(chain, "indexRange"); ok {
		rng, err := parseRange(v)
		if err != nil {
			c.add(rRefByteRange, loc, "@indexRange %q: %v", v, err)
			return
		}
		idx = rng
	}
	r.sidx = c.readSidx(loc, base, idx, t.initRng)
	if r.sidx == nil {
		return
	}
	ts := float64(r.sidx.timescale)
	for i, ref := range r.sidx.refs {
		t.segs = append(t.segs, segRef{
			name: base, rng: byteRange{off: ref.off, n: ref.size},
			from:  Location{File: c.src.display(base), Box: fmt.Sprintf("sidx reference %d", i+1), Offset: r.sidx.at},
			start: float64(ref.start) / ts, dur: float64(ref.dur) / ts,
		})
	}
	r.timescale, r.pto = uint64(r.sidx.timescale), 0
}

// reps yields every Representation of the MPD, period by period.
func (dp *dashPackage) reps() iter.Seq[*dashRep] {
	return func(yield func(*dashRep) bool) {
		for _, p := range dp.periods {
			for _, s := range p.sets {
				for _, r := range s.reps {
					if !yield(r) {
						return
					}
				}
			}
		}
	}
}

// tracks lists the tracks of the MPD.
func (dp *dashPackage) tracks() []*trackRef {
	var out []*trackRef
	for r := range dp.reps() {
		if r.track != nil {
			out = append(out, r.track)
		}
	}
	return out
}

// plainTracks lists the side-car WebVTT and thumbnail tracks of the MPD.
func (dp *dashPackage) plainTracks() []*plainTrack {
	var out []*plainTrack
	for r := range dp.reps() {
		if r.plain != nil {
			out = append(out, r.plain)
		}
	}
	return out
}

// checkDASHMedia compares the MPD with the media once it is loaded.
func (c *checker) checkDASHMedia(dp *dashPackage) {
	for _, p := range dp.periods {
		for _, set := range p.sets {
			for _, r := range set.reps {
				switch {
				case r.plain != nil && r.plain.mime == mimeWebVTT:
					c.checkVTTTiming(r.plain, 0, false)
				case r.plain != nil:
					c.checkThumbnails(r.plain, p.dur)
				case r.track == nil || r.track.init == nil:
				default:
					c.checkTrackMedia(r.track)
					c.checkRepresentation(dp, r)
				}
			}
			c.checkSetAlignment(dp, set)
		}
	}
}

func (c *checker) checkRepresentation(dp *dashPackage, r *dashRep) {
	t := r.track
	in := t.init
	loc := Location{File: dp.file, Line: r.node.line, Path: r.node.path}

	// @codecs and the media attributes (§5.3.7.2).
	if codecs, ok := r.inherited("codecs"); ok && in.codec != "" {
		if d := splitCodecs(codecs); len(d) != 1 || !codecMatches(d[0], in.codec) {
			c.add(rDASHCodecs, loc, "@codecs=%q, the sample entry is %s", codecs, in.codec)
		}
	}
	if in.kind == kindVideo {
		for _, a := range []struct {
			name string
			want int
		}{{"width", in.width}, {"height", in.height}} {
			if v, ok := r.inherited(a.name); ok {
				if n, err := strconv.Atoi(v); err == nil && n != a.want {
					c.add(rDASHMediaAttrs, loc, "@%s=%d, the video sample entry says %d", a.name, n, a.want)
				}
			}
		}
		if v, ok := r.inherited("frameRate"); ok {
			if fd := t.frameDur(); fd > 0 {
				if rate, ok := parseFrameRate(v); ok && math.Abs(rate-1/fd) > 0.01*rate {
					c.add(rDASHMediaAttrs, loc, "@frameRate=%s, the samples are %.3f frames per second", v, 1/fd)
				}
			}
		}
	}
	if in.kind == kindAudio && in.rate > 0 {
		if v, ok := r.inherited("audioSamplingRate"); ok {
			if n, err := strconv.Atoi(strings.Fields(v + " x")[0]); err == nil && n != in.rate {
				c.add(rDASHMediaAttrs, loc, "@audioSamplingRate=%s, the audio sample entry says %d Hz", v, in.rate)
			}
		}
	}
	if mt, ok := r.inherited("mimeType"); ok {
		want := map[trackKind]string{kindVideo: "video/mp4", kindAudio: "audio/mp4"}[in.kind]
		if want != "" && !strings.EqualFold(strings.TrimSpace(strings.Split(mt, ";")[0]), want) {
			c.add(rDASHMediaAttrs, loc, "@mimeType=%q for a %s track (%s)", mt, in.kind, want)
		}
	}
	if ct, ok := r.set.node.attr("contentType"); ok && (in.kind == kindVideo || in.kind == kindAudio) && ct != in.kind.String() {
		c.add(rDASHMediaAttrs, Location{File: dp.file, Line: r.set.node.line, Path: r.set.node.path}, "@contentType=%q for a %s track", ct, in.kind)
	}

	// Segment timing against the media (§5.3.9.6).
	frame := t.maxFrameDur()
	tol := math.Max(frame, 0.001) + 1/float64(r.timescale)
	reported := 0
	for i, s := range t.segs {
		if !t.usable(i) || s.media.broken || reported >= 10 {
			continue
		}
		ts := float64(in.timescale)
		tfdt := float64(s.media.start) / ts
		ept := float64(int64(s.media.start)+s.media.minCTO) / ts
		if math.Abs(tfdt-s.start) > tol && math.Abs(ept-s.start) > tol {
			c.add(rDASHTimelineMedia, s.from, "the MPD puts segment %d at %.3f s (media time), its tfdt says %.3f s", i+1, s.start, tfdt)
			reported++
			continue
		}
		if md := t.mediaDur(s.media); math.Abs(md-s.dur) > tol {
			c.add(rDASHTimelineMedia, s.from, "the MPD gives segment %d %.3f s, its samples last %.3f s", i+1, s.dur, md)
			reported++
		}
	}
	if r.sidx == nil && len(t.segs) > 0 && r.period.dur > 0 && !dp.dynamic {
		last := t.segs[len(t.segs)-1]
		end := last.start + last.dur - float64(r.pto)/float64(r.timescale)
		if tolTotal := 2*math.Max(frame, t.frameDur()) + 0.001; math.Abs(end-r.period.dur) > tolTotal {
			c.add(rDASHTimelineTotal, loc, "the segments end at %.3f s, the Period lasts %.3f s (tolerance %.3f s)", end, r.period.dur, tolTotal)
		}
	}
	if r.sidx != nil {
		c.checkSidx(r)
	}

	// Segments start with a SAP when @startWithSAP says so.
	if v, ok := r.inherited("startWithSAP"); ok && (v == "1" || v == "2" || v == "3") {
		for i, s := range t.segs {
			if t.usable(i) && s.media.samples > 0 && !s.media.sync {
				c.add(rDASHStartWithSAP, s.from, "@startWithSAP=%s but segment %d (%s) starts with a non-sync sample", v, i+1, c.src.display(s.name))
				break
			}
		}
	}
	c.checkDASHBandwidth(dp, r, loc)
	c.checkContentProtection(dp, r, loc)
	if in.kind == kindText {
		c.checkTextSpans(t, true)
		c.checkDASHTextLanguage(r, loc)
	}
}

func parseFrameRate(v string) (float64, bool) {
	n, d, found := strings.Cut(v, "/")
	num, err1 := strconv.ParseFloat(n, 64)
	den := 1.0
	var err2 error
	if found {
		den, err2 = strconv.ParseFloat(d, 64)
	}
	if err1 != nil || err2 != nil || den == 0 || num <= 0 {
		return 0, false
	}
	return num / den, true
}

// checkDASHBandwidth checks @bandwidth with @minBufferTime (§5.3.5.2):
// delivered at @bandwidth from any segment start, after minBufferTime of
// buffering, every later segment must have arrived by the end of its
// playout. The needed rate is the largest bits(i..j) / (minBufferTime +
// end_j - start_i); too low a @bandwidth is an error.
func (c *checker) checkDASHBandwidth(dp *dashPackage, r *dashRep, loc Location) {
	t := r.track
	bwStr, ok := r.node.attr("bandwidth")
	bw, err := strconv.ParseFloat(bwStr, 64)
	if !ok || err != nil || dp.minBuffer < 0 {
		return
	}
	n := len(t.segs)
	if n == 0 || n > 20000 {
		return
	}
	bits := make([]float64, n+1)
	for i, s := range t.segs {
		if s.media == nil || !s.media.ok {
			return
		}
		bits[i+1] = bits[i] + float64(s.media.size)*8
	}
	// Feasibility at the declared rate in one pass: for every j, the
	// worst i ≤ j is the smallest bits(<i) - bw*start_i seen so far.
	startAt := func(i int) float64 { return t.segs[i].start }
	endAt := func(j int) float64 { return t.segs[j].start + t.segs[j].dur }
	ok, low := true, math.Inf(1)
	for j := 0; j < n && ok; j++ {
		low = math.Min(low, bits[j]-bw*0.999*startAt(j))
		ok = bits[j+1]-bw*0.999*endAt(j)-low <= bw*0.999*dp.minBuffer
	}
	if ok {
		return
	}
	var need float64
	for i := 0; i < n; i++ {
		for j := i; j < n; j++ {
			span := dp.minBuffer + endAt(j) - startAt(i)
			if span <= 0 {
				continue
			}
			need = max(need, (bits[j+1]-bits[i])/span)
		}
	}
	if bw < need*0.999 {
		c.add(rDASHBandwidth, loc, "@bandwidth=%s, but delivering the segments in time with minBufferTime %.3f s needs %.0f bit/s", bwStr, dp.minBuffer, need)
	}
}

// checkSetAlignment checks segmentAlignment="true" against the segments'
// start times.
func (c *checker) checkSetAlignment(dp *dashPackage, set *dashSet) {
	v, _ := set.node.attr("segmentAlignment")
	if v != "true" && v != "1" {
		return
	}
	var ref *trackRef
	var refID string
	for _, r := range set.reps {
		if r.track == nil {
			continue
		}
		if ref == nil {
			ref, refID = r.track, r.id
			continue
		}
		if msg := alignment(ref, r.track); msg != "" {
			c.add(rDASHAlignment, Location{File: dp.file, Line: r.node.line, Path: r.node.path}, "segmentAlignment=\"true\", but not aligned with Representation %q: %s", refID, msg)
		}
	}
}

const mp4ProtectionScheme = "urn:mpeg:dash:mp4protection:2011"

// checkContentProtection checks the ContentProtection descriptors of r
// (and its AdaptationSet) against tenc and the pssh they carry.
func (c *checker) checkContentProtection(dp *dashPackage, r *dashRep, loc Location) {
	in := r.track.init
	cps := append(r.set.node.kids("ContentProtection"), r.node.kids("ContentProtection")...)
	if !in.encrypted() {
		if len(cps) > 0 {
			c.add(rDASHCPMissing, loc, "ContentProtection on a Representation whose media is not encrypted")
		}
		return
	}
	if len(cps) == 0 {
		c.add(rDASHCPMissing, loc, "the media is encrypted (%s) but no ContentProtection applies", in.scheme)
		return
	}
	var mp4p *xnode
	for _, cp := range cps {
		scheme, _ := cp.attr("schemeIdUri")
		cl := Location{File: dp.file, Line: cp.line, Path: cp.path}
		if strings.EqualFold(scheme, mp4ProtectionScheme) {
			mp4p = cp
			if v, ok := cp.attr("value"); ok && in.scheme != "" && v != in.scheme {
				c.add(rDASHCPDefaultKID, cl, "mp4protection @value=%q, the media uses %s", v, in.scheme)
			}
			continue
		}
		sys, ok := strings.CutPrefix(strings.ToLower(scheme), "urn:uuid:")
		if !ok {
			continue
		}
		for _, ch := range cp.children {
			if ch.name.Space == nsCENC && ch.name.Local == "pssh" {
				raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(ch.text))
				if err != nil {
					c.add(rDASHCPPssh, cl, "cenc:pssh is not base64: %v", err)
					continue
				}
				boxes, err := decodePsshs(raw)
				if err != nil {
					c.add(rDASHCPPssh, cl, "cenc:pssh: %v", err)
					continue
				}
				for _, b := range boxes {
					pi := psshFromBox(b)
					c.registerPssh(in, pi)
					if uuidString(pi.system) != sys {
						c.add(rDASHCPPssh, cl, "cenc:pssh is for system %s, the ContentProtection for %s", uuidString(pi.system), sys)
					}
					if kids := psshKIDs(b); len(kids) > 0 && in.tenc != nil && !containsKID(kids, in.tenc.kid) {
						c.add(rDASHCPPssh, cl, "cenc:pssh lists KIDs %s, not the tenc default_KID %s", kidList(kids), uuidString(in.tenc.kid))
					}
				}
			}
			if ch.name.Space == nsPR && ch.name.Local == "pro" {
				raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(ch.text))
				if err != nil {
					c.add(rDASHCPPssh, cl, "mspr:pro is not base64: %v", err)
					continue
				}
				c.registerPssh(in, psshInfo{system: systemPlayReady})
				kids, err := playReadyKIDs(raw)
				if err != nil {
					c.add(rDASHCPPssh, cl, "mspr:pro: %v", err)
				} else if len(kids) > 0 && in.tenc != nil && !containsKID(kids, in.tenc.kid) {
					c.add(rDASHCPPssh, cl, "mspr:pro lists KIDs %s, not the tenc default_KID %s (PlayReady GUIDs are little-endian in their first three fields)", kidList(kids), uuidString(in.tenc.kid))
				}
			}
		}
	}
	if mp4p == nil {
		c.add(rDASHCPDefaultKID, loc, "no ContentProtection with schemeIdUri %q and cenc:default_KID", mp4ProtectionScheme)
		return
	}
	if in.tenc == nil {
		return
	}
	ml := Location{File: dp.file, Line: mp4p.line, Path: mp4p.path}
	kid, ok := mp4p.attrNS(nsCENC, "default_KID")
	if !ok {
		c.add(rDASHCPDefaultKID, ml, "mp4protection ContentProtection without cenc:default_KID (tenc has %s)", uuidString(in.tenc.kid))
		return
	}
	if !strings.EqualFold(strings.TrimSpace(kid), uuidString(in.tenc.kid)) {
		c.add(rDASHCPDefaultKID, ml, "cenc:default_KID %s, the tenc default_KID is %s", kid, uuidString(in.tenc.kid))
	}
}
