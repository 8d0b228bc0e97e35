package validate_test

import (
	"testing"

	"example.com/modmono/platform/validate"
)

func TestCanonicalEmailIsOneFormPerAddress(t *testing.T) {
	tests := []struct{ in, want string }{
		{"ada@example.com", "ada@example.com"},
		{"Ada@Example.COM", "ada@example.com"},
		{"ada+tag@mail.example.com", "ada+tag@mail.example.com"},
		{"o'neil@example.ie", "o'neil@example.ie"},
		{"ada@Bücher.DE", "ada@bücher.de"},
		{"ada@xn--bcher-kva.de", "ada@bücher.de"}, // the same domain in ASCII
		{"ÄDA@example.com", "äda@example.com"},
		{"用户@例え.テスト", "用户@例え.テスト"},
		{"山田taro@example.jp", "山田taro@example.jp"}, // Han with Latin is how Japanese is written
		{"иван@пример.рф", "иван@пример.рф"},       // all Cyrillic is one script
		{"Ａda@example.com", "ada@example.com"},     // full-width letters map to their usual form
	}
	for _, tc := range tests {
		got, err := validate.CanonicalEmail(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("CanonicalEmail(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestCanonicalEmailRefusesLookAlikesAndHiddenCharacters(t *testing.T) {
	for name, in := range map[string]string{
		"a zero-width space in the local part":     "a\u200bda@example.com",
		"a zero-width space in the domain":         "ada@exa\u200bmple.com",
		"a soft hyphen in the domain":              "ada@exam\u00adple.com",
		"a right-to-left override":                 "ada\u202e@example.com",
		"a NUL":                                    "ada\u0000@example.com",
		"an escape code":                           "ada\u001b@example.com",
		"a Cyrillic а among Latin letters":         "p\u0430ypal@example.com",
		"a Greek ο among Latin letters":            "ada@g\u03bfogle.com",
		"a Cyrillic label in punycode among Latin": "ada@xn--exmple-4nf.com",
		"a full-width @ in the local part":         "a\uff20b@example.com",
		"a display name":                           "Ada <ada@example.com>",
		"a comment":                                "ada@example.com (Ada)",
		"a space in a quoted local part":           `"a b"@example.com`,
		"no domain":                                "ada@",
		"a domain without a dot":                   "ada@localhost",
		"an underscore in the domain":              "ada@ex_ample.com",
		"a label starting with a hyphen":           "ada@-example.com",
		"bad punycode":                             "ada@xn--zz.com",
		"an empty label":                           "ada@example..com",
	} {
		if got, err := validate.CanonicalEmail(in); err == nil {
			t.Errorf("%s: CanonicalEmail(%q) = %q, want an error", name, in, got)
		}
	}
}

func TestTextRefusesControlAndFormatCharactersButNotInternationalNames(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{"Zoë O'Brien-Smith", true},
		{"José Núñez", true},
		{"山田太郎", true},
		{"Ağaoğlu", true},
		{"محمد", true},
		{"A\u0000B", false},
		{"A\u0007B", false},
		{"A\u202eB", false}, // right-to-left override
		{"A\u200bB", false}, // zero-width space
		{"A\ufeffB", false}, // zero-width no-break space (BOM)
		{"A\u2066B", false}, // left-to-right isolate
	}
	for _, tc := range tests {
		var v validate.Validator
		s := tc.in
		v.Text("name", &s, 1, 100)
		if ok := v.Err() == nil; ok != tc.ok {
			t.Errorf("Text(%q) accepted = %v, want %v (%v)", tc.in, ok, tc.ok, v.Err())
		}
	}
}
