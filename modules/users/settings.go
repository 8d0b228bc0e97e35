package users

import "example.com/modmono/platform/settings"

// Settings are the environment variables users reads (LoadConfig), as
// docs/configuration.md documents them.
var Settings = []settings.Setting{
	{Name: "BCRYPT_COST", Default: "10", Meaning: "password hash cost (4–16)"},
}

// LoadConfig reads the module's Config from its Settings through p.
func LoadConfig(p *settings.Parser) Config {
	return Config{PasswordCost: p.Int("BCRYPT_COST", 10, 4, 16)}
}
