package validate

import (
	"golang.org/x/text/currency"
	"golang.org/x/text/language"
)

// IsCountry reports whether code is an ISO 3166-1 alpha-2 country code in
// its canonical, upper-case form ("DE", not "de", "DEU" or "276"), per the
// CLDR data of golang.org/x/text. Groupings ("EU", "UN"), unknown ("ZZ")
// and replaced codes ("UK" for GB) are not countries.
func IsCountry(code string) bool {
	if !upperASCII(code, 2) {
		return false
	}
	r, err := language.ParseRegion(code)
	return err == nil && r.Canonicalize().String() == code && r.IsCountry() && r.ISO3() != "ZZZ"
}

// tender holds the ISO 4217 codes of the currencies in use today, per the
// CLDR data of golang.org/x/text: no historic ones ("DEM"), no funds or
// metals ("XAU"), no "XXX" or "XTS".
var tender = func() map[string]bool {
	m := map[string]bool{}
	for it := currency.Query(); it.Next(); {
		m[it.Unit().String()] = true
	}
	return m
}()

// IsCurrency reports whether code is the upper-case ISO 4217 code of a
// currency in use, like "EUR" or "USD".
func IsCurrency(code string) bool {
	return upperASCII(code, 3) && tender[code]
}

func upperASCII(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := range len(s) {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}
