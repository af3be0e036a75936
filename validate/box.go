package validate

import (
	"encoding/binary"
	"fmt"
)

// box is one ISOBMFF box (ISO/IEC 14496-12 §4.2) found by the walker:
// its type, where it starts, its total size and header length. Offsets
// are absolute in the file (or range) the box was read from.
type box struct {
	typ    string
	offset int64
	size   int64 // header included
	hdr    int   // 8, 16 (largesize) or more with a uuid
}

func (b box) end() int64 { return b.offset + b.size }

// boxError is a malformed or truncated box, with what the finding needs.
type boxError struct {
	rule   string // rMP4Box or rMP4Truncated
	offset int64
	msg    string
}

func (e *boxError) Error() string { return fmt.Sprintf("%s at byte %d: %s", e.rule, e.offset, e.msg) }

// parseBoxHeader reads the box header at the start of b, found at absolute
// offset off, inside a container that ends at absolute offset end. A size
// of 0 means "to the end of the container". It fails with a *boxError when
// the header is cut short, the size is smaller than the header, or the box
// runs past end.
func parseBoxHeader(b []byte, off, end int64) (box, error) {
	if end-off < 8 || len(b) < 8 {
		return box{}, &boxError{rMP4Truncated, off, fmt.Sprintf("%d bytes left where a box header (8 bytes) belongs", min(end-off, int64(len(b))))}
	}
	size := int64(binary.BigEndian.Uint32(b))
	typ := fourCC(b[4:8])
	hdr := 8
	switch size {
	case 0:
		size = end - off
	case 1:
		if len(b) < 16 || end-off < 16 {
			return box{}, &boxError{rMP4Truncated, off, fmt.Sprintf("%s box: largesize header cut short", typ)}
		}
		large := binary.BigEndian.Uint64(b[8:16])
		if large > 1<<62 {
			return box{}, &boxError{rMP4Box, off, fmt.Sprintf("%s box: largesize %d", typ, large)}
		}
		size, hdr = int64(large), 16
	}
	if typ == "uuid" {
		hdr += 16
	}
	if size < int64(hdr) {
		return box{}, &boxError{rMP4Box, off, fmt.Sprintf("%s box: size %d is smaller than its %d-byte header", typ, size, hdr)}
	}
	bx := box{typ: typ, offset: off, size: size, hdr: hdr}
	if bx.end() > end {
		return bx, &boxError{rMP4Truncated, off, fmt.Sprintf("%s box of %d bytes runs %d bytes past the end (%d)", typ, size, bx.end()-end, end)}
	}
	return bx, nil
}

// fourCC prints a box type, escaping bytes that are not printable ASCII so
// that garbage shows as garbage.
func fourCC(b []byte) string {
	for _, c := range b {
		if c < 0x20 || c > 0x7e {
			return fmt.Sprintf("%q", string(b))
		}
	}
	return string(b)
}

// walkBoxes calls fn for each box in data, which holds the boxes of a
// container body starting at absolute offset base. It stops at the first
// malformed box and returns its *boxError; fn's error stops the walk too.
func walkBoxes(data []byte, base int64, fn func(b box, body []byte) error) error {
	end := base + int64(len(data))
	for off := base; off < end; {
		rel := off - base
		b, err := parseBoxHeader(data[rel:], off, end)
		if err != nil {
			return err
		}
		if err := fn(b, data[rel+int64(b.hdr):rel+b.size]); err != nil {
			return err
		}
		off = b.end()
	}
	return nil
}

// fullBox splits a FullBox body into version, flags and the rest.
func fullBox(body []byte) (version byte, flags uint32, rest []byte, ok bool) {
	if len(body) < 4 {
		return 0, 0, nil, false
	}
	return body[0], uint32(body[1])<<16 | uint32(body[2])<<8 | uint32(body[3]), body[4:], true
}

// reader reads big-endian fields and remembers that it ran out, like
// mp4ff's slice readers: callers check ok once at the end.
type reader struct {
	b   []byte
	bad bool
}

func (r *reader) u8() uint8 {
	if len(r.b) < 1 {
		r.bad = true
		return 0
	}
	v := r.b[0]
	r.b = r.b[1:]
	return v
}

func (r *reader) u16() uint16 {
	if len(r.b) < 2 {
		r.bad, r.b = true, nil
		return 0
	}
	v := binary.BigEndian.Uint16(r.b)
	r.b = r.b[2:]
	return v
}

func (r *reader) u32() uint32 {
	if len(r.b) < 4 {
		r.bad, r.b = true, nil
		return 0
	}
	v := binary.BigEndian.Uint32(r.b)
	r.b = r.b[4:]
	return v
}

func (r *reader) u64() uint64 {
	if len(r.b) < 8 {
		r.bad, r.b = true, nil
		return 0
	}
	v := binary.BigEndian.Uint64(r.b)
	r.b = r.b[8:]
	return v
}

func (r *reader) bytes(n int) []byte {
	if n < 0 || len(r.b) < n {
		r.bad, r.b = true, nil
		return nil
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

func (r *reader) ok() bool { return !r.bad }
