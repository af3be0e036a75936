package drm

import (
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"strings"
)

// classFilters expresses the key file track classes as CPIX filters.
// CPIX filters count pixels, not lines: for 16:9 pictures these bounds
// split SD, HD and UHD at 720 and 1080 lines exactly as the classes do
// (1280x720 = 921600, 1920x1080 = 2073600).
var classFilters = map[string]string{
	"audio": `<cpix:AudioFilter/>`,
	"video": `<cpix:VideoFilter/>`,
	"sd":    `<cpix:VideoFilter maxPixels="921599"/>`,
	"hd":    `<cpix:VideoFilter minPixels="921600" maxPixels="2073600"/>`,
	"uhd":   `<cpix:VideoFilter minPixels="2073601"/>`,
}

var classTrackType = map[string]string{"audio": "AUDIO", "video": "VIDEO", "sd": "SD", "hd": "HD", "uhd": "UHD"}

// MarshalCPIX writes ks as a CPIX 2.3 document with the content keys in
// the clear (pskc:PlainValue), for a key server to ingest or for
// `vpack package --cpix`. Each key gets a ContentKeyUsageRule per track
// class ("all" gets one without filters); commonEncryptionScheme is set
// when scheme is. The caller writes it with mode 0600.
func MarshalCPIX(ks *KeySet, scheme Scheme) ([]byte, error) {
	if err := ks.Validate(); err != nil {
		return nil, err
	}
	var b strings.Builder
	esc := func(s string) string {
		var e strings.Builder
		_ = xml.EscapeText(&e, []byte(s))
		return strings.ReplaceAll(e.String(), `"`, "&quot;")
	}
	b.WriteString(xml.Header)
	b.WriteString(`<cpix:CPIX xmlns:cpix="` + cpixNS + `" xmlns:pskc="` + pskcNS + `" version="` + cpixWriterVersion + `"`)
	if ks.ContentID != "" {
		b.WriteString(` contentId="` + esc(ks.ContentID) + `"`)
	}
	b.WriteString(">\n  <cpix:ContentKeyList>\n")
	for _, k := range ks.Keys {
		fmt.Fprintf(&b, `    <cpix:ContentKey kid="%s"`, k.KID)
		if !k.IV.IsZero() {
			b.WriteString(` explicitIV="` + base64.StdEncoding.EncodeToString(k.IV.Reveal()) + `"`)
		}
		s := k.Scheme
		if s == "" {
			s = scheme
		}
		if s != "" {
			b.WriteString(` commonEncryptionScheme="` + string(s) + `"`)
		}
		b.WriteString(">\n      <cpix:Data>\n        <pskc:Secret>\n          <pskc:PlainValue>")
		b.WriteString(base64.StdEncoding.EncodeToString(k.Key.Reveal()))
		b.WriteString("</pskc:PlainValue>\n        </pskc:Secret>\n      </cpix:Data>\n    </cpix:ContentKey>\n")
	}
	b.WriteString("  </cpix:ContentKeyList>\n")

	if len(ks.Given) > 0 {
		b.WriteString("  <cpix:DRMSystemList>\n")
		for _, g := range ks.Given {
			fmt.Fprintf(&b, `    <cpix:DRMSystem kid="%s" systemId="%s">`+"\n", g.KID, g.System.ID)
			if len(g.PSSH) > 0 {
				b.WriteString("      <cpix:PSSH>" + base64.StdEncoding.EncodeToString(g.PSSH) + "</cpix:PSSH>\n")
			}
			if g.ContentProtectionData != "" {
				b.WriteString("      <cpix:ContentProtectionData>" + base64.StdEncoding.EncodeToString([]byte(g.ContentProtectionData)) + "</cpix:ContentProtectionData>\n")
			}
			if g.URIExtXKey != "" {
				b.WriteString("      <cpix:URIExtXKey>" + base64.StdEncoding.EncodeToString([]byte(g.URIExtXKey)) + "</cpix:URIExtXKey>\n")
			}
			if g.HLSMedia != "" {
				b.WriteString(`      <cpix:HLSSignalingData playlist="media">` + base64.StdEncoding.EncodeToString([]byte(g.HLSMedia)) + "</cpix:HLSSignalingData>\n")
			}
			if g.HLSMaster != "" {
				b.WriteString(`      <cpix:HLSSignalingData playlist="master">` + base64.StdEncoding.EncodeToString([]byte(g.HLSMaster)) + "</cpix:HLSSignalingData>\n")
			}
			b.WriteString("    </cpix:DRMSystem>\n")
		}
		b.WriteString("  </cpix:DRMSystemList>\n")
	}

	b.WriteString("  <cpix:ContentKeyUsageRuleList>\n")
	for _, k := range ks.Keys {
		classes := k.Classes
		if len(classes) == 0 {
			classes = []string{"all"}
		}
		for _, c := range classes {
			fmt.Fprintf(&b, `    <cpix:ContentKeyUsageRule kid="%s"`, k.KID)
			if tt := classTrackType[c]; tt != "" {
				b.WriteString(` intendedTrackType="` + tt + `"`)
			}
			if f := classFilters[c]; f != "" {
				b.WriteString(">\n      " + f + "\n    </cpix:ContentKeyUsageRule>\n")
			} else {
				b.WriteString("/>\n")
			}
		}
	}
	b.WriteString("  </cpix:ContentKeyUsageRuleList>\n</cpix:CPIX>\n")
	return []byte(b.String()), nil
}
