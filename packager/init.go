package packager

import (
	"bytes"
	"fmt"

	"github.com/Eyevinn/mp4ff/mp4"

	"github.com/vpack-dev/vpack/drm"
	"github.com/vpack-dev/vpack/manifest"
)

// initBrands are the ftyp brands of every CMAF header: cmfc (CMAF, ISO/IEC
// 23000-19 §7.2), iso6 (tfdt v1, trun v1 with signed composition offsets)
// and mp41. Single files add dash for DASH on-demand players.
var initBrands = []string{"cmfc", "iso6", "mp41"}

// buildInit encodes the CMAF header of t: ftyp and a moov with one trak
// (the source's sample entry, unchanged), empty sample tables and mvex/trex.
// Audio with priming gets a one-entry edit list whose media_time skips it
// (segment_duration 0: the edit spans all fragments, §8.6.6.1).
func buildInit(t *outTrack, singleFile bool) ([]byte, error) {
	in := mp4.CreateEmptyInit()
	brands := initBrands
	if singleFile {
		brands = append(append([]string{}, initBrands...), "dash")
	}
	ftyp := mp4.NewFtyp(brands[0], 0, brands)
	in.Ftyp = ftyp
	in.Children[0] = ftyp
	in.Moov.Mvhd.Timescale = t.src.timescale

	mediaType, lang := "video", "und"
	if t.src.kind == manifest.Audio {
		mediaType, lang = "audio", mdhdLanguage(t.language)
	}
	trak := in.AddEmptyTrack(t.src.timescale, mediaType, lang)
	if t.src.kind == manifest.Video {
		trak.Tkhd.Width, trak.Tkhd.Height = t.src.tkhdW, t.src.tkhdH
		trak.Mdia.Hdlr.Name = "VideoHandler"
	} else {
		trak.Mdia.Hdlr.Name = "SoundHandler"
	}
	entry := t.src.entry
	if t.enc != nil {
		// ProtectInit rewrites the entry (encv/enca, sinf): work on a copy.
		var err error
		if entry, err = drm.CloneEntry(entry); err != nil {
			return nil, fmt.Errorf("copy sample entry: %w", err)
		}
	}
	trak.Mdia.Minf.Stbl.Stsd.AddChild(entry)
	if t.elstMediaTime > 0 {
		elst := &mp4.ElstBox{Entries: []mp4.ElstEntry{{
			SegmentDuration: 0, MediaTime: int64(t.elstMediaTime), MediaRateInteger: 1,
		}}}
		if t.elstMediaTime > 1<<31-1 {
			elst.Version = 1
		}
		edts := &mp4.EdtsBox{}
		edts.AddChild(elst)
		trak.Edts = edts
		// edts goes between tkhd and mdia (§8.3.1 box order).
		children := []mp4.Box{trak.Children[0], edts}
		trak.Children = append(children, trak.Children[1:]...)
	}
	if t.enc != nil {
		if err := t.enc.te.ProtectInit(in, drm.PSSHBoxes(t.enc.signals)); err != nil {
			return nil, fmt.Errorf("protect init segment: %w", err)
		}
		if t.enc.clearSegs > 0 {
			// Clear lead: a second, clear sample entry, which the clear
			// fragments select with tfhd sample_description_index 2, as
			// Shaka Packager does; players that ignore the 'seig' group
			// (ffmpeg) then know these samples are clear.
			clear, err := drm.CloneEntry(t.src.entry)
			if err != nil {
				return nil, fmt.Errorf("copy sample entry: %w", err)
			}
			trak.Mdia.Minf.Stbl.Stsd.AddChild(clear)
		}
	}
	var buf bytes.Buffer
	if err := in.Encode(&buf); err != nil {
		return nil, fmt.Errorf("encode init segment: %w", err)
	}
	return buf.Bytes(), nil
}

// mdhdLanguage is the ISO 639-2/T code for mdhd when the tag is a plain
// language we know or already three letters; otherwise mp4ff writes "und"
// in mdhd and the full tag in an elng box.
func mdhdLanguage(tag string) string {
	for _, l := range languages {
		if tag == l.two {
			return l.three
		}
	}
	return tag
}
