package validate

import (
	"errors"
	"net/mail"
	"strings"
	"unicode"

	"golang.org/x/net/idna"
	"golang.org/x/text/secure/precis"
)

// domains checks and maps e-mail domains the way a mail client looks them
// up (UTS #46 non-transitional, with the Bidi rule and DNS lengths).
var domains = idna.New(idna.MapForLookup(), idna.BidiRule(), idna.VerifyDNSLength(true), idna.Transitional(false))

// Reasons CanonicalEmail gives; each reads after the field's name.
var (
	errNotEmail    = errors.New("must be an e-mail address like name@example.com")
	errLocalPart   = errors.New("must have a name part (before the @) of letters, digits and the symbols e-mail allows, written in one direction")
	errDomain      = errors.New("must have a valid domain name after the @")
	errMixedScript = errors.New("must not mix letters of different scripts, such as Latin and Cyrillic, in one part")
)

// CanonicalEmail returns the one form of address s that the system stores
// and compares, or an error saying what is wrong with s:
//
//   - a plain address ("name@example.com"; no display name, no comment),
//     free of control and format characters (zero-width, bidi overrides);
//   - the local part passes the PRECIS UsernameCaseMapped profile (RFC
//     8265: letters and digits of any script and printable ASCII, no
//     spaces, the Bidi rule) and comes out lower-cased, width-mapped, NFC;
//   - the domain is a valid internationalised domain name (UTS #46), kept
//     in its lower-case Unicode form: "Bücher.DE" and "xn--bcher-kva.de"
//     are both "bücher.de";
//   - neither the local part nor a domain label mixes scripts the way
//     look-alike addresses do (Latin with Cyrillic or Greek, say).
//
// s must already be trimmed.
func CanonicalEmail(s string) (string, error) {
	if strings.ContainsFunc(s, invisible) {
		return "", errNotEmail
	}
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Name != "" || addr.Address != s {
		return "", errNotEmail
	}
	i := strings.LastIndexByte(s, '@')
	local, err := precis.UsernameCaseMapped.String(s[:i])
	if err != nil {
		return "", errLocalPart
	}
	domain, err := canonicalDomain(s[i+1:])
	if err != nil {
		return "", err
	}
	if mixedScripts(local) {
		return "", errMixedScript
	}
	canonical := local + "@" + domain
	// Width mapping can make a character e-mail gives a meaning of ("＠"
	// becomes "@"): the result must still be the plain address it was.
	if addr, err := mail.ParseAddress(canonical); err != nil || addr.Address != canonical {
		return "", errNotEmail
	}
	return canonical, nil
}

// canonicalDomain returns domain in lower-case Unicode form (U-labels).
func canonicalDomain(domain string) (string, error) {
	ascii, err := domains.ToASCII(domain)
	if err != nil || !strings.Contains(ascii, ".") {
		return "", errDomain
	}
	uni, err := domains.ToUnicode(ascii)
	if err != nil {
		return "", errDomain
	}
	for label := range strings.SplitSeq(uni, ".") {
		if mixedScripts(label) {
			return "", errMixedScript
		}
	}
	return uni, nil
}

// invisible reports whether r is a control (Cc) or format (Cf) character:
// NUL, escape codes, zero-width spaces and joiners, bidi overrides.
func invisible(r rune) bool { return unicode.In(r, unicode.Cc, unicode.Cf) }

// Scripts that UTS #39's "highly restrictive" level lets Latin share a
// string with, as languages write them together.
var scriptMixes = [][]string{
	{"Latin", "Han", "Hiragana", "Katakana"}, // Japanese
	{"Latin", "Han", "Bopomofo"},             // Chinese
	{"Latin", "Han", "Hangul"},               // Korean
}

// mixedScripts reports whether s holds letters of scripts that do not go
// together (UTS #39 "highly restrictive"): "pаypal" with a Cyrillic "а"
// does, "山田taro" does not. Common and Inherited characters (digits,
// punctuation, combining marks) belong to every script.
func mixedScripts(s string) bool {
	seen := map[string]bool{}
	for _, r := range s {
		if name := script(r); name != "" {
			seen[name] = true
		}
	}
	if len(seen) <= 1 {
		return false
	}
	for _, mix := range scriptMixes {
		n := 0
		for _, name := range mix {
			if seen[name] {
				n++
			}
		}
		if n == len(seen) {
			return false
		}
	}
	return true
}

// script names the Unicode script of r, or "" for Common and Inherited.
func script(r rune) string {
	if r < unicode.MaxASCII {
		if unicode.IsLetter(r) {
			return "Latin"
		}
		return ""
	}
	for name, table := range unicode.Scripts {
		if name != "Common" && name != "Inherited" && unicode.Is(table, r) {
			return name
		}
	}
	return ""
}
