package subtitle

import (
	"bytes"
	"fmt"
	"time"

	"github.com/Eyevinn/mp4ff/mp4"
)

// Timescale is the media timescale (ticks per second) of the fMP4 text
// tracks this package writes: milliseconds, the precision of WebVTT and of
// the cue times read from any format.
const Timescale = 1000

// Codec strings (RFC 6381) of the fMP4 text tracks, for HLS CODECS and
// DASH @codecs.
const (
	WVTTCodecs = "wvtt"           // ISO/IEC 14496-30 WebVTT
	STPPCodecs = "stpp.ttml.im1t" // ISO/IEC 14496-30 TTML, IMSC1 text profile
)

// cmafBrands are the ftyp brands of the CMAF headers this package writes,
// the packager's: cmfc (CMAF, ISO/IEC 23000-19 §7.2), iso6, mp41.
var cmafBrands = []string{"cmfc", "iso6", "mp41"}

// ticks converts d to Timescale ticks, rounded; negative times are 0.
func ticks(d time.Duration) uint64 { return uint64(roundMs(max(d, 0)).Milliseconds()) }

// fromTicks converts ticks in timescale to a duration, rounded to the
// millisecond.
func fromTicks(t uint64, timescale uint32) time.Duration {
	return roundMs(time.Duration(float64(t) * float64(time.Second) / float64(timescale)))
}

// encodeInit writes a CMAF header with one text track: mediaType is mp4ff's
// name for the handler ("wvtt" gives hdlr text and nmhd, "subtitle" hdlr
// subt and sthd, as ISO/IEC 14496-30 §§7.1, 6.1 ask), entry the sample
// entry. language is a BCP 47 tag: a bare ISO 639 language goes into mdhd,
// anything else into elng (mdhd then says "und").
func encodeInit(mediaType, handlerName, language string, entry mp4.Box) ([]byte, error) {
	in := mp4.CreateEmptyInit()
	ftyp := mp4.NewFtyp(cmafBrands[0], 0, cmafBrands)
	in.Ftyp = ftyp
	in.Children[0] = ftyp
	in.Moov.Mvhd.Timescale = Timescale
	lang := iso6392(language)
	switch {
	case lang != "":
	case language == "":
		lang = "und"
	default:
		lang = language
	}
	trak := in.AddEmptyTrack(Timescale, mediaType, lang)
	trak.Mdia.Hdlr.Name = handlerName
	trak.Mdia.Minf.Stbl.Stsd.AddChild(entry)
	var buf bytes.Buffer
	if err := in.Encode(&buf); err != nil {
		return nil, fmt.Errorf("encode init segment: %w", err)
	}
	return buf.Bytes(), nil
}

// sample is one text sample: its decode time and duration in Timescale
// ticks, and its payload.
type sample struct {
	start, dur uint64
	data       []byte
}

// encodeSegment writes one CMAF media segment: a styp (msdh, cmfs, as the
// packager writes), then one moof+mdat holding samples, every one a sync
// sample, tfdt the first sample's decode time.
func encodeSegment(seq uint32, samples []sample) ([]byte, error) {
	seg := mp4.NewMediaSegmentWithStyp(mp4.NewStyp("msdh", 0, []string{"msdh", "cmfs"}))
	seg.EncOptimize = mp4.OptimizeTrun
	frag, err := mp4.CreateFragment(seq, 1)
	if err != nil {
		return nil, err
	}
	for _, s := range samples {
		if s.dur > 1<<32-1 {
			return nil, fmt.Errorf("sample of %d ms is too long", s.dur)
		}
		frag.AddFullSample(mp4.FullSample{
			Sample:     mp4.Sample{Flags: mp4.SyncSampleFlags, Dur: uint32(s.dur), Size: uint32(len(s.data))},
			DecodeTime: s.start,
			Data:       s.data,
		})
	}
	seg.AddFragment(frag)
	var buf bytes.Buffer
	if err := seg.Encode(&buf); err != nil {
		return nil, fmt.Errorf("encode media segment: %w", err)
	}
	return buf.Bytes(), nil
}

// textTrack is an fMP4 text track decoded for reading back.
type textTrack struct {
	timescale uint32
	language  string
	entry     mp4.Box
	trex      *mp4.TrexBox
}

// decodeInit reads the CMAF header of a text track.
func decodeInit(data []byte) (t *textTrack, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: corrupt init segment (%v)", ErrSyntax, r)
		}
	}()
	f, err := mp4.DecodeFile(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: init segment: %v", ErrSyntax, err)
	}
	if f.Init == nil || f.Init.Moov == nil || f.Init.Moov.Trak == nil || f.Init.Moov.Mvex == nil {
		return nil, fmt.Errorf("%w: not an init segment with one track", ErrSyntax)
	}
	trak := f.Init.Moov.Trak
	if trak.Mdia == nil || trak.Mdia.Mdhd == nil || trak.Mdia.Minf == nil || trak.Mdia.Minf.Stbl == nil ||
		trak.Mdia.Minf.Stbl.Stsd == nil || len(trak.Mdia.Minf.Stbl.Stsd.Children) == 0 || trak.Mdia.Mdhd.Timescale == 0 {
		return nil, fmt.Errorf("%w: incomplete trak box", ErrSyntax)
	}
	t = &textTrack{timescale: trak.Mdia.Mdhd.Timescale, language: trak.Mdia.Mdhd.GetLanguage(),
		entry: trak.Mdia.Minf.Stbl.Stsd.Children[0], trex: f.Init.Moov.Mvex.Trex}
	if trak.Mdia.Elng != nil && trak.Mdia.Elng.Language != "" {
		t.language = trak.Mdia.Elng.Language
	}
	return t, nil
}

// samples decodes a media segment and returns its samples, times in the
// track timescale.
func (t *textTrack) samples(data []byte) (out []sample, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: corrupt media segment (%v)", ErrSyntax, r)
		}
	}()
	f, err := mp4.DecodeFile(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrSyntax, err)
	}
	for _, seg := range f.Segments {
		for _, frag := range seg.Fragments {
			fs, err := frag.GetFullSamples(t.trex)
			if err != nil {
				return nil, fmt.Errorf("%w: %v", ErrSyntax, err)
			}
			for _, s := range fs {
				out = append(out, sample{start: s.DecodeTime, dur: uint64(s.Dur), data: s.Data})
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: no samples", ErrSyntax)
	}
	return out, nil
}

// readTrack decodes a text track: per sample, cues converts the payload
// (the sample's interval given, in track ticks) to cues. The pieces of
// cues split over samples and segments are joined.
func readTrack(init []byte, segments [][]byte, check func(mp4.Box) error,
	cues func(name string, s sample, t *textTrack) ([]Cue, error)) (*textTrack, []Cue, error) {
	t, err := decodeInit(init)
	if err != nil {
		return nil, nil, err
	}
	if err := check(t.entry); err != nil {
		return nil, nil, err
	}
	var all []Cue
	for i, seg := range segments {
		ss, err := t.samples(seg)
		if err != nil {
			return nil, nil, fmt.Errorf("segment %d: %w", i+1, err)
		}
		for k, s := range ss {
			cs, err := cues(fmt.Sprintf("segment %d sample %d", i+1, k+1), s, t)
			if err != nil {
				return nil, nil, fmt.Errorf("segment %d: sample %d: %w", i+1, k+1, err)
			}
			all = append(all, cs...)
		}
	}
	sortCues(all)
	return t, mergeSplitCues(all), nil
}
