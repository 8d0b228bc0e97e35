package wiring

import (
	"slices"
	"testing"

	"example.com/modmono/platform/settings"
)

// TestEachModuleReadsTheSettingsItDeclares holds each module's Settings,
// which the configuration table is checked against, to what its
// LoadConfig reads: no variable read undeclared, none declared unread.
func TestEachModuleReadsTheSettingsItDeclares(t *testing.T) {
	for _, c := range catalog {
		t.Run(c.name, func(t *testing.T) {
			var read []string
			c.load(settings.New(func(name string) string {
				if !slices.Contains(read, name) {
					read = append(read, name)
				}
				return ""
			}))
			var declared []string
			for _, s := range c.settings {
				declared = append(declared, s.Name)
				if s.Default == "" || s.Meaning == "" {
					t.Errorf("%s declares %s without a default or a meaning", c.name, s.Name)
				}
			}
			slices.Sort(read)
			slices.Sort(declared)
			if !slices.Equal(read, declared) {
				t.Errorf("%s reads %v but declares %v", c.name, read, declared)
			}
		})
	}
}
