package validate

import (
	"math"
	"regexp"
	"strconv"
	"strings"
)

// The structural part of the MPD schema (ISO/IEC 23009-1 DASH-MPD.xsd),
// checked in Go so that it runs without xmllint: which DASH elements may
// appear in which, the attributes of the main elements with their types,
// and the required ones. Element order (xs:sequence) is left to xmllint.

type xsType int

const (
	xsString  xsType = iota
	xsUint           // xs:unsignedInt
	xsUlong          // xs:unsignedLong
	xsInteger        // xs:integer
	xsBool
	xsDuration
	xsDateTime
	xsDouble
	xsFrameRate
	xsRatio
	xsSAP
	xsRange // SingleRFC7233RangeType
	xsNoWS  // StringNoWhitespaceType
	xsPresentation
	xsContentType
	xsAudioRate
	xsVideoScan
	xsUintVector
)

type elemDef struct {
	children []string
	attrs    map[string]xsType
	required []string
}

var (
	descriptorAttrs = map[string]xsType{"schemeIdUri": xsString, "value": xsString, "id": xsString}
	segBaseAttrs    = map[string]xsType{
		"timescale": xsUint, "eptDelta": xsInteger, "pdDelta": xsInteger, "presentationTimeOffset": xsUlong,
		"presentationDuration": xsUlong, "timeShiftBufferDepth": xsDuration, "indexRange": xsRange,
		"indexRangeExact": xsBool, "availabilityTimeOffset": xsDouble, "availabilityTimeComplete": xsBool,
	}
	multiSegAttrs = merge(segBaseAttrs, map[string]xsType{"duration": xsUint, "startNumber": xsUint, "endNumber": xsUint})
	repBaseAttrs  = map[string]xsType{
		"profiles": xsString, "width": xsUint, "height": xsUint, "sar": xsRatio, "frameRate": xsFrameRate,
		"audioSamplingRate": xsAudioRate, "mimeType": xsString, "segmentProfiles": xsString, "codecs": xsString,
		"containerProfiles": xsString, "maximumSAPPeriod": xsDouble, "startWithSAP": xsSAP, "maxPlayoutRate": xsDouble,
		"codingDependency": xsBool, "scanType": xsVideoScan, "selectionPriority": xsUint, "tag": xsString,
	}
	repBaseChildren = []string{"FramePacking", "AudioChannelConfiguration", "ContentProtection", "OutputProtection",
		"EssentialProperty", "SupplementalProperty", "InbandEventStream", "Switching", "RandomAccess", "GroupLabel",
		"Label", "ProducerReferenceTime", "ContentPopularityRate", "Resync"}
)

var mpdSchema = map[string]elemDef{
	"MPD": {
		children: []string{"ProgramInformation", "BaseURL", "Location", "PatchLocation", "ServiceDescription",
			"InitializationSet", "InitializationGroup", "InitializationPresentation", "ContentProtection", "Period",
			"Metrics", "EssentialProperty", "SupplementalProperty", "UTCTiming", "LeapSecondInformation"},
		attrs: map[string]xsType{"id": xsString, "profiles": xsString, "type": xsPresentation,
			"availabilityStartTime": xsDateTime, "availabilityEndTime": xsDateTime, "publishTime": xsDateTime,
			"mediaPresentationDuration": xsDuration, "minimumUpdatePeriod": xsDuration, "minBufferTime": xsDuration,
			"timeShiftBufferDepth": xsDuration, "suggestedPresentationDelay": xsDuration, "maxSegmentDuration": xsDuration,
			"maxSubsegmentDuration": xsDuration},
		required: []string{"profiles", "minBufferTime"},
	},
	"Period": {
		children: []string{"BaseURL", "SegmentBase", "SegmentList", "SegmentTemplate", "AssetIdentifier", "EventStream",
			"ServiceDescription", "ContentProtection", "AdaptationSet", "Subset", "SupplementalProperty",
			"EmptyAdaptationSet", "GroupLabel", "Preselection"},
		attrs: map[string]xsType{"id": xsString, "start": xsDuration, "duration": xsDuration, "bitstreamSwitching": xsBool},
	},
	"AdaptationSet": {
		children: append([]string{"Accessibility", "Role", "Rating", "Viewpoint", "ContentComponent", "BaseURL",
			"SegmentBase", "SegmentList", "SegmentTemplate", "Representation"}, repBaseChildren...),
		attrs: merge(repBaseAttrs, map[string]xsType{"id": xsUint, "group": xsUint, "lang": xsString,
			"contentType": xsContentType, "par": xsRatio, "minBandwidth": xsUint, "maxBandwidth": xsUint,
			"minWidth": xsUint, "maxWidth": xsUint, "minHeight": xsUint, "maxHeight": xsUint,
			"minFrameRate": xsFrameRate, "maxFrameRate": xsFrameRate, "segmentAlignment": xsBool,
			"subsegmentAlignment": xsBool, "subsegmentStartsWithSAP": xsSAP, "bitstreamSwitching": xsBool,
			"initializationSetRef": xsUintVector, "initializationPrincipal": xsString}),
	},
	"Representation": {
		children: append([]string{"BaseURL", "ExtendedBandwidth", "SubRepresentation", "SegmentBase", "SegmentList",
			"SegmentTemplate"}, repBaseChildren...),
		attrs: merge(repBaseAttrs, map[string]xsType{"id": xsNoWS, "bandwidth": xsUint, "qualityRanking": xsUint,
			"dependencyId": xsString, "associationId": xsString, "associationType": xsString,
			"mediaStreamStructureId": xsString}),
		required: []string{"id", "bandwidth"},
	},
	"SubRepresentation": {
		children: repBaseChildren,
		attrs: merge(repBaseAttrs, map[string]xsType{"level": xsUint, "dependencyLevel": xsUintVector,
			"bandwidth": xsUint, "contentComponent": xsString}),
	},
	"SegmentBase":     {children: []string{"Initialization", "RepresentationIndex", "FailoverContent"}, attrs: segBaseAttrs},
	"SegmentList":     {children: []string{"Initialization", "RepresentationIndex", "FailoverContent", "SegmentTimeline", "BitstreamSwitching", "SegmentURL"}, attrs: multiSegAttrs},
	"SegmentTemplate": {children: []string{"Initialization", "RepresentationIndex", "FailoverContent", "SegmentTimeline", "BitstreamSwitching"}, attrs: merge(multiSegAttrs, map[string]xsType{"media": xsString, "index": xsString, "initialization": xsString, "bitstreamSwitching": xsString})},
	"SegmentTimeline": {children: []string{"S"}, attrs: map[string]xsType{}},
	"S": {
		attrs:    map[string]xsType{"t": xsUlong, "n": xsUlong, "d": xsUlong, "r": xsInteger, "k": xsUlong},
		required: []string{"d"},
	},
	"SegmentURL":          {attrs: map[string]xsType{"media": xsString, "mediaRange": xsRange, "index": xsString, "indexRange": xsRange}},
	"Initialization":      {attrs: map[string]xsType{"sourceURL": xsString, "range": xsRange}},
	"RepresentationIndex": {attrs: map[string]xsType{"sourceURL": xsString, "range": xsRange}},
	"BaseURL": {attrs: map[string]xsType{"serviceLocation": xsString, "byteRange": xsString,
		"availabilityTimeOffset": xsDouble, "availabilityTimeComplete": xsBool, "timeShiftBufferDepth": xsDuration,
		"rangeAccess": xsBool}},
	"ContentProtection":         {attrs: merge(descriptorAttrs, map[string]xsType{"robustness": xsNoWS, "refId": xsString, "ref": xsString}), required: []string{"schemeIdUri"}},
	"Role":                      {attrs: descriptorAttrs, required: []string{"schemeIdUri"}},
	"Accessibility":             {attrs: descriptorAttrs, required: []string{"schemeIdUri"}},
	"Rating":                    {attrs: descriptorAttrs, required: []string{"schemeIdUri"}},
	"Viewpoint":                 {attrs: descriptorAttrs, required: []string{"schemeIdUri"}},
	"EssentialProperty":         {attrs: descriptorAttrs, required: []string{"schemeIdUri"}},
	"SupplementalProperty":      {attrs: descriptorAttrs, required: []string{"schemeIdUri"}},
	"AudioChannelConfiguration": {attrs: descriptorAttrs, required: []string{"schemeIdUri"}},
	"FramePacking":              {attrs: descriptorAttrs, required: []string{"schemeIdUri"}},
	"UTCTiming":                 {attrs: descriptorAttrs, required: []string{"schemeIdUri"}},
	"Label":                     {attrs: map[string]xsType{"id": xsUint, "lang": xsString}},
	"GroupLabel":                {attrs: map[string]xsType{"id": xsUint, "lang": xsString}},
}

// dashElements are every element name of the DASH namespace: a child not
// allowed by mpdSchema but in this set is misplaced, one outside it is
// unknown.
var dashElements = func() map[string]bool {
	m := map[string]bool{}
	for name, d := range mpdSchema {
		m[name] = true
		for _, c := range d.children {
			m[c] = true
		}
	}
	for _, n := range []string{"Title", "Source", "Copyright", "Event", "Selection", "SelectionInfo", "Scope",
		"Latency", "PlaybackRate", "OperatingQuality", "OperatingBandwidth", "QualityLatency", "ModelPair", "FCS",
		"PR", "Range", "Reporting", "Metrics"} {
		m[n] = true
	}
	return m
}()

func merge(a, b map[string]xsType) map[string]xsType {
	m := make(map[string]xsType, len(a)+len(b))
	for k, v := range a {
		m[k] = v
	}
	for k, v := range b {
		m[k] = v
	}
	return m
}

// checkSchema walks the tree and reports unknown or misplaced elements,
// unknown attributes, missing required attributes and ill-typed values.
func (c *checker) checkSchema(file string, root *xnode) {
	var walk func(n *xnode)
	walk = func(n *xnode) {
		def, known := mpdSchema[n.name.Local]
		loc := Location{File: file, Line: n.line, Path: n.path}
		if known {
			for _, a := range n.attrs {
				if a.Name.Space != "" || a.Name.Local == "xmlns" {
					continue // other namespaces are allowed (xs:anyAttribute ##other)
				}
				typ, ok := def.attrs[a.Name.Local]
				if !ok {
					c.add(rDASHSchema, loc, "%s has no attribute %q", n.name.Local, a.Name.Local)
					continue
				}
				if msg := checkXSValue(typ, a.Value); msg != "" {
					c.add(rDASHSchema, loc, "@%s=%q: %s", a.Name.Local, a.Value, msg)
				}
			}
			for _, r := range def.required {
				if _, ok := n.attr(r); !ok {
					c.add(rDASHSchema, loc, "%s without the required @%s", n.name.Local, r)
				}
			}
		}
		for _, ch := range n.children {
			if ch.name.Space != nsDASH {
				continue // xs:any ##other
			}
			if known && !contains(def.children, ch.name.Local) {
				what := "unknown element"
				if dashElements[ch.name.Local] {
					what = "element not allowed here"
				}
				c.add(rDASHSchema, Location{File: file, Line: ch.line, Path: ch.path}, "%s: %s in %s", what, ch.name.Local, n.name.Local)
				continue
			}
			walk(ch)
		}
	}
	walk(root)
}

var (
	reDuration = regexp.MustCompile(`^-?P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$`)
	reDateTime = regexp.MustCompile(`^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})?$`)
	reRange    = regexp.MustCompile(`^\d+-\d+$`)
	reRatio    = regexp.MustCompile(`^\d+:\d+$`)
	reRate     = regexp.MustCompile(`^\d+(?:/\d+)?$`)
)

// checkXSValue returns what is wrong with v as a value of typ, or "".
func checkXSValue(typ xsType, v string) string {
	switch typ {
	case xsUint, xsUlong:
		bits := 32
		if typ == xsUlong {
			bits = 64
		}
		if _, err := strconv.ParseUint(v, 10, bits); err != nil {
			return "not an unsigned " + strconv.Itoa(bits) + "-bit integer"
		}
	case xsInteger:
		if _, err := strconv.ParseInt(v, 10, 64); err != nil {
			return "not an integer"
		}
	case xsBool:
		if v != "true" && v != "false" && v != "1" && v != "0" {
			return "not a boolean"
		}
	case xsDuration:
		if _, ok := parseXSDuration(v); !ok {
			return "not an xs:duration"
		}
	case xsDateTime:
		if !reDateTime.MatchString(v) {
			return "not an xs:dateTime"
		}
	case xsDouble:
		if _, err := strconv.ParseFloat(v, 64); err != nil && v != "INF" && v != "-INF" && v != "NaN" {
			return "not a double"
		}
	case xsFrameRate:
		if !reRate.MatchString(v) {
			return "not a frame rate (N or N/D)"
		}
	case xsRatio:
		if !reRatio.MatchString(v) {
			return "not a ratio (W:H)"
		}
	case xsSAP:
		if n, err := strconv.Atoi(v); err != nil || n < 0 || n > 6 {
			return "not a SAP type (0 to 6)"
		}
	case xsRange:
		if !reRange.MatchString(v) {
			return "not a byte range (first-last)"
		}
		if _, err := parseRange(v); err != nil {
			return err.Error()
		}
	case xsNoWS:
		if strings.ContainsAny(v, " \t\r\n") || v == "" {
			return "must not be empty or contain white space"
		}
	case xsPresentation:
		if v != "static" && v != "dynamic" {
			return "not static or dynamic"
		}
	case xsContentType:
		if !contains([]string{"text", "image", "audio", "video", "application", "font"}, v) {
			return "not an RFC 6838 top-level type (text, image, audio, video, application, font)"
		}
	case xsAudioRate:
		f := strings.Fields(v)
		if len(f) == 0 || len(f) > 2 {
			return "not one or two sampling rates"
		}
		for _, x := range f {
			if _, err := strconv.ParseUint(x, 10, 32); err != nil {
				return "not one or two sampling rates"
			}
		}
	case xsVideoScan:
		if v != "progressive" && v != "interlaced" && v != "unknown" {
			return "not progressive, interlaced or unknown"
		}
	case xsUintVector:
		for _, x := range strings.Fields(v) {
			if _, err := strconv.ParseUint(x, 10, 32); err != nil {
				return "not a list of unsigned integers"
			}
		}
	}
	return ""
}

// parseXSDuration parses an xs:duration into seconds (years as 365 days,
// months as 30, which MPDs do not use).
func parseXSDuration(v string) (float64, bool) {
	m := reDuration.FindStringSubmatch(v)
	if m == nil || v == "P" || strings.HasSuffix(v, "T") {
		return 0, false
	}
	var s float64
	mult := []float64{365 * 86400, 30 * 86400, 86400, 3600, 60, 1}
	for i, x := range m[1:] {
		if x == "" {
			continue
		}
		f, err := strconv.ParseFloat(x, 64)
		if err != nil || math.IsInf(f, 0) {
			return 0, false
		}
		s += f * mult[i]
	}
	if strings.HasPrefix(v, "-") {
		s = -s
	}
	return s, true
}

// parseRange parses an RFC 7233 "first-last".
func parseRange(s string) (byteRange, error) {
	a, b, ok := strings.Cut(s, "-")
	first, err1 := strconv.ParseInt(a, 10, 64)
	last, err2 := strconv.ParseInt(b, 10, 64)
	if !ok || err1 != nil || err2 != nil || first < 0 || last < first || last >= 1<<62 {
		return byteRange{}, errBadRange
	}
	return byteRange{off: first, n: last - first + 1}, nil
}
