package subtitle

import (
	"fmt"
	"strings"
)

// language is an ISO 639 language: its ISO 639-1 code ("" when it has
// none), ISO 639-2/T (or 639-3) code, ISO 639-2/B code when it differs, and
// English name.
type language struct {
	two, three, threeB, name string
}

// deprecated two-letter codes and the ones that replaced them (BCP 47
// canonical forms, RFC 5646 §4.5).
var deprecated = map[string]string{"iw": "he", "in": "id", "ji": "yi", "jw": "jv", "mo": "ro"}

var (
	byTwo   = map[string]*language{}
	byThree = map[string]*language{}
)

func init() {
	for i := range iso639 {
		l := &iso639[i]
		byTwo[l.two] = l
		byThree[l.three] = l
		if l.threeB != "" {
			byThree[l.threeB] = l
		}
	}
	for i := range iso639Three {
		byThree[iso639Three[i].three] = &iso639Three[i]
	}
}

// Language checks a BCP 47 language tag (RFC 5646) and returns it in the
// form vpack publishes: the primary language subtag must be an ISO 639-1
// code, or an ISO 639-2 (T or B) code, which becomes the ISO 639-1 code
// when the language has one ("eng" and "en" give "en", "ger" gives "de");
// deprecated codes become their replacements ("iw" gives "he"). Other
// subtags are kept, in their conventional case: "pt-br" gives "pt-BR",
// "zh-hant" gives "zh-Hant". The codes und (undetermined), mul, mis and zxx
// (no linguistic content) are accepted. Anything else is an
// ErrUnknownLanguage: `unknown language code "xx"`.
func Language(tag string) (string, error) {
	tag = strings.TrimSpace(tag)
	subtags := strings.Split(tag, "-")
	primary := strings.ToLower(subtags[0])
	if !letters(primary) || len(primary) < 2 || len(primary) > 3 {
		if tag == "" {
			return "", fmt.Errorf("%w: empty language tag", ErrUnknownLanguage)
		}
		return "", fmt.Errorf("%w %q: not a BCP 47 language tag", ErrUnknownLanguage, clip(tag))
	}
	if r, ok := deprecated[primary]; ok {
		primary = r
	}
	switch l := lookupLanguage(primary); {
	case l == nil:
		return "", fmt.Errorf("%w %q", ErrUnknownLanguage, primary)
	case l.two != "":
		primary = l.two
	default:
		primary = l.three
	}
	out := []string{primary}
	for i, s := range subtags[1:] {
		if len(s) == 0 || len(s) > 8 || !alnum(s) {
			return "", fmt.Errorf("%w %q: bad subtag %q", ErrUnknownLanguage, clip(tag), clip(s))
		}
		switch {
		case i == 0 && len(s) == 4 && letters(s): // script: Latn, Hant
			s = strings.ToUpper(s[:1]) + strings.ToLower(s[1:])
		case len(s) == 2 && letters(s): // region: BR, US
			s = strings.ToUpper(s)
		default:
			s = strings.ToLower(s)
		}
		out = append(out, s)
	}
	return strings.Join(out, "-"), nil
}

// LanguageName is the English name of a tag Language returned, for display
// (HLS NAME, DASH Label): "English", "Portuguese (BR)". It is "" for und,
// mul, mis, zxx and unknown codes.
func LanguageName(tag string) string {
	subtags := strings.Split(tag, "-")
	l := lookupLanguage(strings.ToLower(subtags[0]))
	if l == nil {
		return ""
	}
	switch l.three {
	case "und", "mul", "mis", "zxx":
		return ""
	}
	if len(subtags) > 1 {
		return l.name + " (" + strings.Join(subtags[1:], "-") + ")"
	}
	return l.name
}

// iso6392 returns the ISO 639-2/T code of a tag's language, for the mdhd
// box of an MP4 track (ISO/IEC 14496-12 §8.4.2.3), when the tag is a bare
// language; "" otherwise (mp4ff then writes "und" in mdhd and the whole tag
// in an elng box).
func iso6392(tag string) string {
	if strings.Contains(tag, "-") {
		return ""
	}
	if l := lookupLanguage(strings.ToLower(tag)); l != nil {
		return l.three
	}
	return ""
}

func lookupLanguage(code string) *language {
	if len(code) == 2 {
		return byTwo[code]
	}
	return byThree[code]
}

func letters(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i] | 0x20; c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

func alnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c|0x20 >= 'a' && c|0x20 <= 'z') {
			return false
		}
	}
	return true
}
