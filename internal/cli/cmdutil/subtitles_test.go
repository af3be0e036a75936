package cmdutil

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/vpack-dev/vpack/encode"
	"github.com/vpack-dev/vpack/packager"
)

func TestSubtitleFlags(t *testing.T) {
	subs, format, err := SubtitleFlags{
		Values: []string{"en=en.vtt", "de:forced=de.vtt", "fra:sdh:default=fr.srt", "en:forced=a=b.vtt", "es:-1.5s=es.srt"},
		Format: "stpp",
	}.Resolve()
	if err != nil {
		t.Fatal(err)
	}
	want := []packager.Subtitle{
		{Path: "en.vtt", Language: "en"},
		{Path: "de.vtt", Language: "de", Forced: true},
		{Path: "fr.srt", Language: "fr", Characteristics: sdhCharacteristics, Default: true},
		{Path: "a=b.vtt", Language: "en", Forced: true},
		{Path: "es.srt", Language: "es", Offset: -1500 * time.Millisecond},
	}
	if format != packager.SubtitleSTPP || len(subs) != len(want) {
		t.Fatalf("got %v %+v", format, subs)
	}
	for i := range want {
		if subs[i] != want[i] {
			t.Errorf("subtitle %d = %+v, want %+v", i, subs[i], want[i])
		}
	}

	for _, tc := range []struct {
		flags SubtitleFlags
		want  string
	}{
		{SubtitleFlags{Values: []string{"en.vtt"}}, "want lang=file"},
		{SubtitleFlags{Values: []string{"=en.vtt"}}, "want lang=file"},
		{SubtitleFlags{Values: []string{"en="}}, "want lang=file"},
		{SubtitleFlags{Values: []string{"xx=a.vtt"}}, `unknown language code "xx"`},
		{SubtitleFlags{Values: []string{"en:bold=a.vtt"}}, `unknown flag "bold"`},
		{SubtitleFlags{Values: []string{"en:+1x=a.vtt"}}, `bad timing offset "+1x"`},
		{SubtitleFlags{Values: []string{"en=a.vtt", "eng=b.vtt"}}, "both en"},
		{SubtitleFlags{Format: "ttml"}, "--subtitle-format must be"},
	} {
		_, _, err := tc.flags.Resolve()
		var fe *FlagError
		if !errors.As(err, &fe) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: err = %v, want a FlagError containing %q", tc.flags, err, tc.want)
		}
	}
}

func TestThumbnailFlags(t *testing.T) {
	cfg, err := ThumbnailFlags{Interval: 10 * time.Second, Size: "320x0", Grid: "5x4"}.Resolve()
	if err != nil || cfg == nil || *cfg != (encode.ThumbnailConfig{Interval: 10 * time.Second, Width: 320, Height: 0, Cols: 5, Rows: 4}) {
		t.Fatalf("got %+v, %v", cfg, err)
	}
	if cfg, err := (ThumbnailFlags{Size: "junk"}).Resolve(); cfg != nil || err != nil {
		t.Errorf("no --thumbnails: %+v, %v; want nil and no error", cfg, err)
	}
	for _, f := range []ThumbnailFlags{
		{Interval: 50 * time.Millisecond, Size: "320x180", Grid: "5x5"},
		{Interval: time.Second, Size: "320", Grid: "5x5"},
		{Interval: time.Second, Size: "8x8", Grid: "5x5"},
		{Interval: time.Second, Size: "320x180", Grid: "0x5"},
		{Interval: time.Second, Size: "320x180", Grid: "5x0"},
		{Interval: time.Second, Size: "320x180", Grid: "21x1"},
	} {
		var fe *FlagError
		if _, err := f.Resolve(); !errors.As(err, &fe) {
			t.Errorf("%+v: err = %v, want a FlagError", f, err)
		}
	}
}
