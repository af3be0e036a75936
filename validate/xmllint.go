package validate

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"
)

var xmllintLine = regexp.MustCompile(`^-:(\d+): (.*)$`)

// maxXSDFindings bounds what one MPD can add under DASH-XSD.
const maxXSDFindings = 50

// runXMLLint validates an MPD against Options.MPDSchema with xmllint, when
// both are available, and reports each schema error with its line.
func (c *checker) runXMLLint(file string, data []byte) {
	schema := c.opts.MPDSchema
	if schema == "" {
		return
	}
	if _, err := os.Stat(schema); err != nil {
		c.add(rNotChecked, Location{File: file}, "MPD schema %s: %v: xmllint validation skipped", schema, err)
		return
	}
	tool := c.opts.XMLLint
	if tool == "" {
		p, err := exec.LookPath("xmllint")
		if err != nil {
			c.add(rNotChecked, Location{File: file}, "xmllint not found: schema validation skipped (the structural checks in Go ran)")
			return
		}
		tool = p
	}
	ctx, cancel := context.WithTimeout(c.ctx, time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, tool, "--noout", "--nonet", "--schema", schema, "-")
	cmd.Stdin = bytes.NewReader(data)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	if err == nil {
		return
	}
	if c.ctx.Err() != nil {
		return
	}
	n := 0
	for _, line := range strings.Split(stderr.String(), "\n") {
		m := xmllintLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		if n++; n > maxXSDFindings {
			c.add(rDASHXSD, Location{File: file}, "more schema errors not shown")
			return
		}
		ln, _ := strconv.Atoi(m[1])
		c.add(rDASHXSD, Location{File: file, Line: ln}, "%s", m[2])
	}
	if n == 0 {
		c.add(rNotChecked, Location{File: file}, "xmllint failed without schema errors: %v: %s", err, firstLine(stderr.String()))
	}
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}
