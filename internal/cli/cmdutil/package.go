package cmdutil

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/vpack-dev/vpack/pipeline"
)

// AddPackageFlags adds the packaging flags shared by `vpack encode` and
// `vpack package`.
func AddPackageFlags(fl *pflag.FlagSet, o *pipeline.PackageOptions) {
	fl.BoolVar(&o.SingleFile, "single-file", false, "one file per rendition addressed by byte ranges (HLS byte ranges, DASH on-demand)")
	fl.BoolVar(&o.HLSOnly, "hls-only", false, "write only the HLS playlists")
	fl.BoolVar(&o.DASHOnly, "dash-only", false, "write only the DASH MPD")
}

// CheckPackageFlags rejects contradictory packaging flags.
func CheckPackageFlags(o pipeline.PackageOptions) error {
	if o.HLSOnly && o.DASHOnly {
		return FlagErrorf("--hls-only and --dash-only exclude each other")
	}
	return nil
}

// PrintManifests prints the top-level manifests a command wrote (the
// multivariant playlist and the MPD, not media playlists), one path per
// line: the result on stdout that scripts consume.
func PrintManifests(w io.Writer, dir string, manifests []string) error {
	for _, m := range manifests {
		if strings.Contains(filepath.ToSlash(m), "/") {
			continue
		}
		if _, err := fmt.Fprintln(w, filepath.Join(dir, m)); err != nil {
			return err
		}
	}
	return nil
}

// StageUpdate is a pipeline progress callback: "encode" counts media
// milliseconds, "analyze" counts per-title trial encodes, any other stage
// counts bytes.
func (p *Progress) StageUpdate(stage string, done, total int64) {
	p.Stage(stage)
	if stage == "analyze" {
		p.Update(done, total, nil)
		return
	}
	if stage == "encode" {
		p.UpdateTime(time.Duration(done)*time.Millisecond, time.Duration(total)*time.Millisecond)
		return
	}
	p.UpdateBytes(done, total)
}
