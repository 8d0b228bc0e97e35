// Package settings reads typed settings from a getenv-like source and
// describes them for the documentation. A Parser collects one error per bad
// variable, naming it, so that start-up reports every mistake at once; a
// Setting is one variable as the configuration table documents it.
package settings

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Setting documents one environment variable next to the code that reads
// it: docs_test.go holds docs/configuration.md's table to it.
type Setting struct {
	Name string
	// Default is the value used when the variable is unset, as the table's
	// default column states it (e.g. "24h", or "none: unsigned").
	Default string
	// Meaning says what the variable does, in a line.
	Meaning string
	// Secret marks a setting that may instead be kept in a file or a
	// secret store (NAME_FILE, NAME_SSM_PARAMETER, NAME_SECRET_ID).
	Secret bool
}

// Parser reads settings through getenv. Each method returns the
// variable's value, or its default when it is unset or bad; a bad value is
// recorded, and Err returns every one.
type Parser struct {
	getenv func(string) string
	errs   []error
}

// New returns a Parser reading through getenv (os.Getenv, or a map's
// lookup in tests).
func New(getenv func(string) string) *Parser {
	return &Parser{getenv: getenv}
}

// Err joins the errors of every bad variable read so far, each naming its
// variable; nil when there were none.
func (p *Parser) Err() error { return errors.Join(p.errs...) }

// Fail records that the variable name is bad, saying why.
func (p *Parser) Fail(name, format string, args ...any) {
	p.errs = append(p.errs, fmt.Errorf("%s: %s", name, fmt.Sprintf(format, args...)))
}

// Getenv returns the variable's raw value.
func (p *Parser) Getenv(name string) string { return p.getenv(name) }

// String returns the trimmed value, or def when it is empty.
func (p *Parser) String(name, def string) string {
	if v := strings.TrimSpace(p.getenv(name)); v != "" {
		return v
	}
	return def
}

// Int reads a whole number from lo to hi.
func (p *Parser) Int(name string, def, lo, hi int) int {
	v := strings.TrimSpace(p.getenv(name))
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		p.Fail(name, "%q is not a whole number from %d to %d", v, lo, hi)
		return def
	}
	return n
}

// Float reads a number from lo to hi.
func (p *Parser) Float(name string, def, lo, hi float64) float64 {
	v := strings.TrimSpace(p.getenv(name))
	if v == "" {
		return def
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || !(f >= lo && f <= hi) {
		p.Fail(name, "%q is not a number from %g to %g", v, lo, hi)
		return def
	}
	return f
}

// Duration reads a time.ParseDuration value from lo to hi.
func (p *Parser) Duration(name string, def, lo, hi time.Duration) time.Duration {
	v := strings.TrimSpace(p.getenv(name))
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < lo || d > hi {
		p.Fail(name, "%q is not a duration from %s to %s (like 30s or 5m)", v, lo, hi)
		return def
	}
	return d
}

// Level reads a log level: debug, info, warn or error.
func (p *Parser) Level(name string, def slog.Level) slog.Level {
	v := strings.TrimSpace(p.getenv(name))
	if v == "" {
		return def
	}
	var l slog.Level
	if err := l.UnmarshalText([]byte(v)); err != nil {
		p.Fail(name, "%q is not one of debug, info, warn, error", v)
		return def
	}
	return l
}

// OneOf reads one of allowed, compared lower-cased.
func (p *Parser) OneOf(name, def string, allowed ...string) string {
	v := strings.ToLower(strings.TrimSpace(p.getenv(name)))
	if v == "" {
		return def
	}
	if slices.Contains(allowed, v) {
		return v
	}
	p.Fail(name, "%q is not one of %s", v, strings.Join(allowed, ", "))
	return def
}

// ListenAddr reads an optional host:port to listen on, or one of the
// keywords (returned lower-cased); the host may be empty (every
// interface), the port must be 1–65535.
func (p *Parser) ListenAddr(name string, keywords ...string) string {
	v := strings.TrimSpace(p.getenv(name))
	if v == "" || slices.Contains(keywords, strings.ToLower(v)) {
		return strings.ToLower(v)
	}
	_, port, err := net.SplitHostPort(v)
	if n, perr := strconv.Atoi(port); err != nil || perr != nil || n < 1 || n > 65535 {
		p.Fail(name, "%q is not host:port with a port from 1 to 65535, e.g. 127.0.0.1:9090%s", v, orKeywords(keywords))
		return ""
	}
	return v
}

func orKeywords(keywords []string) string {
	if len(keywords) == 0 {
		return ""
	}
	return ", or " + strings.Join(keywords, ", ")
}

// Networks reads a comma-separated list of CIDR ranges or single addresses.
func (p *Parser) Networks(name string) []*net.IPNet {
	var out []*net.IPNet
	for _, part := range strings.Split(p.getenv(name), ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if ip := net.ParseIP(part); ip != nil {
			bits := 128
			if ip.To4() != nil {
				bits = 32
			}
			out = append(out, &net.IPNet{IP: ip, Mask: net.CIDRMask(bits, bits)})
			continue
		}
		_, n, err := net.ParseCIDR(part)
		if err != nil {
			p.Fail(name, "%q is not an address or CIDR range like 10.0.0.0/8", part)
			continue
		}
		out = append(out, n)
	}
	return out
}
