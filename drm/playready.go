package drm

import (
	"bytes"
	"crypto/aes"
	"encoding/base64"
	"encoding/binary"
	"encoding/xml"
	"fmt"
	"strings"
	"unicode/utf16"
)

// PlayReady header versions: 4.0 names one AESCTR key; 4.3 adds AESCBC
// (cbcs), which older clients refuse, so vpack writes 4.0 for cenc and 4.3
// only for cbcs.
const (
	wrmHeader40 = "4.0.0.0"
	wrmHeader43 = "4.3.0.0"
	wrmNS       = "http://schemas.microsoft.com/DRM/2007/03/PlayReadyHeader"
)

// proRecordRMHeader is the PlayReady Object record type of a Rights
// Management header (a UTF-16LE WRMHEADER).
const proRecordRMHeader = 1

// WRMHeader builds the PlayReady WRMHEADER XML for one key: version
// 4.0.0.0 with KID and CHECKSUM for cenc (AESCTR), 4.3.0.0 with
// KIDS/KID ALGID="AESCBC" for cbcs. The KID is base64 of the key ID in GUID
// byte order (KID.GUID). For AESCTR the CHECKSUM is the first 8 bytes of
// the key ID (GUID order) encrypted with the content key in AES-ECB, which
// lets a client check it got the right key; it does not reveal the key.
func WRMHeader(kid KID, key Secret, scheme Scheme, laURL string) (string, error) {
	g := kid.GUID()
	kidB64 := base64.StdEncoding.EncodeToString(g[:])
	var b strings.Builder
	b.WriteString(`<WRMHEADER xmlns="` + wrmNS + `" version="`)
	switch scheme {
	case CENC:
		b.WriteString(wrmHeader40 + `"><DATA><PROTECTINFO><KEYLEN>16</KEYLEN><ALGID>AESCTR</ALGID></PROTECTINFO>`)
		b.WriteString("<KID>" + kidB64 + "</KID>")
		if key.Len() == 16 {
			c, err := aes.NewCipher(key.Reveal())
			if err != nil {
				return "", err
			}
			var sum [16]byte
			c.Encrypt(sum[:], g[:])
			b.WriteString("<CHECKSUM>" + base64.StdEncoding.EncodeToString(sum[:8]) + "</CHECKSUM>")
		}
	case CBCS:
		b.WriteString(wrmHeader43 + `"><DATA><PROTECTINFO><KIDS><KID ALGID="AESCBC" VALUE="` + kidB64 + `"></KID></KIDS></PROTECTINFO>`)
	default:
		return "", fmt.Errorf("playready: scheme %q: %w", scheme, ErrUnsupported)
	}
	if laURL != "" {
		b.WriteString("<LA_URL>")
		if err := xml.EscapeText(&b, []byte(laURL)); err != nil {
			return "", err
		}
		b.WriteString("</LA_URL>")
	}
	b.WriteString("</DATA></WRMHEADER>")
	return b.String(), nil
}

// PlayReadyObject wraps a WRMHEADER in a PlayReady Object: little-endian
// total length, record count (1), record type 1, record length, and the
// header in UTF-16LE. It is the data of the PlayReady pssh box and the
// content of DASH mspr:pro.
func PlayReadyObject(wrmHeader string) []byte {
	u := utf16.Encode([]rune(wrmHeader))
	rec := make([]byte, 2*len(u))
	for i, c := range u {
		binary.LittleEndian.PutUint16(rec[2*i:], c)
	}
	b := make([]byte, 0, 10+len(rec))
	b = binary.LittleEndian.AppendUint32(b, uint32(10+len(rec)))
	b = binary.LittleEndian.AppendUint16(b, 1)
	b = binary.LittleEndian.AppendUint16(b, proRecordRMHeader)
	b = binary.LittleEndian.AppendUint16(b, uint16(len(rec)))
	return append(b, rec...)
}

// PlayReadyPSSH returns the version 0 PlayReady pssh box and the PlayReady
// Object in it.
func PlayReadyPSSH(kid KID, key Secret, scheme Scheme, laURL string) (PSSH, []byte, error) {
	h, err := WRMHeader(kid, key, scheme, laURL)
	if err != nil {
		return PSSH{}, nil, err
	}
	pro := PlayReadyObject(h)
	return PSSH{Version: 0, SystemID: PlayReady.ID, Data: pro}, pro, nil
}

// PlayReadyHeader is what ParsePlayReadyObject reads back.
type PlayReadyHeader struct {
	Version string // WRMHEADER version attribute
	KIDs    []KID  // converted back from GUID byte order
	ALGIDs  []string
	LAURL   string
	XML     string
}

// ParsePlayReadyObject decodes a PlayReady Object and the WRMHEADER in its
// first Rights Management record.
func ParsePlayReadyObject(b []byte) (PlayReadyHeader, error) {
	bad := func(what string) (PlayReadyHeader, error) {
		return PlayReadyHeader{}, fmt.Errorf("playready object: %w: %s", ErrMalformed, what)
	}
	if len(b) < 6 {
		return bad("too short")
	}
	if n := binary.LittleEndian.Uint32(b); int(n) != len(b) {
		return bad(fmt.Sprintf("length %d of %d bytes", n, len(b)))
	}
	count := int(binary.LittleEndian.Uint16(b[4:]))
	pos := 6
	for range count {
		if pos+4 > len(b) {
			return bad("record header")
		}
		typ := binary.LittleEndian.Uint16(b[pos:])
		n := int(binary.LittleEndian.Uint16(b[pos+2:]))
		pos += 4
		if pos+n > len(b) || n%2 != 0 {
			return bad("record length")
		}
		if typ != proRecordRMHeader {
			pos += n
			continue
		}
		u := make([]uint16, n/2)
		for i := range u {
			u[i] = binary.LittleEndian.Uint16(b[pos+2*i:])
		}
		return parseWRMHeader(string(utf16.Decode(u)))
	}
	return bad("no rights management header")
}

func parseWRMHeader(s string) (PlayReadyHeader, error) {
	h := PlayReadyHeader{XML: s}
	dec := xml.NewDecoder(strings.NewReader(s))
	var path []string
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		switch t := tok.(type) {
		case xml.StartElement:
			path = append(path, t.Name.Local)
			switch t.Name.Local {
			case "WRMHEADER":
				for _, a := range t.Attr {
					if a.Name.Local == "version" {
						h.Version = a.Value
					}
				}
			case "KID":
				var alg, val string
				for _, a := range t.Attr {
					switch a.Name.Local {
					case "ALGID":
						alg = a.Value
					case "VALUE":
						val = a.Value
					}
				}
				if val != "" {
					k, err := guidKID(val)
					if err != nil {
						return h, err
					}
					h.KIDs = append(h.KIDs, k)
					h.ALGIDs = append(h.ALGIDs, alg)
				}
			}
		case xml.CharData:
			if len(path) == 0 {
				continue
			}
			text := string(bytes.TrimSpace(t))
			switch path[len(path)-1] {
			case "KID":
				if text != "" {
					k, err := guidKID(text)
					if err != nil {
						return h, err
					}
					h.KIDs = append(h.KIDs, k)
				}
			case "ALGID":
				h.ALGIDs = append(h.ALGIDs, text)
			case "LA_URL":
				h.LAURL = text
			}
		case xml.EndElement:
			if len(path) > 0 {
				path = path[:len(path)-1]
			}
		}
	}
	if h.Version == "" {
		return h, fmt.Errorf("playready header: %w: no WRMHEADER version", ErrMalformed)
	}
	return h, nil
}

func guidKID(b64 string) (KID, error) {
	b, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(b) != 16 {
		return KID{}, fmt.Errorf("playready header: KID %q: %w", b64, ErrBadKID)
	}
	return KIDFromGUID([16]byte(b)), nil
}
