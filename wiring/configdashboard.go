package wiring

import (
	"example.com/modmono/platform/devdash"
	"example.com/modmono/platform/settings"
)

// DashboardDefaultAddr is where the development dashboard listens when
// the server runs on its embedded defaults and DEV_DASHBOARD_ADDR is unset.
const DashboardDefaultAddr = "127.0.0.1:9400"

// dashboardOff is the DEV_DASHBOARD_ADDR that turns the dashboard off
// where it would be on by default.
const dashboardOff = "off"

// minDashboardToken is the shortest DEV_DASHBOARD_TOKEN accepted.
const minDashboardToken = 16

// dashboardConfig reads DEV_DASHBOARD_ADDR and DEV_DASHBOARD_TOKEN. The
// dashboard is on by default only for a server on its embedded defaults
// (what `go run .` is: see embeddedDefaults); a function never has it; an
// address other than loopback needs a token. byDefault says the address is
// the default, not asked for.
func dashboardConfig(p *settings.Parser, cfg Config) (_ devdash.Config, byDefault bool) {
	addr := p.ListenAddr("DEV_DASHBOARD_ADDR", dashboardOff)
	token := p.Getenv("DEV_DASHBOARD_TOKEN")
	if token != "" && len(token) < minDashboardToken {
		p.Fail("DEV_DASHBOARD_TOKEN", "must be at least %d bytes long", minDashboardToken)
	}
	switch {
	case addr == dashboardOff:
		return devdash.Config{}, false
	case cfg.Mode != ModeServer:
		if addr != "" {
			p.Fail("DEV_DASHBOARD_ADDR", "the development dashboard runs in server mode only, not in %s mode: unset it", cfg.Mode)
		}
		return devdash.Config{}, false
	case addr == "" && !embeddedDefaults(p, cfg):
		return devdash.Config{}, false
	case addr == "":
		addr, byDefault = DashboardDefaultAddr, true
	}
	if err := devdash.CheckAddr(addr, token); err != nil {
		p.Fail("DEV_DASHBOARD_ADDR", "%v (DEV_DASHBOARD_TOKEN)", err)
		return devdash.Config{}, false
	}
	return devdash.Config{Addr: addr, Token: token}, byDefault
}

// embeddedDefaults reports whether the server runs as `go run .` does on
// a laptop: SQLite files in ./data, the in-process bus, and the secrets
// generated there. Anything configured (a database, a broker, a secret, a
// data directory, as the image sets) is a deployment, where the dashboard
// is off unless asked for.
func embeddedDefaults(p *settings.Parser, cfg Config) bool {
	return cfg.Mode == ModeServer && len(cfg.DatabaseURLs) == 0 && cfg.BusKind == "inprocess" &&
		cfg.JWTSecret == "" && cfg.EventKeys == nil && p.Getenv("DATA_DIR") == ""
}
