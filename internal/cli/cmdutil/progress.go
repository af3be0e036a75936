package cmdutil

import (
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
)

// Progress shows how far a long stage is: a progress bar (percent, speed,
// ETA) on stderr when stderr is a terminal, otherwise an Info log line at
// most every LogEvery. Stages report through Update; they never see it.
type Progress struct {
	label    string
	stage    string
	log      *slog.Logger
	bar      *progressbar.ProgressBar
	now      func() time.Time
	start    time.Time
	lastLog  time.Time
	LogEvery time.Duration

	mu        sync.Mutex
	done      bool
	loggedEnd bool // the 100 % line of the current stage was logged
}

// NewProgress returns the display for a stage called label ("encode").
// With --quiet or JSON logs there is no bar, and log lines go through the
// logger (which --quiet silences).
func (f *Factory) NewProgress(label string) *Progress {
	p := &Progress{label: label, log: f.Logger(), now: f.Now, LogEvery: 5 * time.Second}
	p.start = p.now()
	p.lastLog = p.start
	if f.IO.IsStderrTTY() && !f.Flags.Quiet && f.Flags.LogFormat != "json" {
		p.bar = progressbar.NewOptions64(1000,
			progressbar.OptionSetWriter(f.IO.ErrOut),
			progressbar.OptionSetDescription(label),
			progressbar.OptionShowCount(),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionSetWidth(30),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionClearOnFinish(),
			progressbar.OptionShowElapsedTimeOnFinish(),
		)
	}
	return p
}

// UpdateTime reports media time done out of total (ffmpeg progress).
// Speed is media seconds per wall second, as ffmpeg prints it.
func (p *Progress) UpdateTime(done, total time.Duration) {
	p.Update(done.Milliseconds(), total.Milliseconds(), func(elapsed time.Duration) string {
		if elapsed <= 0 {
			return ""
		}
		return fmt.Sprintf("%.2fx", done.Seconds()/elapsed.Seconds())
	})
}

// UpdateBytes reports bytes done out of total; speed is shown in MB/s.
func (p *Progress) UpdateBytes(done, total int64) {
	p.Update(done, total, func(elapsed time.Duration) string {
		if elapsed <= 0 {
			return ""
		}
		return fmt.Sprintf("%.0f MB/s", float64(done)/1e6/elapsed.Seconds())
	})
}

// Stage switches the display to the next stage of a pipeline ("encode",
// "package"): the same bar restarts with the new label, so a multi-stage
// command shows one display throughout.
func (p *Progress) Stage(name string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stage == name || p.done {
		return
	}
	p.stage = name
	p.label = name
	p.loggedEnd = false
	p.start = p.now()
	p.lastLog = p.start
	if p.bar != nil {
		p.bar.Reset()
		p.bar.Describe(name)
	}
}

// Update reports done out of total units; speed, when non-nil, formats the
// current speed for the display.
func (p *Progress) Update(done, total int64, speed func(elapsed time.Duration) string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.done || total <= 0 {
		return
	}
	done = min(max(done, 0), total)
	now := p.now()
	elapsed := now.Sub(p.start)
	sp := ""
	if speed != nil {
		sp = speed(elapsed)
	}
	if p.bar != nil {
		p.bar.ChangeMax64(total)
		p.bar.Describe(fmt.Sprintf("%s %s", p.label, sp))
		_ = p.bar.Set64(done)
		return
	}
	if done == total && p.loggedEnd || now.Sub(p.lastLog) < p.LogEvery && done < total {
		return
	}
	p.loggedEnd = done == total
	p.lastLog = now
	attrs := []any{"stage", p.label, "percent", done * 100 / total}
	if sp != "" {
		attrs = append(attrs, "speed", sp)
	}
	if done > 0 && done < total {
		eta := time.Duration(float64(elapsed) * float64(total-done) / float64(done))
		attrs = append(attrs, "eta", eta.Round(time.Second).String())
	}
	p.log.Info("progress", attrs...)
}

// Finish removes the bar (the result line follows on stdout).
func (p *Progress) Finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.done {
		return
	}
	p.done = true
	if p.bar != nil {
		_ = p.bar.Finish()
	}
}
