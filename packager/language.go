package packager

import "strings"

// language is an ISO 639-1 code with its ISO 639-2 codes (T and B) and an
// English name.
type language struct {
	two, three, threeB, name string
}

// languages covers the languages streaming services commonly publish. Codes
// not listed are kept as given: an ISO 639-2 code is a valid BCP 47 tag.
var languages = []language{
	{"ar", "ara", "", "Arabic"}, {"bg", "bul", "", "Bulgarian"}, {"ca", "cat", "", "Catalan"},
	{"cs", "ces", "cze", "Czech"}, {"cy", "cym", "wel", "Welsh"}, {"da", "dan", "", "Danish"},
	{"de", "deu", "ger", "German"}, {"el", "ell", "gre", "Greek"}, {"en", "eng", "", "English"},
	{"es", "spa", "", "Spanish"}, {"et", "est", "", "Estonian"}, {"eu", "eus", "baq", "Basque"},
	{"fa", "fas", "per", "Persian"}, {"fi", "fin", "", "Finnish"}, {"fr", "fra", "fre", "French"},
	{"ga", "gle", "", "Irish"}, {"gl", "glg", "", "Galician"}, {"he", "heb", "", "Hebrew"},
	{"hi", "hin", "", "Hindi"}, {"hr", "hrv", "", "Croatian"}, {"hu", "hun", "", "Hungarian"},
	{"id", "ind", "", "Indonesian"}, {"is", "isl", "ice", "Icelandic"}, {"it", "ita", "", "Italian"},
	{"ja", "jpn", "", "Japanese"}, {"ko", "kor", "", "Korean"}, {"lt", "lit", "", "Lithuanian"},
	{"lv", "lav", "", "Latvian"}, {"ms", "msa", "may", "Malay"}, {"nb", "nob", "", "Norwegian Bokmål"},
	{"nl", "nld", "dut", "Dutch"}, {"nn", "nno", "", "Norwegian Nynorsk"}, {"no", "nor", "", "Norwegian"},
	{"pl", "pol", "", "Polish"}, {"pt", "por", "", "Portuguese"}, {"ro", "ron", "rum", "Romanian"},
	{"ru", "rus", "", "Russian"}, {"sk", "slk", "slo", "Slovak"}, {"sl", "slv", "", "Slovenian"},
	{"sr", "srp", "", "Serbian"}, {"sv", "swe", "", "Swedish"}, {"sw", "swa", "", "Swahili"},
	{"ta", "tam", "", "Tamil"}, {"th", "tha", "", "Thai"}, {"tr", "tur", "", "Turkish"},
	{"uk", "ukr", "", "Ukrainian"}, {"ur", "urd", "", "Urdu"}, {"vi", "vie", "", "Vietnamese"},
	{"zh", "zho", "chi", "Chinese"},
}

// normalizeLanguage returns the tag vpack publishes: the ISO 639-1 code
// when the language has one (HLS LANGUAGE and DASH @lang are BCP 47, which
// prefers the two-letter code), otherwise the code as given, lower-cased in
// its primary subtag. Empty and "und" give "und".
func normalizeLanguage(tag string) string {
	tag = strings.TrimSpace(tag)
	if tag == "" {
		return "und"
	}
	primary, rest, hasRest := strings.Cut(tag, "-")
	primary = strings.ToLower(primary)
	for _, l := range languages {
		if primary == l.three || (l.threeB != "" && primary == l.threeB) {
			primary = l.two
			break
		}
	}
	if hasRest {
		return primary + "-" + rest
	}
	return primary
}

// languageName is an English display name for a normalized tag, used for
// HLS NAME and DASH Label; unknown tags are shown as they are.
func languageName(tag string) string {
	primary, _, _ := strings.Cut(tag, "-")
	if primary == "und" {
		return "Audio"
	}
	for _, l := range languages {
		if primary == l.two {
			return l.name
		}
	}
	return tag
}

// validLanguage accepts BCP 47-looking tags: letters, digits and hyphens.
func validLanguage(tag string) bool {
	if tag == "" || len(tag) > 35 {
		return false
	}
	for _, c := range tag {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}
