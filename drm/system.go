package drm

import (
	"fmt"
	"slices"
	"strings"
)

// System is a DRM system that can license CENC content, named by its
// system ID (the pssh SystemID and the DASH ContentProtection
// urn:uuid scheme).
type System struct {
	Name string // "widevine", "playready", "fairplay", "clearkey": the --drm names
	ID   KID    // system ID, a UUID
}

// The systems vpack signals. ClearKey is signalled with the W3C common
// PSSH (https://www.w3.org/TR/eme-initdata-cenc/), which every EME
// implementation reads for org.w3.clearkey, and in DASH also with the
// DASH-IF ClearKey scheme (DASHIFClearKeyScheme).
var (
	Widevine  = System{Name: "widevine", ID: mustKID("edef8ba9-79d6-4ace-a3c8-27dcd51d21ed")}
	PlayReady = System{Name: "playready", ID: mustKID("9a04f079-9840-4286-ab92-e65be0885f95")}
	FairPlay  = System{Name: "fairplay", ID: mustKID("94ce86fb-07ff-4f43-adb8-93d2fa968ca2")}
	ClearKey  = System{Name: "clearkey", ID: mustKID("1077efec-c0b2-4d02-ace3-3c1e52e2fb4b")}
)

// DASHIFClearKeyScheme is the DASH-IF ClearKey ContentProtection scheme
// (DASH-IF IOP v4.3 §7.6.2.6), which dash.js and Shaka look for besides the
// W3C common system ID.
var DASHIFClearKeyScheme = mustKID("e2719d58-a985-b3c9-781a-b030af78d30e")

// Systems lists the known systems in the order vpack signals them.
var Systems = []System{Widevine, PlayReady, FairPlay, ClearKey}

func mustKID(s string) KID {
	k, err := ParseKID(s)
	if err != nil {
		panic(err)
	}
	return k
}

// SystemByID returns the known system with that ID.
func SystemByID(id KID) (System, bool) {
	for _, s := range Systems {
		if s.ID == id {
			return s, true
		}
	}
	return System{}, false
}

// ParseSystems reads a comma-separated list of system names ("widevine,
// playready,fairplay,clearkey"; case and spaces ignored) into systems in
// the canonical order, without duplicates.
func ParseSystems(list string) ([]System, error) {
	var out []System
	for _, name := range strings.Split(list, ",") {
		name = strings.ToLower(strings.TrimSpace(name))
		if name == "" {
			continue
		}
		i := slices.IndexFunc(Systems, func(s System) bool { return s.Name == name })
		if i < 0 {
			return nil, fmt.Errorf("DRM system %q: %w (widevine, playready, fairplay or clearkey)", name, ErrUnsupported)
		}
		if !slices.Contains(out, Systems[i]) {
			out = append(out, Systems[i])
		}
	}
	slices.SortFunc(out, func(a, b System) int {
		return slices.Index(Systems, a) - slices.Index(Systems, b)
	})
	return out, nil
}

// CheckSystems refuses combinations no player can use: FairPlay decrypts
// only cbcs.
func CheckSystems(scheme Scheme, systems []System) error {
	if scheme == CENC && slices.Contains(systems, FairPlay) {
		return ErrFairPlayCENC
	}
	return nil
}
