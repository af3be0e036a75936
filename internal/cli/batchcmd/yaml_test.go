package batchcmd

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// parseYAML reads the YAML subset the deploy examples use, so that a test
// can check them without a YAML module: documents separated by "---",
// block mappings and sequences (also a mapping that starts on a "- " line),
// plain, single- and double-quoted scalars, flow sequences of scalars
// ([1, 2]), block scalars (| and >, with - or +), and comments. Scalars stay
// strings. Anything else is an error, so an example that drifts outside
// the subset fails loudly rather than being misread.
func parseYAML(src string) ([]any, error) {
	var docs []any
	var cur []yamlLine
	flush := func() error {
		p := &yamlParser{lines: cur}
		v, err := p.node(0)
		if err != nil {
			return err
		}
		if p.skip(); p.i < len(p.lines) {
			l := p.lines[p.i]
			return fmt.Errorf("line %d: unexpected %q (indentation?)", l.num, l.text)
		}
		if v != nil {
			docs = append(docs, v)
		}
		cur = nil
		return nil
	}
	for n, raw := range strings.Split(strings.ReplaceAll(src, "\r\n", "\n"), "\n") {
		if strings.TrimRight(raw, " ") == "---" {
			if err := flush(); err != nil {
				return nil, err
			}
			continue
		}
		if strings.Contains(raw, "\t") && strings.TrimLeft(raw, " ") != strings.TrimLeft(raw, " \t") {
			return nil, fmt.Errorf("line %d: tab in indentation", n+1)
		}
		text := strings.TrimLeft(raw, " ")
		cur = append(cur, yamlLine{num: n + 1, indent: len(raw) - len(text), text: text, raw: raw})
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return docs, nil
}

type yamlLine struct {
	num, indent int
	text, raw   string // text: without indentation; comments are stripped when read
}

type yamlParser struct {
	lines []yamlLine
	i     int
}

// content is a line without its comment; "" for blank and comment lines.
func (l yamlLine) content() string {
	return strings.TrimRight(stripComment(l.text), " ")
}

// stripComment cuts a " #" comment outside quotes.
func stripComment(s string) string {
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			if i == 0 || s[i-1] == ' ' || s[i-1] == '[' || s[i-1] == ',' {
				quote = c
			}
		case c == '#' && (i == 0 || s[i-1] == ' '):
			return s[:i]
		}
	}
	return s
}

// skip moves past blank and comment lines.
func (p *yamlParser) skip() {
	for p.i < len(p.lines) && p.lines[p.i].content() == "" {
		p.i++
	}
}

// node parses the block at the current line, whose indentation must be at
// least min; nil when there is none.
func (p *yamlParser) node(min int) (any, error) {
	p.skip()
	if p.i >= len(p.lines) || p.lines[p.i].indent < min {
		return nil, nil
	}
	l := p.lines[p.i]
	if c := l.content(); c == "-" || strings.HasPrefix(c, "- ") {
		return p.sequence(l.indent)
	}
	if _, _, ok := splitKey(l.content()); ok {
		return p.mapping(l.indent)
	}
	p.i++
	return scalar(l.content(), l.num)
}

func (p *yamlParser) sequence(indent int) (any, error) {
	var out []any
	for {
		p.skip()
		if p.i >= len(p.lines) {
			return out, nil
		}
		l := p.lines[p.i]
		c := l.content()
		if l.indent != indent || c != "-" && !strings.HasPrefix(c, "- ") {
			if l.indent > indent {
				return nil, fmt.Errorf("line %d: bad indentation in a sequence", l.num)
			}
			return out, nil
		}
		rest := strings.TrimLeft(strings.TrimPrefix(l.text, "-"), " ")
		if strings.TrimSpace(stripComment(rest)) == "" {
			p.i++
			v, err := p.node(indent + 1)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
			continue
		}
		// "- key: value" starts a mapping indented at the item's content;
		// "- scalar" is one line. Reparse the line as that content.
		p.lines[p.i] = yamlLine{num: l.num, indent: indent + len(l.text) - len(rest), text: rest, raw: l.raw}
		v, err := p.node(indent + 1)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
}

func (p *yamlParser) mapping(indent int) (any, error) {
	out := make(map[string]any)
	for {
		p.skip()
		if p.i >= len(p.lines) {
			return out, nil
		}
		l := p.lines[p.i]
		if l.indent < indent {
			return out, nil
		}
		if l.indent > indent {
			return nil, fmt.Errorf("line %d: bad indentation in a mapping", l.num)
		}
		key, val, ok := splitKey(l.content())
		if !ok {
			return out, nil // a sequence item of the parent at the same indentation
		}
		if _, dup := out[key]; dup {
			return nil, fmt.Errorf("line %d: duplicate key %q", l.num, key)
		}
		p.i++
		switch {
		case val == "":
			p.skip()
			// A sequence may sit at the key's own indentation.
			if p.i < len(p.lines) && p.lines[p.i].indent == indent && strings.HasPrefix(p.lines[p.i].content(), "-") {
				v, err := p.sequence(indent)
				if err != nil {
					return nil, err
				}
				out[key] = v
				continue
			}
			v, err := p.node(indent + 1)
			if err != nil {
				return nil, err
			}
			out[key] = v
		case val[0] == '|' || val[0] == '>':
			out[key] = p.blockScalar(indent, val)
		default:
			v, err := scalar(val, l.num)
			if err != nil {
				return nil, err
			}
			out[key] = v
		}
	}
}

// blockScalar reads the lines indented past indent.
func (p *yamlParser) blockScalar(indent int, header string) string {
	var lines []string
	min := -1
	for ; p.i < len(p.lines); p.i++ {
		l := p.lines[p.i]
		if strings.TrimSpace(l.raw) == "" {
			lines = append(lines, "")
			continue
		}
		if l.indent <= indent {
			break
		}
		if min < 0 {
			min = l.indent
		}
		lines = append(lines, l.raw[min:])
	}
	for len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	sep := "\n"
	if header[0] == '>' {
		sep = " "
	}
	s := strings.Join(lines, sep)
	if !strings.Contains(header, "-") {
		s += "\n"
	}
	return s
}

// splitKey splits "key: value" (key plain or quoted).
func splitKey(s string) (key, val string, ok bool) {
	if s == "" || s[0] == '[' || s[0] == '{' {
		return "", "", false
	}
	if s[0] == '"' || s[0] == '\'' {
		end := strings.IndexByte(s[1:], s[0])
		if end < 0 || !strings.HasPrefix(s[end+2:], ":") {
			return "", "", false
		}
		return s[1 : end+1], strings.TrimSpace(s[end+3:]), true
	}
	for i := 0; i < len(s); i++ {
		if s[i] == ':' && (i+1 == len(s) || s[i+1] == ' ') {
			return strings.TrimSpace(s[:i]), strings.TrimSpace(s[i+1:]), true
		}
	}
	return "", "", false
}

// scalar reads a one-line value: quoted, a flow sequence or plain.
func scalar(s string, num int) (any, error) {
	switch {
	case strings.HasPrefix(s, `"`):
		if len(s) < 2 || !strings.HasSuffix(s, `"`) {
			return nil, fmt.Errorf("line %d: unterminated string %s", num, s)
		}
		v, err := strconv.Unquote(s)
		if err != nil {
			return nil, fmt.Errorf("line %d: %s: %v", num, s, err)
		}
		return v, nil
	case strings.HasPrefix(s, "'"):
		if len(s) < 2 || !strings.HasSuffix(s, "'") {
			return nil, fmt.Errorf("line %d: unterminated string %s", num, s)
		}
		return strings.ReplaceAll(s[1:len(s)-1], "''", "'"), nil
	case strings.HasPrefix(s, "["):
		if !strings.HasSuffix(s, "]") {
			return nil, fmt.Errorf("line %d: unterminated flow sequence %s", num, s)
		}
		var out []any
		inner := strings.TrimSpace(s[1 : len(s)-1])
		if inner == "" {
			return out, nil
		}
		for _, el := range strings.Split(inner, ",") {
			v, err := scalar(strings.TrimSpace(el), num)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case strings.HasPrefix(s, "{"), strings.HasPrefix(s, "&"), strings.HasPrefix(s, "*"), strings.HasPrefix(s, "!"):
		return nil, fmt.Errorf("line %d: %q is outside the YAML subset the deploy test reads", num, s)
	}
	return s, nil
}

func TestParseYAML(t *testing.T) {
	src := `# comment
a: 1
b:
  c: "x # not a comment"  # comment
  d: [1, 'two', "3"]
list:
- one
- k: v
  k2: v2
-
  nested: true
text: |
  line 1
    line 2
after: 'it''s'
---
second: doc
`
	got, err := parseYAML(src)
	if err != nil {
		t.Fatal(err)
	}
	want := []any{
		map[string]any{
			"a": "1",
			"b": map[string]any{"c": "x # not a comment", "d": []any{"1", "two", "3"}},
			"list": []any{
				"one",
				map[string]any{"k": "v", "k2": "v2"},
				map[string]any{"nested": "true"},
			},
			"text":  "line 1\n  line 2\n",
			"after": "it's",
		},
		map[string]any{"second": "doc"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	for _, bad := range []string{"a: 1\n  b: 2\n", "a: {x: 1}\n", "a: \"open\n", "a: 1\na: 2\n"} {
		if _, err := parseYAML(bad); err == nil {
			t.Errorf("parseYAML(%q) succeeded, want an error", bad)
		}
	}
}
