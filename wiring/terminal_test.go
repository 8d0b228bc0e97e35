package wiring

import "testing"

func TestTextAnEventCarriesCannotDriveTheTerminal(t *testing.T) {
	for in, want := range map[string]string{
		"plain text\tand\nlines":      "plain text\tand\nlines",
		"\x1b[2J\x1b[Hcleared":        `\x1b[2J\x1b[Hcleared`,
		"bell\a and back\bspace\r":    `bell\x07 and back\x08space\x0d`,
		"abc\u202edcba":               `abc\u202edcba`,
		"c1 \u009b31m":                `c1 \u009b31m`,
		"invalid \xff byte, é and 日本": `invalid \xff byte, é and 日本`,
	} {
		if got := escapeControls([]byte(in)); got != want {
			t.Errorf("escapeControls(%q) = %q, want %q", in, got, want)
		}
	}
}
