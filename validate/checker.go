package validate

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// checker is the state of one validation: where resources come from, the
// findings so far, and caches so that a resource referenced by both the
// HLS and the DASH manifests is read and checked once.
type checker struct {
	ctx  context.Context
	src  source
	res  resolver
	opts Options

	mu       sync.Mutex
	findings []Finding
	stats    Stats

	inits  map[string]*initInfo  // by refKey
	segs   map[string]*segInfo   // by segKey
	tracks map[string]bool       // media checks done, by trackKey
	plains map[string]*plainFile // WebVTT files and JPEG tiles, by name
	once   onceSet               // findings about shared files already reported

	manifestPssh map[*initInfo]int // pssh found in manifests, by track
}

func newChecker(ctx context.Context, src source, opts Options) *checker {
	c := &checker{
		ctx: ctx, src: src, opts: opts,
		inits:  make(map[string]*initInfo),
		segs:   make(map[string]*segInfo),
		tracks: make(map[string]bool),
		plains: make(map[string]*plainFile),
	}
	c.res = resolver{remote: src.remote()}
	if hs, ok := src.(*httpSource); ok {
		c.res.root = hs.root
	}
	return c
}

// add records a finding of rule at loc. Severity and spec come from the
// catalogue; an unknown rule is itself a finding (a validator bug).
func (c *checker) add(rule string, loc Location, format string, args ...any) {
	r, ok := ruleIndex[rule]
	msg := fmt.Sprintf(format, args...)
	if !ok {
		msg = fmt.Sprintf("unknown rule %q: %s", rule, msg)
		r = ruleIndex[rInternal]
	}
	c.mu.Lock()
	c.findings = append(c.findings, Finding{Rule: r.ID, Severity: r.Severity, Spec: r.Spec, Location: loc, Message: msg})
	c.mu.Unlock()
}

// at is the location of a resource.
func (c *checker) at(name string) Location { return Location{File: c.src.display(name)} }

// readErr reports a failed read of name (referenced from loc) under the
// rule that fits the error, and returns false when ctx was cancelled (the
// caller stops).
func (c *checker) readErr(loc Location, what, name string, err error) {
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded) && c.ctx.Err() != nil:
		return
	case errors.Is(err, errNotFound):
		c.add(rRefMissing, loc, "%s %s cannot be read: %v", what, c.src.display(name), err)
	case errors.Is(err, errTooLarge):
		c.add(rRefTooLarge, loc, "%s %s: %v", what, c.src.display(name), err)
	case errors.Is(err, errEscape):
		c.add(rRefEscape, loc, "%s %s: %v", what, c.src.display(name), err)
	default:
		c.add(rRefMissing, loc, "%s %s cannot be read: %v", what, c.src.display(name), err)
	}
}

// resolve resolves ref found in base and reports (at loc) a URI that
// cannot be followed; ok is false then, and the resource is never read.
func (c *checker) resolve(loc Location, what, base, ref string) (string, bool) {
	name, err := c.res.resolve(base, ref)
	if err != nil {
		switch {
		case errors.Is(err, errEscape):
			c.add(rRefEscape, loc, "%s URI %v", what, err)
		default:
			c.add(rRefInvalid, loc, "%s URI %v", what, err)
		}
		return "", false
	}
	return name, true
}

// guard turns a panic in a check into a finding: bad input must never
// take the caller down, and a validator bug must not hide the rest of the
// report.
func (c *checker) guard(loc Location, what string) {
	if r := recover(); r != nil {
		c.add(rInternal, loc, "%s: panic: %v", what, r)
	}
}
