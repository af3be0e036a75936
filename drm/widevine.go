package drm

import (
	"encoding/binary"
	"fmt"
)

// WidevineData is the WidevinePsshData protobuf message carried in a
// Widevine pssh box, reduced to the fields a packager sets: key_id (2),
// provider (3), content_id (4) and protection_scheme (9, the scheme's
// four-character code as a big-endian uint32).
type WidevineData struct {
	KIDs      []KID
	Provider  string
	ContentID []byte
	Scheme    Scheme
}

// Protobuf field numbers of WidevinePsshData.
const (
	wvFieldKeyID            = 2
	wvFieldProvider         = 3
	wvFieldContentID        = 4
	wvFieldProtectionScheme = 9
)

// Marshal hand-encodes the protobuf (wire types 0 and 2 only), in field
// order, as protoc would.
func (d WidevineData) Marshal() []byte {
	var b []byte
	bytesField := func(field int, v []byte) {
		b = binary.AppendUvarint(b, uint64(field<<3|2))
		b = binary.AppendUvarint(b, uint64(len(v)))
		b = append(b, v...)
	}
	for _, k := range d.KIDs {
		bytesField(wvFieldKeyID, k[:])
	}
	if d.Provider != "" {
		bytesField(wvFieldProvider, []byte(d.Provider))
	}
	if len(d.ContentID) > 0 {
		bytesField(wvFieldContentID, d.ContentID)
	}
	if d.Scheme != "" {
		b = binary.AppendUvarint(b, uint64(wvFieldProtectionScheme<<3))
		b = binary.AppendUvarint(b, uint64(binary.BigEndian.Uint32([]byte(d.Scheme))))
	}
	return b
}

// ParseWidevineData decodes a WidevinePsshData message, skipping fields
// it does not know.
func ParseWidevineData(b []byte) (WidevineData, error) {
	var d WidevineData
	bad := func(what string) (WidevineData, error) {
		return WidevineData{}, fmt.Errorf("widevine pssh data: %w: %s", ErrMalformed, what)
	}
	for len(b) > 0 {
		tag, n := binary.Uvarint(b)
		if n <= 0 {
			return bad("tag")
		}
		b = b[n:]
		field, wire := tag>>3, tag&7
		switch wire {
		case 0:
			v, n := binary.Uvarint(b)
			if n <= 0 {
				return bad("varint")
			}
			b = b[n:]
			if field == wvFieldProtectionScheme {
				if v > 0xffffffff {
					return bad("protection_scheme")
				}
				var fc [4]byte
				binary.BigEndian.PutUint32(fc[:], uint32(v))
				d.Scheme = Scheme(fc[:])
			}
		case 2:
			l, n := binary.Uvarint(b)
			if n <= 0 || l > uint64(len(b)-n) {
				return bad("length")
			}
			v := b[n : n+int(l)]
			b = b[n+int(l):]
			switch field {
			case wvFieldKeyID:
				if len(v) != 16 {
					return bad(fmt.Sprintf("key_id of %d bytes", len(v)))
				}
				d.KIDs = append(d.KIDs, KID(v))
			case wvFieldProvider:
				d.Provider = string(v)
			case wvFieldContentID:
				d.ContentID = append([]byte(nil), v...)
			}
		case 5:
			if len(b) < 4 {
				return bad("fixed32")
			}
			b = b[4:]
		case 1:
			if len(b) < 8 {
				return bad("fixed64")
			}
			b = b[8:]
		default:
			return bad(fmt.Sprintf("wire type %d", wire))
		}
	}
	return d, nil
}

// WidevinePSSH is the version 0 Widevine pssh box for the keys: the
// protobuf lists every key ID and the protection scheme, as the Widevine
// licence server expects.
func WidevinePSSH(kids []KID, scheme Scheme, opts Options) PSSH {
	d := WidevineData{KIDs: kids, Provider: opts.WidevineProvider, ContentID: opts.WidevineContentID, Scheme: scheme}
	return PSSH{Version: 0, SystemID: Widevine.ID, Data: d.Marshal()}
}
