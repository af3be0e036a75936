package cmdutil

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/vpack-dev/vpack/encode"
	"github.com/vpack-dev/vpack/packager"
	"github.com/vpack-dev/vpack/subtitle"
)

// SubtitleFlags are --subtitles and --subtitle-format, shared by `vpack
// encode` and `vpack package`.
type SubtitleFlags struct {
	Values []string // lang[:forced][:sdh][:default]=file, repeatable
	Format string   // wvtt, stpp, sidecar
}

// sdhCharacteristics are the HLS CHARACTERISTICS of subtitles for the deaf
// and hard of hearing (Apple HLS authoring specification, 2.2).
const sdhCharacteristics = "public.accessibility.transcribes-spoken-dialog,public.accessibility.describes-music-and-sound"

// AddSubtitleFlags adds --subtitles and --subtitle-format.
func AddSubtitleFlags(fl *pflag.FlagSet, s *SubtitleFlags) {
	fl.StringArrayVar(&s.Values, "subtitles", nil,
		"subtitle file (WebVTT, SRT, TTML) as `lang=file`; lang may take :forced, :sdh, :default and a timing offset (de:forced:-1.5s=de.vtt); repeatable")
	fl.StringVar(&s.Format, "subtitle-format", "",
		"text tracks: wvtt (fMP4 WebVTT in DASH, segmented WebVTT in HLS; the default), stpp (fMP4 IMSC1 in both) or sidecar (one WebVTT file; the default with --single-file)")
}

// Resolve checks the flags and returns the subtitles to package. Bad values
// are *FlagError (exit 2); the files themselves are read by the packager,
// which names the file and line of a problem.
func (s SubtitleFlags) Resolve() ([]packager.Subtitle, packager.SubtitleFormat, error) {
	format := packager.SubtitleFormat(s.Format)
	switch format {
	case "", packager.SubtitleWVTT, packager.SubtitleSTPP, packager.SubtitleSidecar:
	default:
		return nil, "", FlagErrorf("--subtitle-format must be wvtt, stpp or sidecar, not %q", s.Format)
	}
	var subs []packager.Subtitle
	seen := make(map[string]string)
	for _, v := range s.Values {
		sub, err := parseSubtitle(v)
		if err != nil {
			return nil, "", err
		}
		key := sub.Language + "/" + strconv.FormatBool(sub.Forced) + "/" + sub.Characteristics
		if prev, ok := seen[key]; ok {
			return nil, "", FlagErrorf("--subtitles %s and %s are both %s: give each language (and forced/sdh kind) once", prev, v, describe(sub))
		}
		seen[key] = v
		subs = append(subs, sub)
	}
	return subs, format, nil
}

func describe(s packager.Subtitle) string {
	d := s.Language
	if s.Forced {
		d += " forced"
	}
	if s.Characteristics != "" {
		d += " sdh"
	}
	return d
}

// parseSubtitle reads one --subtitles value: "en=movie.en.vtt",
// "de:forced=de.vtt", "en:sdh:default=en-sdh.srt", "fr:+2s=fr.srt" (cues
// shifted 2 s later).
func parseSubtitle(v string) (packager.Subtitle, error) {
	spec, path, ok := strings.Cut(v, "=")
	if !ok || spec == "" || path == "" {
		return packager.Subtitle{}, FlagErrorf("--subtitles %q: want lang=file, e.g. en=movie.en.vtt or de:forced=de.vtt", v)
	}
	parts := strings.Split(spec, ":")
	lang, err := subtitle.Language(parts[0])
	if err != nil {
		return packager.Subtitle{}, FlagErrorf("--subtitles %q: %v", v, err)
	}
	sub := packager.Subtitle{Path: path, Language: lang}
	for _, p := range parts[1:] {
		switch p {
		case "forced":
			sub.Forced = true
		case "sdh", "cc":
			sub.Characteristics = sdhCharacteristics
		case "default":
			sub.Default = true
		default:
			if strings.HasPrefix(p, "+") || strings.HasPrefix(p, "-") {
				d, err := time.ParseDuration(p)
				if err != nil || d < -24*time.Hour || d > 24*time.Hour {
					return packager.Subtitle{}, FlagErrorf("--subtitles %q: bad timing offset %q (want e.g. +1.5s or -200ms)", v, p)
				}
				sub.Offset = d
				continue
			}
			return packager.Subtitle{}, FlagErrorf("--subtitles %q: unknown flag %q (want forced, sdh, default or an offset like +1.5s)", v, p)
		}
	}
	return sub, nil
}

// ThumbnailFlags are `vpack encode`'s --thumbnails, --thumbnail-size and
// --thumbnail-grid.
type ThumbnailFlags struct {
	Interval time.Duration // 0: no thumbnails
	Size     string        // WxH; "320x0" keeps the aspect ratio
	Grid     string        // CxR thumbnails per tile image
}

// AddThumbnailFlags adds the thumbnail flags.
func AddThumbnailFlags(fl *pflag.FlagSet, t *ThumbnailFlags) {
	fl.DurationVar(&t.Interval, "thumbnails", 0, "make trick-play thumbnails every `interval` (e.g. 10s): tiled JPEGs in HLS, DASH and a WebVTT track")
	fl.StringVar(&t.Size, "thumbnail-size", "320x0", "size of one thumbnail, `WxH`; height 0 keeps the display aspect ratio")
	fl.StringVar(&t.Grid, "thumbnail-grid", "5x5", "thumbnails per tile image, `COLSxROWS`")
}

// Resolve checks the flags and returns the thumbnail configuration, nil
// when no thumbnails were asked for.
func (t ThumbnailFlags) Resolve() (*encode.ThumbnailConfig, error) {
	if t.Interval == 0 {
		return nil, nil
	}
	if t.Interval < 100*time.Millisecond || t.Interval > 10*time.Minute {
		return nil, FlagErrorf("--thumbnails must be between 100ms and 10m, not %s", t.Interval)
	}
	w, h, err := parseWxH(t.Size, true)
	if err != nil || w < 16 || w > 3840 || (h != 0 && (h < 16 || h > 2160)) {
		return nil, FlagErrorf("--thumbnail-size must be WxH between 16x16 and 3840x2160 (height 0 keeps the aspect), not %q", t.Size)
	}
	cols, rows, err := parseWxH(t.Grid, false)
	if err != nil || cols > 20 || rows > 20 {
		return nil, FlagErrorf("--thumbnail-grid must be COLSxROWS from 1x1 to 20x20, not %q", t.Grid)
	}
	return &encode.ThumbnailConfig{Interval: t.Interval, Width: w, Height: h, Cols: cols, Rows: rows}, nil
}

func parseWxH(s string, zeroHeight bool) (int, int, error) {
	a, b, ok := strings.Cut(strings.ToLower(s), "x")
	if !ok {
		return 0, 0, fmt.Errorf("no x")
	}
	w, err1 := strconv.Atoi(a)
	h, err2 := strconv.Atoi(b)
	if err1 != nil || err2 != nil || w < 1 || h < 0 || (h == 0 && !zeroHeight) {
		return 0, 0, fmt.Errorf("bad number")
	}
	return w, h, nil
}
