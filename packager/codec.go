package packager

import (
	"bytes"
	"fmt"
	"math/bits"
	"strings"

	"github.com/Eyevinn/mp4ff/aac"
	"github.com/Eyevinn/mp4ff/mp4"

	"github.com/vpack-dev/vpack/manifest"
)

// mediaInfo is what the sample entry (and, for the frame rate, the sample
// durations) says about a track.
type mediaInfo struct {
	codecs     string // RFC 6381
	codecToken string // short name for IDs: "h264", "aac", "ec3"
	codecLabel string // human name: "AAC", "E-AC-3"

	width, height  int
	sarNum, sarDen int
	frameRate      manifest.Rate

	channels   int
	sampleRate int
}

// describe reads a sample entry. Encrypted and unknown sample entries are
// refused: vpack packages clear media it can name in a manifest.
func describe(kind manifest.TrackType, entry mp4.Box) (mediaInfo, error) {
	var mi mediaInfo
	typ := entry.Type()
	switch e := entry.(type) {
	case *mp4.VisualSampleEntryBox:
		if kind != manifest.Video {
			return mi, fmt.Errorf("%w: %s sample entry in a %s track", ErrNotMP4, typ, kind)
		}
		mi.width, mi.height = int(e.Width), int(e.Height)
		mi.sarNum, mi.sarDen = 1, 1
		if e.Pasp != nil && e.Pasp.HSpacing != 0 && e.Pasp.VSpacing != 0 {
			mi.sarNum, mi.sarDen = int(e.Pasp.HSpacing), int(e.Pasp.VSpacing)
		}
		switch {
		case (typ == "avc1" || typ == "avc3") && e.AvcC != nil:
			c := e.AvcC
			mi.codecs = fmt.Sprintf("%s.%02x%02x%02x", typ, c.AVCProfileIndication, c.ProfileCompatibility, c.AVCLevelIndication)
			mi.codecToken, mi.codecLabel = "h264", "H.264"
		case (typ == "hvc1" || typ == "hev1") && e.HvcC != nil:
			mi.codecs = hevcCodecs(typ, e.HvcC)
			mi.codecToken, mi.codecLabel = "hevc", "HEVC"
		case typ == "av01" && e.Av1C != nil:
			mi.codecs = e.Av1C.CodecString(typ)
			if sh, err := e.Av1C.SequenceHeader(); err == nil && sh != nil {
				mi.codecs = sh.CodecString(typ)
			}
			mi.codecToken, mi.codecLabel = "av1", "AV1"
		case typ == "vp09" && e.VppC != nil:
			mi.codecs = fmt.Sprintf("vp09.%02d.%02d.%02d", e.VppC.Profile, e.VppC.Level, e.VppC.BitDepth)
			mi.codecToken, mi.codecLabel = "vp9", "VP9"
		case typ == "encv":
			return mi, fmt.Errorf("%w: encrypted video (encv)", ErrUnsupported)
		default:
			return mi, fmt.Errorf("%w: video codec %q", ErrUnsupported, typ)
		}
		if mi.width == 0 || mi.height == 0 {
			return mi, fmt.Errorf("%w: %s sample entry has no picture size", ErrNotMP4, typ)
		}
	case *mp4.AudioSampleEntryBox:
		if kind != manifest.Audio {
			return mi, fmt.Errorf("%w: %s sample entry in a %s track", ErrNotMP4, typ, kind)
		}
		mi.channels = int(e.ChannelCount)
		mi.sampleRate = int(e.SampleRate)
		switch {
		case typ == "mp4a" && e.Esds != nil && e.Esds.DecConfigDescriptor != nil:
			if err := describeMP4A(&mi, e.Esds.DecConfigDescriptor); err != nil {
				return mi, err
			}
		case typ == "ac-3":
			mi.codecs, mi.codecToken, mi.codecLabel = "ac-3", "ac3", "AC-3"
			if e.Dac3 != nil {
				mi.channels, _ = e.Dac3.ChannelInfo()
			}
		case typ == "ec-3":
			mi.codecs, mi.codecToken, mi.codecLabel = "ec-3", "ec3", "E-AC-3"
			if e.Dec3 != nil {
				mi.channels, _ = e.Dec3.ChannelInfo()
			}
		case typ == "Opus":
			mi.codecs, mi.codecToken, mi.codecLabel = "opus", "opus", "Opus"
			if e.Dops != nil {
				mi.channels = int(e.Dops.OutputChannelCount)
			}
			mi.sampleRate = 48000 // Opus always decodes at 48 kHz
		case typ == "fLaC":
			mi.codecs, mi.codecToken, mi.codecLabel = "flac", "flac", "FLAC"
		case typ == "enca":
			return mi, fmt.Errorf("%w: encrypted audio (enca)", ErrUnsupported)
		default:
			return mi, fmt.Errorf("%w: audio codec %q", ErrUnsupported, typ)
		}
	default:
		return mi, fmt.Errorf("%w: %s sample entry", ErrUnsupported, typ)
	}
	return mi, nil
}

// describeMP4A names an mp4a entry from its esds: "mp4a.40.<AOT>" for
// MPEG-4 audio (RFC 6381 §3.3), "mp4a.6B" for MP3.
func describeMP4A(mi *mediaInfo, dcd *mp4.DecoderConfigDescriptor) error {
	switch dcd.ObjectType {
	case mp4.ObjectTypeAAC:
		if dcd.DecSpecificInfo == nil || len(dcd.DecSpecificInfo.DecConfig) == 0 {
			return fmt.Errorf("%w: AAC without AudioSpecificConfig", ErrNotMP4)
		}
		asc, err := aac.DecodeAudioSpecificConfig(bytes.NewReader(dcd.DecSpecificInfo.DecConfig))
		if err != nil {
			return fmt.Errorf("%w: AudioSpecificConfig: %v", ErrUnsupported, err)
		}
		aot := asc.ObjectType
		switch {
		case asc.PSPresentFlag:
			aot = aac.HEAACv2
		case asc.SBRPresentFlag:
			aot = aac.HEAACv1
		}
		mi.codecs = fmt.Sprintf("mp4a.40.%d", aot)
		mi.codecToken, mi.codecLabel = "aac", "AAC"
		if aot == aac.HEAACv1 || aot == aac.HEAACv2 {
			mi.codecToken, mi.codecLabel = "heaac", "HE-AAC"
		}
		switch ch := int(asc.ChannelConfiguration); {
		case ch >= 1 && ch <= 6:
			mi.channels = ch
		case ch == 7:
			mi.channels = 8
		}
		if asc.SamplingFrequency > 0 && mi.sampleRate == 0 {
			mi.sampleRate = asc.SamplingFrequency
		}
	case mp4.ObjectTypeMP3, mp4.ObjectTypeMPEG2Audio:
		mi.codecs = fmt.Sprintf("mp4a.%02X", dcd.ObjectType)
		mi.codecToken, mi.codecLabel = "mp3", "MP3"
	default:
		return fmt.Errorf("%w: mp4a object type 0x%02x", ErrUnsupported, dcd.ObjectType)
	}
	return nil
}

// hevcCodecs builds the HEVC codecs parameter of ISO/IEC 14496-15 Annex E
// from the hvcC record: profile space and profile, the reversed
// compatibility flags in hex, tier and level, then the constraint bytes
// without trailing zero bytes (but at least one).
func hevcCodecs(typ string, c *mp4.HvcCBox) string {
	var b strings.Builder
	b.WriteString(typ)
	b.WriteByte('.')
	if c.GeneralProfileSpace > 0 {
		b.WriteByte("ABC"[c.GeneralProfileSpace-1])
	}
	fmt.Fprintf(&b, "%d.%X.", c.GeneralProfileIDC, bits.Reverse32(c.GeneralProfileCompatibilityFlags))
	if c.GeneralTierFlag {
		b.WriteByte('H')
	} else {
		b.WriteByte('L')
	}
	fmt.Fprintf(&b, "%d", c.GeneralLevelIDC)
	cif := c.GeneralConstraintIndicatorFlags // 48 bits
	n := 6
	for n > 1 && (cif>>(8*(6-n)))&0xff == 0 { // keep one byte, as mp4ff and ffmpeg do
		n--
	}
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, ".%X", (cif>>(8*(5-i)))&0xff)
	}
	return b.String()
}
