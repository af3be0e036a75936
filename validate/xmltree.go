package validate

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

const (
	nsDASH = "urn:mpeg:dash:schema:mpd:2011"
	nsCENC = "urn:mpeg:cenc:2013"
	nsPR   = "urn:microsoft:playready"
)

// xnode is one element of an MPD, with its line and an XPath-like path
// for findings. The MPD is read into this generic tree with encoding/xml
// rather than dash-mpd's structs, so that every element keeps its line,
// unknown elements and attributes can be reported, and a malformed
// document is a finding, not a hang (dash-mpd's patched decoder loops on
// some inputs, see manifest/dashread.go).
type xnode struct {
	name     xml.Name
	attrs    []xml.Attr
	children []*xnode
	text     string
	line     int
	path     string
	parent   *xnode
}

// attr returns an unqualified attribute.
func (n *xnode) attr(local string) (string, bool) {
	for _, a := range n.attrs {
		if a.Name.Space == "" && a.Name.Local == local {
			return a.Value, true
		}
	}
	return "", false
}

// attrNS returns an attribute in namespace space.
func (n *xnode) attrNS(space, local string) (string, bool) {
	for _, a := range n.attrs {
		if a.Name.Space == space && a.Name.Local == local {
			return a.Value, true
		}
	}
	return "", false
}

// kids returns the DASH children named local.
func (n *xnode) kids(local string) []*xnode {
	var out []*xnode
	for _, c := range n.children {
		if c.name.Space == nsDASH && c.name.Local == local {
			out = append(out, c)
		}
	}
	return out
}

// kid returns the first DASH child named local.
func (n *xnode) kid(local string) *xnode {
	for _, c := range n.children {
		if c.name.Space == nsDASH && c.name.Local == local {
			return c
		}
	}
	return nil
}

// Limits that keep a hostile MPD from exhausting memory.
const (
	maxXMLDepth = 64
	maxXMLNodes = 1 << 20
)

// xmlError is a syntax problem with its line.
type xmlError struct {
	line int
	msg  string
}

func (e *xmlError) Error() string { return fmt.Sprintf("line %d: %s", e.line, e.msg) }

// parseXMLTree reads an XML document into a tree of xnodes.
func parseXMLTree(data []byte) (*xnode, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	var root *xnode
	var stack []*xnode
	nodes := 0
	counts := []map[string]int{{}}
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		line, _ := dec.InputPos()
		if err != nil {
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				return nil, &xmlError{se.Line, se.Msg}
			}
			return nil, &xmlError{line, err.Error()}
		}
		switch t := tok.(type) {
		case xml.StartElement:
			nodes++
			if nodes > maxXMLNodes || len(stack) >= maxXMLDepth {
				return nil, &xmlError{line, "document too large or too deeply nested"}
			}
			n := &xnode{name: t.Name, attrs: t.Attr, line: line}
			seg := t.Name.Local
			if t.Name.Space != nsDASH && t.Name.Space != "" {
				seg = prefixFor(t.Name.Space) + seg
			}
			cm := counts[len(counts)-1]
			cm[seg]++
			idx := cm[seg]
			if id, ok := n.attr("id"); ok && (t.Name.Local == "Representation" || t.Name.Local == "AdaptationSet" || t.Name.Local == "Period") {
				seg += "[@id=" + strconv.Quote(id) + "]"
			} else {
				seg += "[" + strconv.Itoa(idx) + "]"
			}
			if len(stack) == 0 {
				if root != nil {
					return nil, &xmlError{line, "more than one root element"}
				}
				root = n
				n.path = t.Name.Local
			} else {
				parent := stack[len(stack)-1]
				n.parent = parent
				n.path = parent.path + "/" + seg
				parent.children = append(parent.children, n)
			}
			stack = append(stack, n)
			counts = append(counts, map[string]int{})
		case xml.EndElement:
			stack = stack[:len(stack)-1]
			counts = counts[:len(counts)-1]
		case xml.CharData:
			if len(stack) > 0 {
				n := stack[len(stack)-1]
				if len(n.text) < 1<<20 {
					n.text += string(t)
				}
			} else if len(bytes.TrimSpace(t)) > 0 {
				return nil, &xmlError{line, "text outside the root element"}
			}
		case xml.Directive:
			if bytes.Contains(bytes.ToUpper(t), []byte("ENTITY")) {
				return nil, &xmlError{line, "DTD entity declarations are not allowed in an MPD"}
			}
		}
	}
	if root == nil {
		return nil, &xmlError{1, "no root element"}
	}
	return root, nil
}

func prefixFor(space string) string {
	switch space {
	case nsCENC:
		return "cenc:"
	case nsPR:
		return "mspr:"
	case "http://www.w3.org/1999/xlink":
		return "xlink:"
	}
	if i := strings.LastIndexAny(space, ":/"); i >= 0 && i < len(space)-1 {
		return space[i+1:] + ":"
	}
	return "ns:"
}
