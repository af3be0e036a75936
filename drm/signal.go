package drm

import (
	"encoding/base64"
	"fmt"
	"strings"
)

// HLS KEYFORMAT values (Apple HLS Authoring Specification; Widevine and the
// W3C common system by their urn:uuid).
const (
	KeyFormatFairPlay  = "com.apple.streamingkeydelivery"
	KeyFormatPlayReady = "com.microsoft.playready"
)

// Signal is how one DRM system is told about one key: the pssh box for the
// init segment and DASH, and the attributes of an HLS EXT-X-KEY. From a
// CPIX document, what it gives replaces what vpack would generate.
type Signal struct {
	System System
	KID    KID
	// PSSH is the whole pssh box (init segment moov, DASH cenc:pssh); nil
	// for FairPlay, which has none.
	PSSH []byte
	// PlayReadyObject is the content of DASH mspr:pro (PlayReady only).
	PlayReadyObject []byte
	// LicenseURL is signalled in DASH as dashif:Laurl.
	LicenseURL string
	// KeyFormat, KeyFormatVersions and URI make the EXT-X-KEY and
	// EXT-X-SESSION-KEY tags.
	KeyFormat, KeyFormatVersions, URI string
	// HLSMedia and HLSMaster are whole tags given by CPIX, written as they
	// are instead of tags made from the fields above.
	HLSMedia, HLSMaster string
}

// Signals builds the signalling of key for each system. Given CPIX data
// for a (system, key) pair is used as it is: its PSSH, the pssh and
// mspr:pro of its ContentProtectionData, its HLS lines and EXT-X-KEY URI.
func Signals(scheme Scheme, key *ContentKey, systems []System, ks *KeySet) ([]Signal, error) {
	if err := CheckSystems(scheme, systems); err != nil {
		return nil, err
	}
	var opts Options
	if ks != nil {
		opts = ks.Options
	}
	var out []Signal
	for _, sys := range systems {
		s := Signal{System: sys, KID: key.KID, KeyFormatVersions: "1"}
		switch sys.ID {
		case Widevine.ID:
			s.PSSH = WidevinePSSH([]KID{key.KID}, scheme, opts).Marshal()
			s.KeyFormat = "urn:uuid:" + sys.ID.String()
		case PlayReady.ID:
			p, pro, err := PlayReadyPSSH(key.KID, key.Key, scheme, opts.PlayReadyLAURL)
			if err != nil {
				return nil, err
			}
			s.PSSH, s.PlayReadyObject = p.Marshal(), pro
			s.KeyFormat = KeyFormatPlayReady
		case FairPlay.ID:
			s.KeyFormat = KeyFormatFairPlay
			s.URI = strings.ReplaceAll(cmpOr(opts.FairPlayURI, "skd://{kid}"), "{kid}", key.KID.Hex())
		case ClearKey.ID:
			s.PSSH = CommonPSSH([]KID{key.KID}).Marshal()
			s.KeyFormat = "urn:uuid:" + sys.ID.String()
			s.LicenseURL = opts.ClearKeyLAURL
		default:
			return nil, fmt.Errorf("DRM system %s: %w", sys.ID, ErrUnsupported)
		}
		if ks != nil {
			if g := ks.GivenFor(sys, key.KID); g != nil {
				if err := applyGiven(&s, g); err != nil {
					return nil, err
				}
			}
		}
		if s.URI == "" {
			switch {
			case s.System.ID == PlayReady.ID:
				s.URI = "data:text/plain;charset=UTF-16;base64," + base64.StdEncoding.EncodeToString(s.PlayReadyObject)
			case s.PSSH != nil:
				s.URI = "data:text/plain;base64," + base64.StdEncoding.EncodeToString(s.PSSH)
			}
		}
		out = append(out, s)
	}
	return out, nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// applyGiven replaces generated signalling with a CPIX DRMSystem's.
func applyGiven(s *Signal, g *SystemData) error {
	if len(g.PSSH) > 0 {
		p, err := ParsePSSH(g.PSSH)
		if err != nil {
			return fmt.Errorf("CPIX DRMSystem %s for key %s: PSSH: %w", g.System.Name, g.KID, err)
		}
		if p.SystemID != s.System.ID {
			return fmt.Errorf("CPIX DRMSystem %s for key %s: PSSH of system %s: %w", g.System.Name, g.KID, p.SystemID, ErrMalformed)
		}
		s.PSSH = g.PSSH
		if s.System.ID == PlayReady.ID {
			s.PlayReadyObject = p.Data
		}
		s.URI = ""
	}
	if g.ContentProtectionData != "" {
		cpd, err := parseContentProtectionData(g.ContentProtectionData)
		if err != nil {
			return fmt.Errorf("CPIX DRMSystem %s for key %s: ContentProtectionData: %w", g.System.Name, g.KID, err)
		}
		if cpd.pssh != nil {
			s.PSSH = cpd.pssh
			s.URI = ""
		}
		if cpd.pro != nil {
			s.PlayReadyObject = cpd.pro
			s.URI = ""
		}
		if cpd.laURL != "" {
			s.LicenseURL = cpd.laURL
		}
	}
	if g.URIExtXKey != "" {
		s.URI = g.URIExtXKey
	}
	s.HLSMedia, s.HLSMaster = g.HLSMedia, g.HLSMaster
	return nil
}

// PSSHBoxes returns the pssh boxes of signals, for an init segment.
func PSSHBoxes(signals []Signal) [][]byte {
	var out [][]byte
	for _, s := range signals {
		if len(s.PSSH) > 0 {
			out = append(out, s.PSSH)
		}
	}
	return out
}
