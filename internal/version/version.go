// Package version holds vpack's version, set at build time with
//
//	go build -ldflags "-X github.com/vpack-dev/vpack/internal/version.Version=v1.2.3"
//
// When unset it falls back to the module version and VCS revision that the
// Go toolchain embeds in the binary.
package version

import "runtime/debug"

// Version is injected with -ldflags; empty means "use build info".
var Version = ""

// String returns the best version string available.
func String() string {
	if Version != "" {
		return Version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	v := info.Main.Version
	if v == "" || v == "(devel)" {
		v = "devel"
	}
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			v += "+" + s.Value[:12]
		}
		if s.Key == "vcs.modified" && s.Value == "true" {
			v += "-dirty"
		}
	}
	return v
}
