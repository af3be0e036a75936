package pipeline

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/vpack-dev/vpack/encode"
	"github.com/vpack-dev/vpack/packager"
	"github.com/vpack-dev/vpack/subtitle"
)

// sdhCharacteristics are the HLS CHARACTERISTICS of subtitles for the deaf
// and hard of hearing (Apple HLS authoring specification).
const sdhCharacteristics = "public.accessibility.transcribes-spoken-dialog,public.accessibility.describes-music-and-sound"

// sourceSubtitles extracts the source's text subtitle streams and returns
// them followed by the side-car files. A side-car file replaces a source
// stream of the same language and kind (forced or not), so a user can fix a
// broken embedded track by giving a file. Bitmap streams and empty text
// streams are skipped with a warning.
func sourceSubtitles(ctx context.Context, r encode.Runner, probe *encode.Probe, out *OutDir,
	sidecar []packager.Subtitle, log *slog.Logger) ([]packager.Subtitle, error) {
	if len(probe.Subtitles) == 0 {
		return sidecar, nil
	}
	dir, err := out.Scratch("subtitles")
	if err != nil {
		return nil, err
	}
	extracted, skipped, err := encode.ExtractSubtitles(ctx, r, probe, dir)
	if err != nil {
		return nil, err
	}
	for _, s := range skipped {
		log.Warn("subtitle stream skipped: bitmap subtitles need OCR; give a text file with --subtitles",
			"stream", s.Index, "codec", s.Codec, "language", s.Language)
	}
	given := make(map[string]bool)
	for _, s := range sidecar {
		given[s.Language+fmt.Sprint(s.Forced)] = true
	}
	var subs []packager.Subtitle
	for _, x := range extracted {
		lang := x.Stream.Language
		if lang == "" {
			lang = "und"
		}
		norm, err := subtitle.Language(lang)
		if err != nil {
			log.Warn("subtitle stream has an unknown language code; packaged as und", "stream", x.Stream.Index, "language", lang)
			norm = "und"
		}
		if given[norm+fmt.Sprint(x.Stream.Forced)] {
			log.Info("subtitle stream replaced by a side-car file", "stream", x.Stream.Index, "language", norm)
			continue
		}
		data, err := os.ReadFile(x.Path)
		if err != nil {
			return nil, err
		}
		if !bytes.Contains(data, []byte("-->")) {
			log.Warn("subtitle stream has no cues; skipped", "stream", x.Stream.Index, "language", norm)
			continue
		}
		s := packager.Subtitle{Path: x.Path, Language: norm, Name: x.Stream.Title, Forced: x.Stream.Forced, Default: x.Stream.Default}
		if x.Stream.HearingImpaired {
			s.Characteristics = sdhCharacteristics
		}
		subs = append(subs, s)
	}
	return append(subs, sidecar...), nil
}

// thumbnails makes the tiled thumbnails of the source into a scratch
// folder for the packager.
func thumbnails(ctx context.Context, r encode.Runner, probe *encode.Probe, out *OutDir, cfg encode.ThumbnailConfig) (*packager.Thumbnails, error) {
	dir, err := out.Scratch("thumbnails")
	if err != nil {
		return nil, err
	}
	cfg.Dir = dir
	res, err := encode.Thumbnails(ctx, r, probe.Path, probe, cfg)
	if err != nil {
		return nil, err
	}
	th := &packager.Thumbnails{Interval: res.Interval, Width: res.Width, Height: res.Height, Cols: res.Cols, Rows: res.Rows}
	for _, t := range res.Tiles {
		th.Tiles = append(th.Tiles, packager.ThumbnailTile{Path: t.Path, Count: t.Count})
	}
	return th, nil
}

// subtitleExts are the side-car subtitle files SidecarSubtitles picks up.
var subtitleExts = setOf(".vtt", ".srt", ".ttml", ".dfxp")

// SidecarSubtitles finds the subtitle files that sit beside a mezzanine and
// name it: movie.mov takes movie.en.vtt, movie.fr.srt, movie.de.forced.vtt,
// movie.en.sdh.ttml. Files whose middle part is not a known language
// (optionally followed by forced or sdh) are not side-cars of the title and
// are left alone. The result is sorted by file name.
func SidecarSubtitles(mezzanine string) ([]packager.Subtitle, error) {
	dir := filepath.Dir(mezzanine)
	stem := strings.TrimSuffix(filepath.Base(mezzanine), filepath.Ext(mezzanine))
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var subs []packager.Subtitle
	for _, e := range entries {
		name := e.Name()
		ext := strings.ToLower(filepath.Ext(name))
		if e.IsDir() || !subtitleExts[ext] || !strings.HasPrefix(name, stem+".") {
			continue
		}
		parts := strings.Split(strings.TrimSuffix(strings.TrimPrefix(name, stem+"."), filepath.Ext(name)), ".")
		lang, err := subtitle.Language(parts[0])
		if err != nil || len(parts) > 2 {
			continue
		}
		s := packager.Subtitle{Path: filepath.Join(dir, name), Language: lang}
		if len(parts) == 2 {
			switch strings.ToLower(parts[1]) {
			case "forced":
				s.Forced = true
			case "sdh", "cc":
				s.Characteristics = sdhCharacteristics
			default:
				continue
			}
		}
		subs = append(subs, s)
	}
	return subs, nil
}
