package manifest

import "strings"

// codecFamily names the coding format of an RFC 6381 codec string without
// its profile and level: "avc1.64001f" → "h264", "mp4a.40.2" → "aac". The
// family decides HLS audio GROUP-IDs and DASH AdaptationSet boundaries,
// since renditions of one family can be switched seamlessly and those of
// different families cannot.
func codecFamily(codecs string) string {
	c, _, _ := strings.Cut(codecs, ",")
	c = strings.TrimSpace(c)
	fourCC, _, _ := strings.Cut(c, ".")
	switch fourCC {
	case "avc1", "avc3":
		return "h264"
	case "hvc1", "hev1":
		return "hevc"
	case "dvh1", "dvhe":
		return "dvhevc"
	case "av01":
		return "av1"
	case "vp09":
		return "vp9"
	case "mp4a":
		return "aac"
	case "stpp":
		return "ttml"
	}
	return strings.ToLower(fourCC)
}

// codecType guesses the media type of one RFC 6381 codec string from its
// sample entry four-character code. HLS lists all codecs of a variant in one
// CODECS attribute; this is how ReadHLS tells them apart again.
func codecType(c string) TrackType {
	fourCC, _, _ := strings.Cut(strings.TrimSpace(c), ".")
	switch fourCC {
	case "mp4a", "ac-3", "ec-3", "ac-4", "opus", "fLaC", "flac", "alac", "mha1", "mhm1", "dtsc", "dtse", "dtsh", "dtsl", "dtsx", "mp3":
		return Audio
	case "wvtt", "stpp", "tx3g", "c608", "c708":
		return Text
	}
	return Video
}

// splitCodecs splits a CODECS attribute value into its codec strings.
func splitCodecs(s string) []string {
	var out []string
	for _, c := range strings.Split(s, ",") {
		if c = strings.TrimSpace(c); c != "" {
			out = append(out, c)
		}
	}
	return out
}

// appendUnique appends the codecs of list (comma-separated) to dst,
// skipping those already present, keeping first-seen order.
func appendUnique(dst []string, list string) []string {
	for _, c := range splitCodecs(list) {
		found := false
		for _, d := range dst {
			if d == c {
				found = true
				break
			}
		}
		if !found {
			dst = append(dst, c)
		}
	}
	return dst
}
