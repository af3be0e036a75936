package subtitle

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestClip(t *testing.T) {
	doc := &Document{Cues: []Cue{
		{Start: ms(0), End: ms(1000), Text: "a"},
		{Start: ms(1500), End: ms(3000), Text: "crosses the end"},
		{Start: ms(2000), End: ms(2500), Text: "at the end"},
		{Start: ms(2500), End: ms(4000), Text: "starts at the end"},
	}}
	doc.Clip(ms(2500))
	want := []Cue{
		{Start: ms(0), End: ms(1000), Text: "a"},
		{Start: ms(1500), End: ms(2500), Text: "crosses the end"},
		{Start: ms(2000), End: ms(2500), Text: "at the end"},
	}
	if diff := cmp.Diff(want, doc.Cues); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestShift(t *testing.T) {
	cues := []Cue{
		{Start: ms(0), End: ms(400), Text: "ends before 0"},
		{Start: ms(0), End: ms(500), Text: "ends at 0"},
		{Start: ms(300), End: ms(1000), Text: "clamped"},
		{Start: ms(2000), End: ms(3000), Text: "karaoke <00:00:02.500>x"},
	}
	doc := &Document{Cues: append([]Cue{}, cues...)}
	doc.Shift(-ms(500))
	want := []Cue{
		{Start: 0, End: ms(500), Text: "clamped"},
		{Start: ms(1500), End: ms(2500), Text: "karaoke <00:00:02.000>x"},
	}
	if diff := cmp.Diff(want, doc.Cues); diff != "" {
		t.Errorf("negative (-want +got):\n%s", diff)
	}
	doc = &Document{Cues: append([]Cue{}, cues...)}
	doc.Shift(ms(1000))
	if got := doc.Cues[3]; got.Start != ms(3000) || got.Text != "karaoke <00:00:03.500>x" {
		t.Errorf("positive: %+v", got)
	}
}

func TestMergeSplitCues(t *testing.T) {
	in := []Cue{
		{Start: 0, End: ms(1000), Text: "a"},
		{Start: ms(500), End: ms(1000), Text: "b"},
		{Start: ms(1000), End: ms(2000), Text: "a"},
		{Start: ms(1000), End: ms(1500), Text: "b", Settings: "line:0"}, // differs: not joined
		{Start: ms(2500), End: ms(3000), Text: "a"},                     // a gap: not joined
	}
	want := []Cue{
		{Start: 0, End: ms(2000), Text: "a"},
		{Start: ms(500), End: ms(1000), Text: "b"},
		{Start: ms(1000), End: ms(1500), Text: "b", Settings: "line:0"},
		{Start: ms(2500), End: ms(3000), Text: "a"},
	}
	if diff := cmp.Diff(want, mergeSplitCues(in)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
