package drm

import (
	"errors"
	"testing"
)

func TestParseKID(t *testing.T) {
	want := KID{0x0d, 0xc3, 0xec, 0x4f, 0x76, 0x83, 0x54, 0x8b, 0x81, 0xe7, 0x3c, 0x64, 0xe5, 0x82, 0xe1, 0x36}
	tests := []struct {
		in      string
		wantErr bool
	}{
		{in: "0dc3ec4f7683548b81e73c64e582e136"},
		{in: "0DC3EC4F7683548B81E73C64E582E136"},
		{in: "0dc3ec4f-7683-548b-81e7-3c64e582e136"},
		{in: "{0dc3ec4f-7683-548b-81e7-3c64e582e136}"},
		{in: "0x0DC3EC4F7683548B81E73C64E582E136"},
		{in: "DcPsT3aDVIuB5zxk5YLhNg=="},
		{in: " 0dc3ec4f7683548b81e73c64e582e136 "},
		{in: "0dc3ec4f7683548b81e73c64e582e13", wantErr: true},
		{in: "0dc3ec4f7683548b81e73c64e582e1366", wantErr: true},
		{in: "zzc3ec4f7683548b81e73c64e582e136", wantErr: true},
		{in: "0dc3ec4f-7683-548b-81e7-3c64e582e13z", wantErr: true},
		{in: "", wantErr: true},
	}
	for _, tc := range tests {
		got, err := ParseKID(tc.in)
		if tc.wantErr {
			if !errors.Is(err, ErrBadKID) {
				t.Errorf("ParseKID(%q) = %v, %v; want ErrBadKID", tc.in, got, err)
			}
			continue
		}
		if err != nil || got != want {
			t.Errorf("ParseKID(%q) = %v, %v; want %v", tc.in, got, err, want)
		}
	}
	if s := want.String(); s != "0dc3ec4f-7683-548b-81e7-3c64e582e136" {
		t.Errorf("String = %s", s)
	}
	if s := want.Hex(); s != "0dc3ec4f7683548b81e73c64e582e136" {
		t.Errorf("Hex = %s", s)
	}
}

// TestKIDGUID checks PlayReady's GUID byte order against a hand-worked
// vector: the first three fields are byte-swapped, the last 8 bytes kept.
func TestKIDGUID(t *testing.T) {
	k, _ := ParseKID("01020304-0506-0708-090a-0b0c0d0e0f10")
	want := [16]byte{0x04, 0x03, 0x02, 0x01, 0x06, 0x05, 0x08, 0x07, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10}
	if got := k.GUID(); got != want {
		t.Errorf("GUID = % x, want % x", got, want)
	}
	if back := KIDFromGUID(want); back != k {
		t.Errorf("KIDFromGUID = %v, want %v", back, k)
	}
}
