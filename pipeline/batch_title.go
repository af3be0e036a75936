package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// stagePrefix starts the name of a title's work folder in the output
// folder: .vpack-tmp-<id>~<worker token>. Title IDs never contain "~", so
// the folders of one title are told apart from another's by name alone;
// the .vpack-tmp- prefix marks them as leftovers (see OutDir).
const stageSep = "~"

func (b *batch) stageDir(id string) string {
	return filepath.Join(b.cfg.Output, tmpPrefix+id+stageSep+b.self.Token)
}

// state finds how far earlier runs (here or, through the publisher's
// record, elsewhere) took a title.
func (b *batch) state(ctx context.Context, tr *titleRun) (titleState, error) {
	t := tr.t
	var s titleState
	if rec := readRecord(b.final(t)); rec != nil && rec.ID == t.ID && rec.SettingsSHA256 == b.settings {
		tr.enter("hash")
		d, err := inputDigest(ctx, t, rec)
		if err != nil {
			return s, err
		}
		s.digest = d
		if s.sidecars, err = sidecarsDigest(ctx, t.Path); err != nil {
			return s, err
		}
		if d == rec.InputSHA256 && s.sidecars == rec.SidecarsSHA256 {
			s.rec = rec
			s.needValidate = b.cfg.Validate != nil && !rec.Validated
			s.needPublish = b.cfg.Publish != nil && !slices.Contains(rec.Published, b.cfg.Publish.Target(t.ID))
		}
	}
	if b.cfg.Publish == nil || s.rec != nil && !s.needPublish {
		return s, nil
	}
	tr.enter("publish")
	data, err := b.cfg.Publish.Record(ctx, t.ID)
	if err != nil {
		if ctx.Err() != nil {
			return s, err
		}
		tr.log.Warn("read the published record", "target", b.cfg.Publish.Target(t.ID), "err", err)
		return s, nil
	}
	rr := parseRecord(data)
	if rr == nil || rr.ID != t.ID || rr.SettingsSHA256 != b.settings || b.cfg.Validate != nil && !rr.Validated {
		return s, nil
	}
	if s.digest == "" {
		tr.enter("hash")
		if s.digest, err = inputDigest(ctx, t, rr); err != nil {
			return s, err
		}
	}
	if s.sidecars, err = sidecarsDigest(ctx, t.Path); err != nil {
		return s, err
	}
	if s.digest == rr.InputSHA256 && s.sidecars == rr.SidecarsSHA256 {
		s.rec, s.remote, s.needValidate, s.needPublish = rr, true, false, false
	}
	return s, nil
}

// removeStale removes work folders of this title that dead or displaced
// workers left behind; the caller holds the lease.
func (b *batch) removeStale(tr *titleRun) {
	entries, err := os.ReadDir(b.cfg.Output)
	if err != nil {
		return
	}
	prefix := tmpPrefix + tr.t.ID + stageSep
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), prefix) {
			p := filepath.Join(b.cfg.Output, e.Name())
			tr.log.Info("removing an interrupted run's work folder", "path", p)
			if err := os.RemoveAll(p); err != nil {
				tr.log.Warn("remove work folder", "path", p, "err", err)
			}
		}
	}
}

// build packages the title in its work folder, validates it, writes its
// record into it and moves it into place.
func (b *batch) build(ctx context.Context, tr *titleRun, l *lease, digest string) (*TitleRecord, error) {
	t := tr.t
	if digest == "" {
		tr.enter("hash")
		var err error
		if digest, err = hashFile(ctx, t.Path); err != nil {
			return nil, err
		}
	}
	stage := b.stageDir(t.ID)
	if err := os.MkdirAll(stage, 0o755); err != nil {
		return nil, &OutputError{Path: stage, Err: err}
	}
	defer func() {
		if err := os.RemoveAll(stage); err != nil {
			tr.log.Warn("remove work folder", "path", stage, "err", err)
		}
	}()
	pkgDir := filepath.Join(stage, "package")

	cfg := b.cfg.Encode
	cfg.Input, cfg.Output, cfg.Force, cfg.Log = t.Path, pkgDir, false, tr.log
	// Subtitle files beside the title (movie.en.vtt) are its side-cars.
	sidecars, err := SidecarSubtitles(t.Path)
	if err != nil {
		return nil, fmt.Errorf("%s: side-car subtitles: %w", t.Path, err)
	}
	cfg.Package.Subtitles = append(sidecars, cfg.Package.Subtitles...)
	cfg.Progress = func(stage string, done, total int64) {
		tr.enter(stage)
		if total <= 0 {
			return
		}
		frac := min(max(done*1000/total, 0), 1000)
		switch stage {
		case "encode":
			b.setProgress(tr.i, frac*8/10)
		case "package":
			b.setProgress(tr.i, 800+frac*15/100)
		}
	}
	tr.enter("probe")
	res, err := b.encode(ctx, tr.runner, cfg)
	if err != nil {
		return nil, err
	}
	tr.rep.Ladder = res.Ladder.Video
	rec := &TitleRecord{
		Version: recordVersion, ID: t.ID, Input: t.Input,
		InputBytes: t.Size, InputModTime: t.ModTime, InputSHA256: digest,
		SettingsSHA256: b.settings, Ladder: res.Ladder.Video,
	}
	if rec.SidecarsSHA256, err = sidecarsDigest(ctx, t.Path); err != nil {
		return nil, err
	}
	if b.cfg.Validate != nil {
		b.setProgress(tr.i, 950)
		if err := b.validate(ctx, tr, pkgDir, rec); err != nil {
			return nil, err
		}
	}
	tr.enter("commit")
	rec.OutputBytes = dirBytes(pkgDir)
	rec.Completed = b.now().UTC()
	if err := writeRecord(pkgDir, rec); err != nil {
		return nil, fmt.Errorf("write record: %w", err)
	}
	if !l.held() {
		return nil, ErrLeaseLost
	}
	if err := commitDir(pkgDir, b.final(t), filepath.Join(stage, "old")); err != nil {
		return nil, err
	}
	tr.rep.OutputBytes = rec.OutputBytes
	return rec, nil
}

// validate runs the validator on dir and notes the result in rec.
func (b *batch) validate(ctx context.Context, tr *titleRun, dir string, rec *TitleRecord) error {
	tr.enter("validate")
	sum, err := b.cfg.Validate(ctx, dir)
	if err != nil {
		return fmt.Errorf("validate: %w", err)
	}
	tr.rep.Validation = &sum
	rec.Validation = &sum
	if sum.Errors > 0 {
		return fmt.Errorf("validation found %d error(s): %s", sum.Errors, sum.First)
	}
	rec.Validated = true
	return nil
}

// validateFinal validates a package an earlier run built without a
// validator, and records the result.
func (b *batch) validateFinal(ctx context.Context, tr *titleRun, rec *TitleRecord) error {
	next := *rec
	if err := b.validate(ctx, tr, b.final(tr.t), &next); err != nil {
		return err
	}
	if err := writeRecord(b.final(tr.t), &next); err != nil {
		return fmt.Errorf("write record: %w", err)
	}
	*rec = next
	return nil
}

// publish publishes the title's package and then records where.
func (b *batch) publish(ctx context.Context, tr *titleRun, rec *TitleRecord) error {
	tr.enter("publish")
	b.setProgress(tr.i, 970)
	target := b.cfg.Publish.Target(tr.t.ID)
	next := *rec
	next.Published = append(slices.Clone(rec.Published), target)
	data, err := json.MarshalIndent(&next, "", "  ")
	if err != nil {
		return err
	}
	sum, err := b.cfg.Publish.Publish(ctx, tr.t.ID, b.final(tr.t), append(data, '\n'))
	if err != nil {
		return err
	}
	sum.Target = target
	tr.rep.Push = &sum
	if err := writeRecord(b.final(tr.t), &next); err != nil {
		return fmt.Errorf("write record: %w", err)
	}
	*rec = next
	return nil
}

// commitDir moves the finished package dir to final. An existing final
// folder (an older package of the title) is moved to aside first and
// removed afterwards; if the move fails it is put back.
func commitDir(dir, final, aside string) error {
	moved := false
	if _, err := os.Lstat(final); err == nil {
		if err := os.Rename(final, aside); err != nil {
			return fmt.Errorf("publish %s: move the old package aside: %w", final, err)
		}
		moved = true
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("publish %s: %w", final, err)
	}
	if err := os.Rename(dir, final); err != nil {
		if moved {
			_ = os.Rename(aside, final)
		}
		return fmt.Errorf("publish %s: %w", final, err)
	}
	if moved {
		return os.RemoveAll(aside)
	}
	return nil
}
