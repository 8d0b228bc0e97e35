package settings_test

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"example.com/modmono/platform/settings"
)

func source(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestUnsetVariablesTakeTheirDefaults(t *testing.T) {
	p := settings.New(source(nil))
	if p.String("S", "d") != "d" || p.Int("I", 7, 1, 9) != 7 || p.Float("F", 1.5, 0, 2) != 1.5 ||
		p.Duration("D", time.Second, 0, time.Hour) != time.Second || p.Level("L", slog.LevelWarn) != slog.LevelWarn ||
		p.OneOf("O", "a", "a", "b") != "a" || p.ListenAddr("A", "public") != "" || p.Networks("N") != nil {
		t.Fatal("a default was not returned")
	}
	if err := p.Err(); err != nil {
		t.Fatal(err)
	}
}

func TestGoodValuesAreRead(t *testing.T) {
	p := settings.New(source(map[string]string{"S": " v ", "I": "3", "F": "0.5", "D": "2m", "L": "debug", "O": "B",
		"A": "Public", "N": "10.0.0.0/8, 10.1.2.3"}))
	if p.String("S", "") != "v" || p.Int("I", 0, 1, 9) != 3 || p.Float("F", 0, 0, 1) != 0.5 ||
		p.Duration("D", 0, 0, time.Hour) != 2*time.Minute || p.Level("L", slog.LevelInfo) != slog.LevelDebug ||
		p.OneOf("O", "a", "a", "b") != "b" || p.ListenAddr("A", "public") != "public" || len(p.Networks("N")) != 2 {
		t.Fatal("a value was not read")
	}
	if err := p.Err(); err != nil {
		t.Fatal(err)
	}
}

func TestEveryBadVariableIsNamedAndTakesItsDefault(t *testing.T) {
	p := settings.New(source(map[string]string{"I": "99", "F": "x", "D": "1h", "L": "loud", "O": "c", "A": "9090", "N": "10.0.0.0/99"}))
	if p.Int("I", 5, 1, 9) != 5 || p.Float("F", 1, 0, 2) != 1 || p.Duration("D", time.Second, 0, time.Minute) != time.Second ||
		p.Level("L", slog.LevelInfo) != slog.LevelInfo || p.OneOf("O", "a", "a", "b") != "a" {
		t.Fatal("a bad value did not fall back to its default")
	}
	p.ListenAddr("A")
	p.Networks("N")
	p.Fail("X", "is wrong")
	err := p.Err()
	for _, name := range []string{"I", "F", "D", "L", "O", "A", "N", "X"} {
		if err == nil || !strings.Contains(err.Error(), name+": ") {
			t.Errorf("the error does not name %s: %v", name, err)
		}
	}
}
