package validate_test

import (
	"testing"

	"example.com/modmono/platform/validate"
)

func TestCountryCodes(t *testing.T) {
	tests := []struct {
		code string
		want bool
	}{
		{"DE", true}, {"US", true}, {"GB", true}, {"JP", true},
		{"de", false},  // not upper case
		{"DEU", false}, // alpha-3
		{"276", false}, // numeric
		{"UK", false},  // replaced by GB
		{"EU", false},  // a grouping
		{"UN", false},  // not a country
		{"ZZ", false},  // unknown
		{"XX", false},  // unassigned
		{"", false},
	}
	for _, tc := range tests {
		if got := validate.IsCountry(tc.code); got != tc.want {
			t.Errorf("IsCountry(%q) = %v, want %v", tc.code, got, tc.want)
		}
	}
}

func TestCurrencyCodes(t *testing.T) {
	tests := []struct {
		code string
		want bool
	}{
		{"EUR", true}, {"USD", true}, {"JPY", true}, {"CHF", true}, {"XAF", true},
		{"eur", false}, // not upper case
		{"ABC", false}, // not a currency
		{"DEM", false}, // historic
		{"XAU", false}, // gold, not a currency
		{"XXX", false}, // "no currency"
		{"XTS", false}, // reserved for tests
		{"EU", false},
		{"", false},
	}
	for _, tc := range tests {
		if got := validate.IsCurrency(tc.code); got != tc.want {
			t.Errorf("IsCurrency(%q) = %v, want %v", tc.code, got, tc.want)
		}
	}
}
