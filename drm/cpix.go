package drm

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha512"
	"crypto/x509"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// CPIX namespaces and algorithm URIs (DASH-IF CPIX 2.3; W3C XML
// Encryption; RFC 6030 PSKC).
const (
	cpixNS            = "urn:dashif:org:cpix"
	pskcNS            = "urn:ietf:params:xml:ns:keyprov:pskc"
	algAES256CBC      = "http://www.w3.org/2001/04/xmlenc#aes256-cbc"
	algRSAOAEP        = "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p"
	algHMACSHA512     = "http://www.w3.org/2001/04/xmldsig-more#hmac-sha512"
	maxCPIXBytes      = 16 << 20
	cpixWriterVersion = "2.3"
)

// CPIXOptions are what reading a CPIX document may need besides the
// document.
type CPIXOptions struct {
	// PrivateKey decrypts the document key of a document whose content
	// keys are encrypted (DeliveryData: RSA-OAEP document key, AES-256-CBC
	// content keys, HMAC-SHA512 value MACs). Nil: only plain keys are read.
	PrivateKey *rsa.PrivateKey
}

type cpixDoc struct {
	XMLName          xml.Name `xml:"CPIX"`
	ContentID        string   `xml:"contentId,attr"`
	Version          string   `xml:"version,attr"`
	DeliveryDataList *struct {
		DeliveryData []cpixDeliveryData `xml:"DeliveryData"`
	} `xml:"DeliveryDataList"`
	ContentKeyList *struct {
		ContentKey []cpixContentKey `xml:"ContentKey"`
	} `xml:"ContentKeyList"`
	DRMSystemList *struct {
		DRMSystem []cpixDRMSystem `xml:"DRMSystem"`
	} `xml:"DRMSystemList"`
	ContentKeyPeriodList *struct {
		ContentKeyPeriod []struct {
			ID string `xml:"id,attr"`
		} `xml:"ContentKeyPeriod"`
	} `xml:"ContentKeyPeriodList"`
	ContentKeyUsageRuleList *struct {
		ContentKeyUsageRule []cpixUsageRule `xml:"ContentKeyUsageRule"`
	} `xml:"ContentKeyUsageRuleList"`
}

type cpixSecret struct {
	PlainValue     *string         `xml:"Secret>PlainValue"`
	EncryptedValue *encryptedValue `xml:"Secret>EncryptedValue"`
	ValueMAC       string          `xml:"Secret>ValueMAC"`
}

type cpixDeliveryData struct {
	ID          string `xml:"id,attr"`
	Certificate string `xml:"DeliveryKey>X509Data>X509Certificate"`
	DocumentKey *struct {
		Algorithm string     `xml:"Algorithm,attr"`
		Data      cpixSecret `xml:"Data"`
	} `xml:"DocumentKey"`
	MACMethod *struct {
		Algorithm string `xml:"Algorithm,attr"`
		// Key is an xmlenc EncryptedDataType (CPIX 2.3 §5.3.4); some
		// writers wrap it in pskc:EncryptedValue.
		Key struct {
			encryptedValue
			Wrapped *encryptedValue `xml:"EncryptedValue"`
		} `xml:"Key"`
	} `xml:"MACMethod"`
}

type encryptedValue struct {
	EncryptionMethod struct {
		Algorithm string `xml:"Algorithm,attr"`
	} `xml:"EncryptionMethod"`
	CipherValue string `xml:"CipherData>CipherValue"`
}

type cpixContentKey struct {
	KID        string      `xml:"kid,attr"`
	ExplicitIV string      `xml:"explicitIV,attr"`
	Scheme     string      `xml:"commonEncryptionScheme,attr"`
	Data       *cpixSecret `xml:"Data"`
}

type cpixDRMSystem struct {
	KID                   string `xml:"kid,attr"`
	SystemID              string `xml:"systemId,attr"`
	PSSH                  string `xml:"PSSH"`
	ContentProtectionData string `xml:"ContentProtectionData"`
	HLSSignalingData      []struct {
		Playlist string `xml:"playlist,attr"`
		Value    string `xml:",chardata"`
	} `xml:"HLSSignalingData"`
	URIExtXKey string `xml:"URIExtXKey"`
}

type cpixUsageRule struct {
	KID               string `xml:"kid,attr"`
	IntendedTrackType string `xml:"intendedTrackType,attr"`
	VideoFilter       []struct {
		MinPixels string `xml:"minPixels,attr"`
		MaxPixels string `xml:"maxPixels,attr"`
		HDR       string `xml:"hdr,attr"`
	} `xml:"VideoFilter"`
	AudioFilter []struct {
		MinChannels string `xml:"minChannels,attr"`
		MaxChannels string `xml:"maxChannels,attr"`
	} `xml:"AudioFilter"`
	LabelFilter []struct {
		Label string `xml:"label,attr"`
	} `xml:"LabelFilter"`
	BitrateFilter []struct {
		MinBitrate string `xml:"minBitrate,attr"`
		MaxBitrate string `xml:"maxBitrate,attr"`
	} `xml:"BitrateFilter"`
	KeyPeriodFilter []struct {
		PeriodID string `xml:"periodId,attr"`
	} `xml:"KeyPeriodFilter"`
}

// documentKeys are the decrypted secrets of a DeliveryData element.
type documentKeys struct {
	docKey, macKey []byte
}

// ParseCPIX reads a DASH-IF CPIX document (version 2.x) and uses it as
// given: the content keys (plain, or encrypted with a document key when
// opts.PrivateKey can decrypt it), each key's explicit IV and scheme,
// DRMSystem signalling (PSSH, ContentProtectionData, HLSSignalingData,
// URIExtXKey) and the usage rules that map keys to tracks (VideoFilter
// pixels, AudioFilter channels, LabelFilter track IDs, BitrateFilter).
// Key periods (rotation) are refused. Errors are *ParseError values and
// never quote key material.
func ParseCPIX(data []byte, opts CPIXOptions) (ks *KeySet, err error) {
	perr := func(field string, err error) error { return &ParseError{Format: "CPIX", Field: field, Err: err} }
	if len(data) > maxCPIXBytes {
		return nil, perr("", fmt.Errorf("%w: larger than %d bytes", ErrMalformed, maxCPIXBytes))
	}
	var doc cpixDoc
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	if err := dec.Decode(&doc); err != nil {
		var se *xml.SyntaxError
		if errors.As(err, &se) {
			return nil, perr("", fmt.Errorf("%w: XML syntax error on line %d", ErrMalformed, se.Line))
		}
		return nil, perr("", fmt.Errorf("%w: not a CPIX document", ErrMalformed))
	}
	if doc.XMLName.Space != cpixNS {
		return nil, perr("CPIX", fmt.Errorf("%w: root element is not in namespace %s", ErrMalformed, cpixNS))
	}
	if v := doc.Version; v != "" && !strings.HasPrefix(v, "2.") {
		return nil, perr("CPIX@version", fmt.Errorf("%w: version %s", ErrUnsupported, v))
	}
	if doc.ContentKeyPeriodList != nil && len(doc.ContentKeyPeriodList.ContentKeyPeriod) > 0 {
		return nil, perr("ContentKeyPeriodList", fmt.Errorf("%w: key periods (key rotation)", ErrUnsupported))
	}
	if doc.ContentKeyList == nil || len(doc.ContentKeyList.ContentKey) == 0 {
		return nil, perr("ContentKeyList", fmt.Errorf("%w: no content keys", ErrMalformed))
	}

	var dk *documentKeys
	if doc.DeliveryDataList != nil && len(doc.DeliveryDataList.DeliveryData) > 0 {
		if opts.PrivateKey == nil {
			dk = nil // decided per key: an encrypted key then fails
		} else {
			if dk, err = openDeliveryData(doc.DeliveryDataList.DeliveryData, opts.PrivateKey); err != nil {
				return nil, perr("DeliveryDataList", err)
			}
		}
	}

	ks = &KeySet{ContentID: doc.ContentID}
	index := map[KID]int{}
	for i, ck := range doc.ContentKeyList.ContentKey {
		field := fmt.Sprintf("ContentKey[%d]", i+1)
		var k ContentKey
		if k.KID, err = ParseKID(ck.KID); err != nil {
			return nil, perr(field+"@kid", ErrBadKID)
		}
		field = "ContentKey[kid=" + k.KID.String() + "]"
		if _, dup := index[k.KID]; dup {
			return nil, perr(field, ErrDuplicateKID)
		}
		if ck.Data == nil {
			return nil, perr(field+"/Data", fmt.Errorf("%w: no key value (a key server request, not a response)", ErrMalformed))
		}
		key, err := ck.Data.open(dk)
		if err != nil {
			return nil, perr(field+"/Data", err)
		}
		if len(key) != 16 {
			return nil, perr(field+"/Data", fmt.Errorf("%w: %d bytes", ErrBadKey, len(key)))
		}
		k.Key = NewSecret(key)
		if ck.ExplicitIV != "" {
			iv, err := base64.StdEncoding.DecodeString(strings.TrimSpace(ck.ExplicitIV))
			if err != nil || (len(iv) != 8 && len(iv) != 16) {
				return nil, perr(field+"@explicitIV", fmt.Errorf("%w: want 8 or 16 bytes of base64", ErrBadIV))
			}
			k.IV = NewSecret(iv)
		}
		if ck.Scheme != "" {
			if k.Scheme, err = ParseScheme(ck.Scheme); err != nil {
				return nil, perr(field+"@commonEncryptionScheme", err)
			}
		}
		index[k.KID] = len(ks.Keys)
		ks.Keys = append(ks.Keys, k)
	}

	if doc.ContentKeyUsageRuleList != nil {
		ruled := map[KID]bool{}
		for i, ur := range doc.ContentKeyUsageRuleList.ContentKeyUsageRule {
			field := fmt.Sprintf("ContentKeyUsageRule[%d]", i+1)
			kid, err := ParseKID(ur.KID)
			if err != nil {
				return nil, perr(field+"@kid", ErrBadKID)
			}
			j, ok := index[kid]
			if !ok {
				return nil, perr(field, fmt.Errorf("%w: rule for key %s, which the document does not hold", ErrMalformed, kid))
			}
			rules, err := ur.rules()
			if err != nil {
				return nil, perr(field, err)
			}
			if len(rules) == 0 {
				rules = []Rule{{}} // a rule without filters matches every track
			}
			ruled[kid] = true
			ks.Keys[j].Rules = append(ks.Keys[j].Rules, rules...)
		}
		// A key without any rule applies to no track when others have rules
		// (CPIX 2.3 §5.6: keys are used where a usage rule says so).
		for j, k := range ks.Keys {
			if !ruled[k.KID] && len(ks.Keys) > 1 {
				return nil, perr("ContentKey[kid="+k.KID.String()+"]", fmt.Errorf("%w: no usage rule", ErrUnusedKey))
			}
			_ = j
		}
	}

	if doc.DRMSystemList != nil {
		for i, ds := range doc.DRMSystemList.DRMSystem {
			field := fmt.Sprintf("DRMSystem[%d]", i+1)
			g, err := ds.systemData()
			if err != nil {
				return nil, perr(field, err)
			}
			if _, ok := index[g.KID]; !ok {
				return nil, perr(field, fmt.Errorf("%w: signalling for key %s, which the document does not hold", ErrMalformed, g.KID))
			}
			ks.Given = append(ks.Given, g)
		}
	}
	if err := ks.Validate(); err != nil {
		return nil, perr("ContentKeyList", err)
	}
	return ks, nil
}

// open returns the key of a pskc Secret: its PlainValue, or its
// EncryptedValue decrypted with the document key after checking the MAC.
func (s *cpixSecret) open(dk *documentKeys) ([]byte, error) {
	switch {
	case s.PlainValue != nil:
		b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(*s.PlainValue))
		if err != nil {
			return nil, fmt.Errorf("%w: PlainValue is not base64", ErrBadKey)
		}
		return b, nil
	case s.EncryptedValue != nil:
		if dk == nil {
			return nil, fmt.Errorf("%w: the key is encrypted: give the private key of the document's recipient", ErrUnsupported)
		}
		return s.decrypt(dk.docKey, dk.macKey)
	}
	return nil, fmt.Errorf("%w: no PlainValue or EncryptedValue", ErrMalformed)
}

// decrypt opens an AES-256-CBC EncryptedValue (W3C XML Encryption: the IV
// precedes the ciphertext; the last plaintext byte counts the padding),
// after checking ValueMAC (HMAC-SHA512 over IV and ciphertext) when a MAC
// key is known.
func (s *cpixSecret) decrypt(key, macKey []byte) ([]byte, error) {
	ev := s.EncryptedValue
	if ev.EncryptionMethod.Algorithm != algAES256CBC {
		return nil, fmt.Errorf("%w: encryption algorithm %q", ErrUnsupported, ev.EncryptionMethod.Algorithm)
	}
	ct, err := base64.StdEncoding.DecodeString(strings.TrimSpace(ev.CipherValue))
	if err != nil || len(ct) < 32 || len(ct)%16 != 0 {
		return nil, fmt.Errorf("%w: CipherValue is not AES-CBC data", ErrMalformed)
	}
	if macKey != nil {
		want, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s.ValueMAC))
		if err != nil {
			return nil, fmt.Errorf("%w: ValueMAC is not base64", ErrMalformed)
		}
		m := hmac.New(sha512.New, macKey)
		m.Write(ct)
		if !hmac.Equal(m.Sum(nil), want) {
			return nil, fmt.Errorf("%w: ValueMAC does not match (wrong document key, or tampered)", ErrMalformed)
		}
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("%w: document key of %d bytes", ErrMalformed, len(key))
	}
	pt := make([]byte, len(ct)-16)
	cipher.NewCBCDecrypter(block, ct[:16]).CryptBlocks(pt, ct[16:])
	pad := int(pt[len(pt)-1])
	if pad < 1 || pad > 16 || pad > len(pt) {
		return nil, fmt.Errorf("%w: bad padding (wrong document key?)", ErrMalformed)
	}
	return pt[:len(pt)-pad], nil
}

// openDeliveryData finds the DeliveryData for the private key (by its
// certificate when present) and decrypts the document key (RSA-OAEP with
// SHA-1) and the MAC key (AES-256-CBC under the document key).
func openDeliveryData(dds []cpixDeliveryData, priv *rsa.PrivateKey) (*documentKeys, error) {
	var lastErr error = fmt.Errorf("%w: no DeliveryData for this private key", ErrMalformed)
	for _, dd := range dds {
		if dd.Certificate != "" {
			der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(dd.Certificate), ""))
			if err == nil {
				if cert, err := x509.ParseCertificate(der); err == nil {
					if pub, ok := cert.PublicKey.(*rsa.PublicKey); ok && !pub.Equal(&priv.PublicKey) {
						continue
					}
				}
			}
		}
		if dd.DocumentKey == nil || dd.DocumentKey.Data.EncryptedValue == nil {
			lastErr = fmt.Errorf("%w: DeliveryData without an encrypted DocumentKey", ErrMalformed)
			continue
		}
		ev := dd.DocumentKey.Data.EncryptedValue
		if ev.EncryptionMethod.Algorithm != algRSAOAEP {
			lastErr = fmt.Errorf("%w: document key algorithm %q", ErrUnsupported, ev.EncryptionMethod.Algorithm)
			continue
		}
		ct, err := base64.StdEncoding.DecodeString(strings.TrimSpace(ev.CipherValue))
		if err != nil {
			lastErr = fmt.Errorf("%w: DocumentKey CipherValue is not base64", ErrMalformed)
			continue
		}
		docKey, err := rsa.DecryptOAEP(sha1.New(), nil, priv, ct, nil)
		if err != nil {
			lastErr = fmt.Errorf("%w: cannot decrypt the document key with this private key", ErrMalformed)
			continue
		}
		if len(docKey) != 32 {
			return nil, fmt.Errorf("%w: document key of %d bytes (AES-256 needs 32)", ErrMalformed, len(docKey))
		}
		dk := &documentKeys{docKey: docKey}
		if dd.MACMethod != nil {
			if dd.MACMethod.Algorithm != algHMACSHA512 {
				return nil, fmt.Errorf("%w: MAC algorithm %q", ErrUnsupported, dd.MACMethod.Algorithm)
			}
			ev := &dd.MACMethod.Key.encryptedValue
			if w := dd.MACMethod.Key.Wrapped; w != nil {
				ev = w
			}
			if ev.CipherValue == "" {
				return nil, fmt.Errorf("%w: MACMethod without an encrypted key", ErrMalformed)
			}
			if dk.macKey, err = (&cpixSecret{EncryptedValue: ev}).decrypt(docKey, nil); err != nil {
				return nil, fmt.Errorf("MAC key: %w", err)
			}
		}
		return dk, nil
	}
	return nil, lastErr
}

// rules turns a usage rule's filters into Rules: filters of one kind are
// alternatives, filters of different kinds all apply (CPIX 2.3 §5.6).
func (ur *cpixUsageRule) rules() ([]Rule, error) {
	if len(ur.KeyPeriodFilter) > 0 {
		return nil, fmt.Errorf("%w: KeyPeriodFilter (key rotation)", ErrUnsupported)
	}
	num := func(name, s string) (int64, error) {
		if s == "" {
			return 0, nil
		}
		v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil || v < 0 {
			return 0, fmt.Errorf("%w: %s %q is not a non-negative integer", ErrMalformed, name, s)
		}
		return v, nil
	}
	rules := []Rule{{}}
	cross := func(alts []Rule) {
		if len(alts) == 0 {
			return
		}
		var out []Rule
		for _, r := range rules {
			for _, a := range alts {
				out = append(out, merge(r, a))
			}
		}
		rules = out
	}
	var alts []Rule
	for _, f := range ur.VideoFilter {
		if f.HDR == "true" {
			alts = append(alts, Rule{Type: Video, MinPixels: -1}) // vpack tracks are never flagged HDR
			continue
		}
		lo, err := num("minPixels", f.MinPixels)
		if err != nil {
			return nil, err
		}
		hi, err := num("maxPixels", f.MaxPixels)
		if err != nil {
			return nil, err
		}
		alts = append(alts, Rule{Type: Video, MinPixels: int(lo), MaxPixels: int(hi)})
	}
	cross(alts)
	alts = nil
	for _, f := range ur.AudioFilter {
		lo, err := num("minChannels", f.MinChannels)
		if err != nil {
			return nil, err
		}
		hi, err := num("maxChannels", f.MaxChannels)
		if err != nil {
			return nil, err
		}
		alts = append(alts, Rule{Type: Audio, MinChannels: int(lo), MaxChannels: int(hi)})
	}
	cross(alts)
	alts = nil
	for _, f := range ur.LabelFilter {
		alts = append(alts, Rule{Label: f.Label})
	}
	cross(alts)
	alts = nil
	for _, f := range ur.BitrateFilter {
		lo, err := num("minBitrate", f.MinBitrate)
		if err != nil {
			return nil, err
		}
		hi, err := num("maxBitrate", f.MaxBitrate)
		if err != nil {
			return nil, err
		}
		alts = append(alts, Rule{MinBitrate: lo, MaxBitrate: hi})
	}
	cross(alts)
	// A video and an audio filter in one rule can match no track.
	var out []Rule
	for _, r := range rules {
		if r.Type != "conflict" && r.MinPixels >= 0 {
			out = append(out, r)
		}
	}
	if len(out) == 0 {
		out = []Rule{{Type: "none"}}
	}
	return out, nil
}

func merge(a, b Rule) Rule {
	r := a
	if b.Type != "" {
		if r.Type != "" && r.Type != b.Type {
			r.Type = "conflict"
		} else {
			r.Type = b.Type
		}
	}
	if b.MinPixels != 0 {
		r.MinPixels = b.MinPixels
	}
	if b.MaxPixels != 0 {
		r.MaxPixels = b.MaxPixels
	}
	if b.MinChannels != 0 {
		r.MinChannels = b.MinChannels
	}
	if b.MaxChannels != 0 {
		r.MaxChannels = b.MaxChannels
	}
	if b.MinBitrate != 0 {
		r.MinBitrate = b.MinBitrate
	}
	if b.MaxBitrate != 0 {
		r.MaxBitrate = b.MaxBitrate
	}
	if b.Label != "" {
		r.Label = b.Label
	}
	return r
}

func (ds *cpixDRMSystem) systemData() (SystemData, error) {
	var g SystemData
	var err error
	if g.KID, err = ParseKID(ds.KID); err != nil {
		return g, fmt.Errorf("@kid: %w", ErrBadKID)
	}
	id, err := ParseKID(ds.SystemID)
	if err != nil {
		return g, fmt.Errorf("%w: systemId %q is not a UUID", ErrMalformed, ds.SystemID)
	}
	if s, ok := SystemByID(id); ok {
		g.System = s
	} else {
		g.System = System{ID: id}
	}
	b64 := func(name, s string) ([]byte, error) {
		b, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(s), ""))
		if err != nil {
			return nil, fmt.Errorf("%w: %s is not base64", ErrMalformed, name)
		}
		return b, nil
	}
	if ds.PSSH != "" {
		if g.PSSH, err = b64("PSSH", ds.PSSH); err != nil {
			return g, err
		}
		if _, err := ParsePSSH(g.PSSH); err != nil {
			return g, fmt.Errorf("PSSH: %w", err)
		}
	}
	if ds.ContentProtectionData != "" {
		b, err := b64("ContentProtectionData", ds.ContentProtectionData)
		if err != nil {
			return g, err
		}
		g.ContentProtectionData = string(b)
		if _, err := parseContentProtectionData(g.ContentProtectionData); err != nil {
			return g, fmt.Errorf("ContentProtectionData: %w", err)
		}
	}
	for _, h := range ds.HLSSignalingData {
		b, err := b64("HLSSignalingData", h.Value)
		if err != nil {
			return g, err
		}
		line := strings.TrimSpace(string(b))
		if strings.ContainsAny(line, "\r\n") || !strings.HasPrefix(line, "#EXT-X-") {
			return g, fmt.Errorf("%w: HLSSignalingData is not one #EXT-X- tag", ErrMalformed)
		}
		switch h.Playlist {
		case "master":
			g.HLSMaster = line
		case "media", "":
			g.HLSMedia = line
		default:
			return g, fmt.Errorf("%w: HLSSignalingData playlist %q", ErrMalformed, h.Playlist)
		}
	}
	if ds.URIExtXKey != "" {
		b, err := b64("URIExtXKey", ds.URIExtXKey)
		if err != nil {
			return g, err
		}
		if strings.ContainsAny(string(b), "\"\r\n") {
			return g, fmt.Errorf("%w: URIExtXKey holds a quote or line break", ErrMalformed)
		}
		g.URIExtXKey = string(b)
	}
	return g, nil
}

type contentProtectionData struct {
	pssh, pro []byte
	laURL     string
}

// parseContentProtectionData reads the elements vpack writes from a CPIX
// ContentProtectionData fragment: cenc:pssh, mspr:pro, dashif:Laurl (by
// local name; others are ignored).
func parseContentProtectionData(s string) (contentProtectionData, error) {
	var c contentProtectionData
	dec := xml.NewDecoder(strings.NewReader("<x>" + s + "</x>"))
	dec.Strict = false
	var cur string
	for {
		tok, err := dec.Token()
		if err != nil {
			if err.Error() == "EOF" {
				break
			}
			return c, fmt.Errorf("%w: not XML", ErrMalformed)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			cur = strings.ToLower(t.Name.Local)
		case xml.EndElement:
			cur = ""
		case xml.CharData:
			text := strings.Join(strings.Fields(string(t)), "")
			if text == "" {
				continue
			}
			switch cur {
			case "pssh":
				b, err := base64.StdEncoding.DecodeString(text)
				if err != nil {
					return c, fmt.Errorf("%w: cenc:pssh is not base64", ErrMalformed)
				}
				if _, err := ParsePSSH(b); err != nil {
					return c, err
				}
				c.pssh = b
			case "pro":
				b, err := base64.StdEncoding.DecodeString(text)
				if err != nil {
					return c, fmt.Errorf("%w: mspr:pro is not base64", ErrMalformed)
				}
				c.pro = b
			case "laurl":
				c.laURL = strings.TrimSpace(string(t))
			}
		}
	}
	return c, nil
}
