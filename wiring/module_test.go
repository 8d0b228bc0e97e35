package wiring_test

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"example.com/modmono/modules/users/events"
	"example.com/modmono/platform/apperror"
	"example.com/modmono/platform/auth"
	"example.com/modmono/platform/messaging"
	"example.com/modmono/platform/modular"
	"example.com/modmono/platform/settings"
	"example.com/modmono/platform/sqldb"
	"example.com/modmono/wiring"
)

// TestAModuleIsALineInTheCatalog builds the system with a module defined
// here, registered the way a line of the catalog registers one, and runs
// its story on the configured engine (SQLite, or PostgreSQL with
// TEST_STORAGE=postgres): its own settings, tables, routes and OpenAPI
// part, an event of users consumed, an event of its own published through
// its outbox and the bus (and consumed by itself, there being no other
// consumer of it).
func TestAModuleIsALineInTheCatalog(t *testing.T) {
	wiring.AddModule(t, rewardsName, rewardsSettings, loadRewardsConfig, buildRewards)
	if !slices.Contains(wiring.Modules, rewardsName) || !slices.Contains(wiring.SecretVariables(), "REWARDS_DATABASE_URL") {
		t.Fatalf("the catalog does not derive the new module's names: %v, %v", wiring.Modules, wiring.SecretVariables())
	}
	if _, err := wiring.LoadConfig(env(map[string]string{"REWARDS_POINTS": "0"})); err == nil || !strings.Contains(err.Error(), "REWARDS_POINTS:") {
		t.Fatalf("a bad setting of the module: %v, want an error naming REWARDS_POINTS", err)
	}
	s := startServer(t, "REWARDS_POINTS", "25")
	if u, ok := s.Config.DatabaseURLs[rewardsName]; os.Getenv("TEST_STORAGE") == "postgres" && (!ok || u.Variable != "DATABASE_URL") {
		t.Fatalf("on PostgreSQL, the module's database: %+v, %v", u, ok)
	}
	if doc := s.do(t, request{Method: "GET", Path: "/openapi.json"}).expect(t, 200).Body; !strings.Contains(string(doc), `"name":"rewards"`) {
		t.Error("the OpenAPI document does not list the module's tag")
	}
	u, token := s.signUp(t)

	var m member
	eventually(t, "the member, from users.UserRegistered", func() bool {
		res := s.do(t, request{Method: "GET", Path: "/v1/rewards/me", Token: token})
		if res.Status == http.StatusNotFound {
			return false
		}
		res.expect(t, 200).decode(t, &m)
		return true
	})
	if m.UserID != u.ID || m.Email != u.Email || m.Points != 0 || m.Awards != 0 {
		t.Fatalf("member %+v of user %+v", m, u)
	}
	s.do(t, request{Method: "POST", Path: "/v1/rewards/me/awards", Token: token}).expect(t, 201).decode(t, &m)
	if m.Points != 25 {
		t.Fatalf("REWARDS_POINTS=25 awarded %d points", m.Points)
	}
	eventually(t, "the award, from rewards.PointsAwarded through the outbox and the bus", func() bool {
		s.do(t, request{Method: "GET", Path: "/v1/rewards/me", Token: token}).expect(t, 200).decode(t, &m)
		return m.Awards == 1
	})
	var points int
	db := openModuleDB(t, s.Config, rewardsName)
	if err := db.Read.QueryRow(`SELECT points FROM awards WHERE user_id = $1`, u.ID).Scan(&points); err != nil || points != 25 {
		t.Fatalf("its own awards table: %d, %v", points, err)
	}
}

// The same module runs as a function: APP_MODULE accepts it, and the
// function is built from its catalog line alone.
func TestAModuleOfTheCatalogRunsAsAFunction(t *testing.T) {
	wiring.AddModule(t, rewardsName, rewardsSettings, loadRewardsConfig, buildRewards)
	cfg := testConfig(t, t.TempDir(), "APP_MODE", "lambda", "APP_MODULE", rewardsName)
	fn, cleanup, err := wiring.InitializeFunction(cfg, slog.New(slog.DiscardHandler), wiring.ModuleName(cfg.Module))
	if err != nil || fn == nil {
		t.Fatalf("the function of %s: %v", rewardsName, err)
	}
	cleanup()
}

type member struct {
	UserID string `json:"user_id"`
	Email  string `json:"email"`
	Points int    `json:"points"`
	Awards int    `json:"awards"`
}

// rewards is the module under test: a member for each user who signs up;
// POST awards them points and publishes rewards.PointsAwarded, whose
// handler records the award.
type rewards struct {
	deps   modular.Deps
	cfg    rewardsConfig
	outbox *messaging.Outbox
}

const (
	rewardsName        = "rewards"
	topicPointsAwarded = "rewards.PointsAwarded.v1"
)

var rewardsSettings = []settings.Setting{
	{Name: "REWARDS_POINTS", Default: "10", Meaning: "the points one award gives (1–1000)"},
}

type rewardsConfig struct{ Points int }

func loadRewardsConfig(p *settings.Parser) rewardsConfig {
	return rewardsConfig{Points: p.Int("REWARDS_POINTS", 10, 1, 1000)}
}

// buildRewards is what its injector would be: google/wire generates a
// call of the module's Provide, which is this call of modular.Build.
func buildRewards(host *modular.Host, cfg rewardsConfig) (modular.Module, func(), error) {
	m, cleanup, err := modular.Build(host, rewardsName, cfg, newRewards)
	if err != nil {
		return nil, nil, err
	}
	return m, cleanup, nil
}

func newRewards(deps modular.Deps, cfg rewardsConfig) (*rewards, error) {
	outbox, err := messaging.NewOutbox(rewardsName, deps.Keys)
	if err != nil {
		return nil, err
	}
	return &rewards{deps: deps, cfg: cfg, outbox: outbox}, nil
}

//go:embed testdata/rewards
var rewardsFiles embed.FS

func (m *rewards) Name() string              { return rewardsName }
func (m *rewards) Workers() []modular.Worker { return nil }
func (m *rewards) DB() *sqldb.DB             { return m.deps.DB }

func (m *rewards) OpenAPI() []byte {
	doc, _ := rewardsFiles.ReadFile("testdata/rewards/openapi.json")
	return doc
}

// Contracts are the contracts of rewards.PointsAwarded: what Describe
// reads the topics a module publishes from.
func (m *rewards) Contracts() fs.FS {
	dir, _ := fs.Sub(rewardsFiles, "testdata/rewards/events")
	return dir
}

func (m *rewards) Migrations() sqldb.Migrations {
	dir, _ := fs.Sub(rewardsFiles, "testdata/rewards/migrations")
	return sqldb.Migrations{SQLite: dir, Postgres: dir, Table: "schema_version"}
}

func (m *rewards) RegisterRoutes(e *echo.Echo) {
	g := e.Group("/v1/rewards/me", m.deps.Tokens.Require)
	g.GET("", m.get)
	g.POST("/awards", m.award)
}

func (m *rewards) get(c echo.Context) error {
	me, err := m.member(c.Request().Context(), auth.UserID(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, me)
}

func (m *rewards) award(c echo.Context) error {
	ctx, userID := c.Request().Context(), auth.UserID(c)
	err := m.deps.DB.InTx(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE members SET points = points + $1 WHERE user_id = $2`, m.cfg.Points, userID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return errors.Join(err, apperror.New(apperror.NotFound, "No such member."))
		}
		return m.outbox.Add(ctx, tx, topicPointsAwarded, pointsAwarded{UserID: userID, Points: m.cfg.Points})
	})
	if err != nil {
		return err
	}
	me, err := m.member(ctx, userID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, me)
}

func (m *rewards) member(ctx context.Context, userID string) (member, error) {
	me := member{UserID: userID}
	err := m.deps.DB.Read.QueryRowContext(ctx, `SELECT email, points, (SELECT count(*) FROM awards WHERE user_id = $1)
		FROM members WHERE user_id = $1`, userID).Scan(&me.Email, &me.Points, &me.Awards)
	if errors.Is(err, sql.ErrNoRows) {
		return me, apperror.New(apperror.NotFound, "No such member.")
	}
	return me, err
}

type pointsAwarded struct {
	UserID string `json:"user_id"`
	Points int    `json:"points"`
}

func (e pointsAwarded) Validate() error {
	if e.UserID == "" || e.Points <= 0 {
		return errors.New("user_id and points are required")
	}
	return nil
}

func (m *rewards) Handlers() []messaging.Handler {
	return []messaging.Handler{
		{Topic: events.TopicUserRegistered, Apply: func(ctx context.Context, tx *sqldb.Tx, ev messaging.Event) error {
			e, err := messaging.Decode[events.UserRegistered](ev)
			if err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO members (user_id, email) VALUES ($1, $2) ON CONFLICT (user_id) DO NOTHING`, e.UserID, e.Email)
			return err
		}},
		{Topic: topicPointsAwarded, Apply: func(ctx context.Context, tx *sqldb.Tx, ev messaging.Event) error {
			e, err := messaging.Decode[pointsAwarded](ev)
			if err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO awards (event_id, user_id, points) VALUES ($1, $2, $3) ON CONFLICT (event_id) DO NOTHING`,
				ev.ID, e.UserID, e.Points)
			return err
		}},
	}
}
