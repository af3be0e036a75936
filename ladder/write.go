package ladder

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// writeLadder is the file format (doc.go) as Marshal writes it: defaults
// left out, so a written ladder reads like a hand-written one.
type writeLadder struct {
	Name     string      `json:"name,omitempty"`
	Codec    Codec       `json:"codec,omitempty"`
	Video    []writeRung `json:"video"`
	Audio    []Audio     `json:"audio"`
	Analysis *Analysis   `json:"analysis,omitempty"`
}

type writeRung struct {
	Name           string  `json:"name,omitempty"`
	Width          int     `json:"width"`
	Height         int     `json:"height"`
	Codec          Codec   `json:"codec,omitempty"`
	BitrateKbps    int     `json:"bitrate_kbps"`
	HDRBitrateKbps int     `json:"hdr_bitrate_kbps,omitempty"`
	MaxrateKbps    int     `json:"maxrate_kbps,omitempty"`
	BufsizeKbps    int     `json:"bufsize_kbps,omitempty"`
	CRF            float64 `json:"crf,omitempty"`
	MaxFPS         float64 `json:"max_fps,omitempty"`
}

// Marshal writes l in the ladder file format (see the package
// documentation), indented, with the per-title Analysis when l has one.
// Parse reads it back to the same ladder. Frame rates set by Adapt are not
// part of the format and are left out.
func Marshal(l Ladder) ([]byte, error) {
	if field, problem := check(l); field != "" {
		return nil, fmt.Errorf("ladder %s: %s: %s", l.Name, field, problem)
	}
	wl := writeLadder{Name: l.Name, Codec: l.Codec, Audio: l.Audio, Analysis: l.Analysis}
	if wl.Audio == nil {
		wl.Audio = DefaultAudio()
	}
	for _, r := range l.Video {
		wl.Video = append(wl.Video, writeRung{
			Name: r.Name, Width: r.Width, Height: r.Height, Codec: r.Codec, BitrateKbps: r.BitrateKbps,
			HDRBitrateKbps: r.HDRBitrateKbps, MaxrateKbps: r.MaxrateKbps, BufsizeKbps: r.BufsizeKbps,
			CRF: r.CRF, MaxFPS: r.MaxFrameRate,
		})
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	if err := enc.Encode(wl); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// WriteFile writes l to path (Marshal) atomically: a temporary file in the
// same folder, renamed over path when complete, so a reader never sees half
// a ladder.
func WriteFile(path string, l Ladder) error {
	data, err := Marshal(l)
	if err != nil {
		return err
	}
	return writeAtomic(path, data)
}

// writeAtomic writes data to a temporary file beside path and renames it.
func writeAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, werr := f.Write(data)
	cerr := f.Close()
	if err := firstErr(werr, cerr); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}
