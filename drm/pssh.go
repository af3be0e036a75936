package drm

import (
	"encoding/binary"
	"fmt"
)

// PSSH is a Protection System Specific Header box (ISO/IEC 23001-7 §8.1):
// what a DRM system needs to request a licence, carried in init segments
// (moov/pssh) and DASH cenc:pssh. Version 1 boxes list the key IDs.
type PSSH struct {
	Version  byte   // 0, or 1 with KIDs
	Flags    uint32 // 24 bits, 0 in every box vpack writes
	SystemID KID
	KIDs     []KID // version 1 only
	Data     []byte
}

// Marshal encodes the box.
func (p PSSH) Marshal() []byte {
	size := 8 + 4 + 16 + 4 + len(p.Data)
	if p.Version > 0 {
		size += 4 + 16*len(p.KIDs)
	}
	b := make([]byte, 0, size)
	b = binary.BigEndian.AppendUint32(b, uint32(size))
	b = append(b, "pssh"...)
	b = binary.BigEndian.AppendUint32(b, uint32(p.Version)<<24|p.Flags&0xffffff)
	b = append(b, p.SystemID[:]...)
	if p.Version > 0 {
		b = binary.BigEndian.AppendUint32(b, uint32(len(p.KIDs)))
		for _, k := range p.KIDs {
			b = append(b, k[:]...)
		}
	}
	b = binary.BigEndian.AppendUint32(b, uint32(len(p.Data)))
	return append(b, p.Data...)
}

// ParsePSSH decodes one pssh box that fills b exactly.
func ParsePSSH(b []byte) (PSSH, error) {
	p, n, err := parsePSSH(b)
	if err != nil {
		return PSSH{}, err
	}
	if n != len(b) {
		return PSSH{}, fmt.Errorf("pssh: %w: %d bytes after the box", ErrMalformed, len(b)-n)
	}
	return p, nil
}

// ParsePSSHs decodes consecutive pssh boxes, as found in a moov or given
// concatenated.
func ParsePSSHs(b []byte) ([]PSSH, error) {
	var out []PSSH
	for len(b) > 0 {
		p, n, err := parsePSSH(b)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
		b = b[n:]
	}
	return out, nil
}

func parsePSSH(b []byte) (PSSH, int, error) {
	bad := func(what string) (PSSH, int, error) {
		return PSSH{}, 0, fmt.Errorf("pssh: %w: %s", ErrMalformed, what)
	}
	if len(b) < 32 {
		return bad("shorter than 32 bytes")
	}
	size := int(binary.BigEndian.Uint32(b))
	if string(b[4:8]) != "pssh" {
		return bad(fmt.Sprintf("box type %q", printable(b[4:8])))
	}
	if size < 32 || size > len(b) {
		return bad(fmt.Sprintf("size %d of %d bytes", size, len(b)))
	}
	p := PSSH{Version: b[8], Flags: binary.BigEndian.Uint32(b[8:]) & 0xffffff}
	if p.Version > 1 {
		return bad(fmt.Sprintf("version %d", p.Version))
	}
	copy(p.SystemID[:], b[12:28])
	pos := 28
	if p.Version == 1 {
		n := int(binary.BigEndian.Uint32(b[pos:]))
		pos += 4
		if n < 0 || n > (size-pos-4)/16 {
			return bad(fmt.Sprintf("%d key IDs do not fit", n))
		}
		for range n {
			var k KID
			copy(k[:], b[pos:pos+16])
			p.KIDs = append(p.KIDs, k)
			pos += 16
		}
	}
	if pos+4 > size {
		return bad("no data size")
	}
	n := int(binary.BigEndian.Uint32(b[pos:]))
	pos += 4
	if n != size-pos {
		return bad(fmt.Sprintf("data size %d, box has %d", n, size-pos))
	}
	p.Data = append([]byte(nil), b[pos:size]...)
	return p, size, nil
}

func printable(b []byte) string {
	out := make([]byte, len(b))
	for i, c := range b {
		if c < 0x20 || c > 0x7e {
			c = '.'
		}
		out[i] = c
	}
	return string(out)
}

// CommonPSSH is the W3C common PSSH box (https://www.w3.org/TR/eme-initdata-cenc/
// §4): version 1, the key IDs, no data. EME's org.w3.clearkey reads it.
func CommonPSSH(kids []KID) PSSH {
	return PSSH{Version: 1, SystemID: ClearKey.ID, KIDs: append([]KID(nil), kids...)}
}
