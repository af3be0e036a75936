package subtitle

import (
	"errors"
	"testing"
)

func TestLanguage(t *testing.T) {
	tests := []struct{ in, want, name string }{
		{"en", "en", "English"},
		{"EN", "en", "English"},
		{"eng", "en", "English"},
		{"ger", "de", "German"}, // ISO 639-2/B
		{"deu", "de", "German"}, // ISO 639-2/T
		{"iw", "he", "Hebrew"},  // deprecated
		{"pt-br", "pt-BR", "Portuguese (BR)"},
		{"zh-hant-tw", "zh-Hant-TW", "Chinese (Hant-TW)"},
		{"es-419", "es-419", "Spanish (419)"},
		{"chi-Hans", "zh-Hans", "Chinese (Hans)"},
		{"yue", "yue", "Cantonese"}, // no two-letter code
		{"fil", "fil", "Filipino"},
		{"und", "und", ""},
		{"zxx", "zxx", ""},
		{"mul", "mul", ""},
		{" nb ", "nb", "Norwegian Bokmål"},
	}
	for _, tc := range tests {
		got, err := Language(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("Language(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			continue
		}
		if name := LanguageName(got); name != tc.name {
			t.Errorf("LanguageName(%q) = %q, want %q", got, name, tc.name)
		}
	}
	for in, want := range map[string]string{
		"xx":               `unknown language code "xx"`,
		"english":          `unknown language code "english": not a BCP 47 language tag`,
		"e":                `unknown language code "e": not a BCP 47 language tag`,
		"qqq":              `unknown language code "qqq"`,
		"en_US":            `unknown language code "en_US": not a BCP 47 language tag`,
		"en-":              `unknown language code "en-": bad subtag ""`,
		"en-toolongsubtag": `unknown language code "en-toolongsubtag": bad subtag "toolongsubtag"`,
		"":                 `unknown language code: empty language tag`,
	} {
		_, err := Language(in)
		if !errors.Is(err, ErrUnknownLanguage) || err.Error() != want {
			t.Errorf("Language(%q) error %v, want %s", in, err, want)
		}
	}
}

// TestLanguageTables checks the tables for duplicates and codes of the
// wrong shape.
func TestLanguageTables(t *testing.T) {
	seen := map[string]bool{}
	add := func(code string, n int) {
		if code == "" {
			return
		}
		if len(code) != n || !letters(code) {
			t.Errorf("code %q is not %d letters", code, n)
		}
		if seen[code] {
			t.Errorf("code %q listed twice", code)
		}
		seen[code] = true
	}
	for _, l := range append(append([]language{}, iso639...), iso639Three...) {
		add(l.two, 2)
		add(l.three, 3)
		add(l.threeB, 3)
		if l.name == "" {
			t.Errorf("%s has no name", l.three)
		}
	}
	if len(iso639) < 180 {
		t.Errorf("%d ISO 639-1 codes, want them all", len(iso639))
	}
}

func TestISO6392(t *testing.T) {
	for in, want := range map[string]string{"en": "eng", "de": "deu", "yue": "yue", "pt-BR": "", "und": "und"} {
		if got := iso6392(in); got != want {
			t.Errorf("iso6392(%q) = %q, want %q", in, got, want)
		}
	}
}
