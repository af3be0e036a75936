package validate

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf16"

	"github.com/Eyevinn/mp4ff/mp4"
)

// DRM system IDs (REFERENCE.md, dashif.org/identifiers).
var (
	systemWidevine  = mustUUID("edef8ba9-79d6-4ace-a3c8-27dcd51d21ed")
	systemPlayReady = mustUUID("9a04f079-9840-4286-ab92-e65be0885f95")
)

func mustUUID(s string) [16]byte {
	b, err := parse16(s)
	if err != nil {
		panic(err)
	}
	return b
}

// decodePsshs decodes one or more concatenated pssh boxes, walking them
// with the validator's box walker and decoding each with mp4ff.
func decodePsshs(raw []byte) (out []*mp4.PsshBox, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("pssh does not decode: %v", r)
		}
	}()
	err = walkBoxes(raw, 0, func(b box, body []byte) error {
		if b.typ != "pssh" {
			return fmt.Errorf("a %s box, not pssh", b.typ)
		}
		box, err := mp4.DecodeBox(0, bytes.NewReader(raw[b.offset:b.end()]))
		if err != nil {
			return err
		}
		p, ok := box.(*mp4.PsshBox)
		if !ok {
			return errors.New("not a pssh box")
		}
		out = append(out, p)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, errors.New("no pssh box")
	}
	return out, nil
}

// psshKIDs returns the KIDs a pssh names: the box's own list (version 1),
// else those in the system's data that vpack can read (Widevine
// key_ids, PlayReady WRMHEADER KIDs converted from GUID byte order).
func psshKIDs(p *mp4.PsshBox) [][16]byte {
	pi := psshFromBox(p)
	if len(pi.kids) > 0 {
		return pi.kids
	}
	switch pi.system {
	case systemWidevine:
		return widevineKIDs(p.Data)
	case systemPlayReady:
		kids, _ := playReadyKIDs(p.Data)
		return kids
	}
	return nil
}

// widevineKIDs reads the key_id fields (2) of a WidevinePsshData
// protobuf message.
func widevineKIDs(data []byte) [][16]byte {
	var out [][16]byte
	for len(data) > 0 {
		key, n := binary.Uvarint(data)
		if n <= 0 {
			return out
		}
		data = data[n:]
		field, wire := key>>3, key&7
		switch wire {
		case 0:
			_, n := binary.Uvarint(data)
			if n <= 0 {
				return out
			}
			data = data[n:]
		case 1:
			if len(data) < 8 {
				return out
			}
			data = data[8:]
		case 5:
			if len(data) < 4 {
				return out
			}
			data = data[4:]
		case 2:
			l, n := binary.Uvarint(data)
			if n <= 0 || uint64(len(data)-n) < l {
				return out
			}
			v := data[n : n+int(l)]
			data = data[n+int(l):]
			if field == 2 && len(v) == 16 {
				out = append(out, [16]byte(v))
			}
		default:
			return out
		}
	}
	return out
}

var playReadyKID = regexp.MustCompile(`<KID[^>]*?(?:VALUE="([^"]+)"[^>]*/?>|>([^<]+)</KID>)`)

// playReadyKIDs reads the KIDs of the WRM headers in a PlayReady Object,
// converted from the GUID byte order PlayReady uses (first three fields
// little-endian) to the UUID order of tenc.
func playReadyKIDs(pro []byte) ([][16]byte, error) {
	if len(pro) < 6 {
		return nil, errors.New("PlayReady Object too short")
	}
	n := int(binary.LittleEndian.Uint16(pro[4:]))
	rest := pro[6:]
	var out [][16]byte
	for i := 0; i < n; i++ {
		if len(rest) < 4 {
			return out, errors.New("PlayReady record cut short")
		}
		typ, l := binary.LittleEndian.Uint16(rest), int(binary.LittleEndian.Uint16(rest[2:]))
		rest = rest[4:]
		if len(rest) < l {
			return out, errors.New("PlayReady record cut short")
		}
		rec := rest[:l]
		rest = rest[l:]
		if typ != 1 || l%2 != 0 {
			continue
		}
		u := make([]uint16, l/2)
		for j := range u {
			u[j] = binary.LittleEndian.Uint16(rec[2*j:])
		}
		xml := string(utf16.Decode(u))
		for _, m := range playReadyKID.FindAllStringSubmatch(xml, -1) {
			v := m[1] + m[2]
			g, err := base64.StdEncoding.DecodeString(strings.TrimSpace(v))
			if err != nil || len(g) != 16 {
				continue
			}
			out = append(out, guidToUUID([16]byte(g)))
		}
	}
	return out, nil
}

// guidToUUID swaps the first three fields of a little-endian GUID.
func guidToUUID(g [16]byte) [16]byte {
	u := g
	u[0], u[1], u[2], u[3] = g[3], g[2], g[1], g[0]
	u[4], u[5] = g[5], g[4]
	u[6], u[7] = g[7], g[6]
	return u
}

func kidList(kids [][16]byte) string {
	s := make([]string, len(kids))
	for i, k := range kids {
		s[i] = uuidString(k)
	}
	return strings.Join(s, ", ")
}

// registerPssh records that a manifest carries a pssh for the track of
// in, so that CENC-PSSH-MISSING is not reported for it.
func (c *checker) registerPssh(in *initInfo, p psshInfo) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.manifestPssh == nil {
		c.manifestPssh = make(map[*initInfo]int)
	}
	c.manifestPssh[in]++
}

// checkInitPssh checks the pssh boxes of every encrypted init segment
// and reports tracks that no pssh signals at all.
func (c *checker) checkInitPssh() {
	c.mu.Lock()
	inits := make([]*initInfo, 0, len(c.inits))
	for _, in := range c.inits {
		if in != nil {
			inits = append(inits, in)
		}
	}
	c.mu.Unlock()
	for _, in := range inits {
		if !in.encrypted() || in.tenc == nil {
			continue
		}
		loc := Location{File: c.src.display(in.name), Box: "moov/pssh"}
		for _, p := range in.psshBoxes {
			kids := psshKIDs(p)
			if len(kids) > 0 && !containsKID(kids, in.tenc.kid) {
				c.add(rCENCPssh, loc, "%s pssh lists KIDs %s, not the tenc default_KID %s", systemName(psshFromBox(p).system), kidList(kids), uuidString(in.tenc.kid))
			}
			if psshFromBox(p).system == systemPlayReady && len(p.KIDs) == 0 {
				if _, err := playReadyKIDs(p.Data); err != nil {
					c.add(rCENCPssh, loc, "PlayReady pssh data: %v", err)
				}
			}
		}
		if len(in.psshs) == 0 && c.manifestPssh[in] == 0 {
			c.add(rCENCPsshMissing, Location{File: c.src.display(in.name), Box: "moov"}, "encrypted track (default_KID %s) without a pssh box, and no manifest carries one: players cannot request a licence", uuidString(in.tenc.kid))
		}
	}
}

func containsKID(kids [][16]byte, kid [16]byte) bool {
	for _, k := range kids {
		if k == kid {
			return true
		}
	}
	return false
}

func systemName(id [16]byte) string {
	if n := mp4.ProtectionSystemName(mp4.UUID(id[:])); n != "" {
		return n
	}
	return uuidString(id)
}
