package wiring

import (
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

// terminalSafe writes text with every control or formatting character but
// newline and tab escaped (\x1b, \u202e …), and every invalid byte as \xNN,
// so that what an event carries cannot drive the operator's terminal:
// move the cursor, rewrite earlier lines, or reorder text with bidi
// overrides.
type terminalSafe struct{ w io.Writer }

func (t terminalSafe) Write(p []byte) (int, error) {
	if _, err := io.WriteString(t.w, escapeControls(p)); err != nil {
		return 0, err
	}
	return len(p), nil
}

func escapeControls(p []byte) string {
	var b strings.Builder
	for len(p) > 0 {
		r, size := utf8.DecodeRune(p)
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, `\x%02x`, p[0])
		case r == '\n' || r == '\t':
			b.WriteRune(r)
		case r < 0x80 && unicode.IsControl(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
		p = p[size:]
	}
	return b.String()
}
