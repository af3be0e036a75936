package main

import (
	"encoding/binary"
	"io"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseOptions(t *testing.T) {
	o, err := parseOptions([]string{"-o", "x", "-runs", "3"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(options{out: "x", cache: ".cache/bench/validate", runs: 3}, o, cmp.AllowUnexported(options{})); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	for _, bad := range [][]string{{"-runs", "0"}, {"-bogus"}} {
		if _, err := parseOptions(bad, io.Discard); err == nil {
			t.Errorf("parseOptions(%q) succeeded", bad)
		}
	}
}

func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		in   []float64
		want float64
	}{{nil, 0}, {[]float64{3}, 3}, {[]float64{1, 3, 5}, 3}, {[]float64{1, 2, 3, 4}, 2.5}} {
		if got := median(tc.in); got != tc.want {
			t.Errorf("median(%v) = %v", tc.in, got)
		}
	}
}

func TestPut(t *testing.T) {
	b := make([]byte, 8)
	putU64(b, 0x0102030405060708)
	if binary.BigEndian.Uint64(b) != 0x0102030405060708 {
		t.Errorf("putU64: %x", b)
	}
}
