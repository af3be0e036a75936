package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vpack-dev/vpack/internal/mediatest"
)

// TestChild runs the measured work on a small clip: media, manifests and
// package.json appear in the output folder.
func TestChild(t *testing.T) {
	mediatest.RequireFFmpeg(t)
	dir := t.TempDir()
	clip := mediatest.Clip(t, dir, "2")
	out := filepath.Join(dir, "out")
	var stderr bytes.Buffer
	if code := run([]string{"-child", "-out", out, clip}, &bytes.Buffer{}, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	for _, name := range []string{"master.m3u8", "manifest.mpd", "package.json"} {
		if _, err := os.Stat(filepath.Join(out, name)); err != nil {
			t.Error(err)
		}
	}
}

func TestMarkdown(t *testing.T) {
	md := markdown(Report{Date: "2026-11-21T00:00:00Z", GoVersion: "go1.26", CPUs: 2, Results: []Result{{
		Input: "in-60s.mp4", InputBytes: 45_791_006, DurationS: 60, Runs: 5, MedianSeconds: 0.021,
		MinSeconds: 0.020, MaxSeconds: 0.030, ThroughputMBps: 2180, PeakRSSMiB: 9.6,
	}}})
	for _, want := range []string{"median of 5 runs", "| in-60s.mp4 (60 s", "| 45.8 MB | 0.021 s |", "| 9.6 MiB |"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
}

func TestBadFlags(t *testing.T) {
	if code := run([]string{"-nope"}, &bytes.Buffer{}, &bytes.Buffer{}); code != 2 {
		t.Errorf("exit %d, want 2", code)
	}
}

// TestChildEncrypted runs the measured work of the encrypted variants.
func TestChildEncrypted(t *testing.T) {
	mediatest.RequireFFmpeg(t)
	dir := t.TempDir()
	clip := mediatest.Clip(t, dir, "2")
	for _, v := range []string{"cenc", "cbcs"} {
		out := filepath.Join(dir, "out-"+v)
		var stderr bytes.Buffer
		if code := run([]string{"-child", "-out", out, "-encrypt", v, clip}, &bytes.Buffer{}, &stderr); code != 0 {
			t.Fatalf("%s: exit %d: %s", v, code, stderr.String())
		}
		mpd, err := os.ReadFile(filepath.Join(out, "manifest.mpd"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(mpd), `value="`+v+`"`) {
			t.Errorf("%s: the MPD does not signal %s", v, v)
		}
	}
}

func TestParseVariants(t *testing.T) {
	got, err := parseVariants("clear, cenc,cbcs,cenc")
	if err != nil || strings.Join(got, ",") != "clear,cenc,cbcs" {
		t.Errorf("parseVariants = %v, %v", got, err)
	}
	if got, _ := parseVariants(""); strings.Join(got, ",") != "clear" {
		t.Errorf("default %v", got)
	}
	if _, err := parseVariants("aes"); err == nil {
		t.Error("aes accepted")
	}
	if code := run([]string{"-encrypt", "rot13"}, &bytes.Buffer{}, &bytes.Buffer{}); code != 2 {
		t.Errorf("bad -encrypt: exit %d, want 2", code)
	}
}

func TestMarkdownEncrypted(t *testing.T) {
	md := markdown(Report{Date: "2026-11-21T00:00:00Z", GoVersion: "go1.26", CPUs: 2, Results: []Result{
		{Input: "in-60s.mp4", Encryption: "clear", InputBytes: 45_791_006, DurationS: 60, Runs: 5, MedianSeconds: 0.022, MedianCPUSeconds: 0.03},
		{Input: "in-60s.mp4", Encryption: "cenc", InputBytes: 45_791_006, DurationS: 60, Runs: 5, MedianSeconds: 0.031, OverheadPct: 40.9, MedianCPUSeconds: 0.04},
	}})
	for _, want := range []string{"| encryption |", "| cenc |", "| +41 % |", "| 0.040 s |", "≥ 1 GB/s"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
}
