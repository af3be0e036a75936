package validate

import (
	"bytes"
	"fmt"
	"math/bits"
	"strconv"
	"strings"

	"github.com/Eyevinn/mp4ff/aac"
	"github.com/Eyevinn/mp4ff/mp4"
)

// codecString derives the RFC 6381 codecs parameter of a sample entry
// from its configuration box, independently of how the packager did it:
// avc1.PPCCLL (ISO/IEC 14496-15 Annex E for HEVC), av01.P.LLT.DD,
// vp09.PP.LL.DD, mp4a.40.AOT, ac-3, ec-3, opus, flac, wvtt, stpp. format
// is the original format (frma) of an encrypted entry. It returns "" when
// the entry cannot be named.
func codecString(format string, entry mp4.Box) string {
	switch e := entry.(type) {
	case *mp4.VisualSampleEntryBox:
		switch {
		case (format == "avc1" || format == "avc3") && e.AvcC != nil:
			c := e.AvcC
			return fmt.Sprintf("%s.%02x%02x%02x", format, c.AVCProfileIndication, c.ProfileCompatibility, c.AVCLevelIndication)
		case (format == "hvc1" || format == "hev1" || format == "dvh1" || format == "dvhe") && e.HvcC != nil:
			return hevcCodecString(format, e.HvcC)
		case format == "av01" && e.Av1C != nil:
			if sh, err := e.Av1C.SequenceHeader(); err == nil && sh != nil {
				return sh.CodecString(format)
			}
			return e.Av1C.CodecString(format)
		case format == "vp09" && e.VppC != nil:
			return fmt.Sprintf("vp09.%02d.%02d.%02d", e.VppC.Profile, e.VppC.Level, e.VppC.BitDepth)
		}
	case *mp4.AudioSampleEntryBox:
		switch format {
		case "mp4a":
			if e.Esds == nil || e.Esds.DecConfigDescriptor == nil {
				return ""
			}
			dcd := e.Esds.DecConfigDescriptor
			if dcd.ObjectType != mp4.ObjectTypeAAC {
				return fmt.Sprintf("mp4a.%02X", dcd.ObjectType)
			}
			if dcd.DecSpecificInfo == nil {
				return "mp4a.40"
			}
			asc, err := aac.DecodeAudioSpecificConfig(bytes.NewReader(dcd.DecSpecificInfo.DecConfig))
			if err != nil {
				return "mp4a.40"
			}
			aot := asc.ObjectType
			switch {
			case asc.PSPresentFlag:
				aot = aac.HEAACv2
			case asc.SBRPresentFlag:
				aot = aac.HEAACv1
			}
			return fmt.Sprintf("mp4a.40.%d", aot)
		case "ac-3", "ec-3", "ac-4":
			return format
		case "Opus":
			return "opus"
		case "fLaC":
			return "flac"
		}
	default:
		switch format {
		case "wvtt", "stpp":
			return format
		}
	}
	return ""
}

// hevcCodecString is ISO/IEC 14496-15 Annex E: profile space and profile,
// the compatibility flags reversed in hex, tier and level, and the
// constraint bytes without trailing zero bytes.
func hevcCodecString(format string, c *mp4.HvcCBox) string {
	var b strings.Builder
	b.WriteString(format)
	b.WriteByte('.')
	if c.GeneralProfileSpace > 0 && c.GeneralProfileSpace < 4 {
		b.WriteByte("ABC"[c.GeneralProfileSpace-1])
	}
	fmt.Fprintf(&b, "%d.%X.", c.GeneralProfileIDC, bits.Reverse32(c.GeneralProfileCompatibilityFlags))
	if c.GeneralTierFlag {
		b.WriteByte('H')
	} else {
		b.WriteByte('L')
	}
	fmt.Fprintf(&b, "%d", c.GeneralLevelIDC)
	var cb [6]byte
	for i := range cb {
		cb[i] = byte(c.GeneralConstraintIndicatorFlags >> (8 * (5 - i)))
	}
	n := 6
	for n > 1 && cb[n-1] == 0 {
		n--
	}
	for _, x := range cb[:n] {
		fmt.Fprintf(&b, ".%X", x)
	}
	return b.String()
}

// codecMatches reports whether a declared codecs entry names the codec of
// the media. Hex and case variations are tolerated where RFC 6381 allows
// them: avc1 profile/level digits are compared as bytes, HEVC as profile,
// tier and level (constraint bytes vary between writers), MPEG-4 audio as
// object type and AOT numbers.
func codecMatches(declared, actual string) bool {
	d, a := strings.ToLower(strings.TrimSpace(declared)), strings.ToLower(actual)
	if d == a {
		return true
	}
	dp, ap := strings.Split(d, "."), strings.Split(a, ".")
	if dp[0] != ap[0] {
		return false
	}
	switch dp[0] {
	case "avc1", "avc3":
		return len(dp) == 2 && len(ap) == 2 && hexEqual(dp[1], ap[1])
	case "hvc1", "hev1", "dvh1", "dvhe":
		if len(dp) < 4 || len(ap) < 4 {
			return false
		}
		return dp[1] == ap[1] && dp[3] == ap[3]
	case "mp4a":
		if len(dp) != len(ap) {
			return false
		}
		for i := 1; i < len(dp); i++ {
			x, err1 := strconv.ParseUint(dp[i], 16, 16)
			y, err2 := strconv.ParseUint(ap[i], 16, 16)
			if i == 2 { // the AOT is decimal
				x, err1 = strconv.ParseUint(dp[i], 10, 16)
				y, err2 = strconv.ParseUint(ap[i], 10, 16)
			}
			if err1 != nil || err2 != nil || x != y {
				return false
			}
		}
		return true
	case "stpp", "wvtt":
		// The sample entry names the format only; the rest of an stpp
		// codecs string (stpp.ttml.im1t) is the profile of the documents.
		return len(ap) == 1
	case "av01", "vp09":
		if len(dp) < 4 || len(ap) < 4 {
			return false
		}
		for i := 1; i < 4; i++ {
			if strings.TrimLeft(dp[i], "0") != strings.TrimLeft(ap[i], "0") {
				return false
			}
		}
		return true
	}
	return false
}

func hexEqual(a, b string) bool {
	x, err1 := strconv.ParseUint(a, 16, 32)
	y, err2 := strconv.ParseUint(b, 16, 32)
	return err1 == nil && err2 == nil && x == y && len(a) == len(b)
}

// splitCodecs splits an HLS CODECS or DASH @codecs list.
func splitCodecs(s string) []string {
	var out []string
	for _, c := range strings.Split(s, ",") {
		if c = strings.TrimSpace(c); c != "" {
			out = append(out, c)
		}
	}
	return out
}
