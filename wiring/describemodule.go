package wiring

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"example.com/modmono/platform/modular"
	"example.com/modmono/platform/sqldb"
)

// routes are the endpoints m registers on a bare Echo, each with its
// operation in m's OpenAPI fragment, by path then method.
func routes(m modular.Module) ([]Route, error) {
	var doc struct {
		// A path item holds operations by method, and other keys
		// (parameters, summary …) that are no operation.
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(m.OpenAPI(), &doc); err != nil {
		return nil, fmt.Errorf("its OpenAPI fragment: %w", err)
	}
	e := echo.New()
	m.RegisterRoutes(e)
	var out []Route
	for _, r := range e.Routes() {
		if !slices.Contains(httpMethods, r.Method) {
			continue // a group's not-found route
		}
		route := Route{Method: r.Method, Path: openAPIPath(r.Path)}
		if raw, ok := doc.Paths[route.Path][strings.ToLower(r.Method)]; ok {
			var op struct{ OperationID, Summary string }
			if err := json.Unmarshal(raw, &op); err != nil {
				return nil, fmt.Errorf("its OpenAPI fragment: %s %s: %w", r.Method, route.Path, err)
			}
			route.OperationID, route.Summary = op.OperationID, op.Summary
		}
		out = append(out, route)
	}
	slices.SortFunc(out, func(a, b Route) int {
		return cmpJoin(a.Path, a.Method, b.Path, b.Method)
	})
	return slices.CompactFunc(out, func(a, b Route) bool { return a.Path == b.Path && a.Method == b.Method }), nil
}

var httpMethods = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut,
	http.MethodPatch, http.MethodDelete, http.MethodOptions}

// openAPIPath turns Echo's /v1/orders/:id into OpenAPI's /v1/orders/{id}.
func openAPIPath(path string) string {
	segs := strings.Split(path, "/")
	for i, s := range segs {
		if name, ok := strings.CutPrefix(s, ":"); ok {
			segs[i] = "{" + name + "}"
		}
	}
	return strings.Join(segs, "/")
}

func cmpJoin(a1, a2, b1, b2 string) int {
	if c := strings.Compare(a1, b1); c != 0 {
		return c
	}
	return strings.Compare(a2, b2)
}

// platformTables are the tables of a database migrated with the host's
// schema alone: what every module database carries.
func platformTables(ctx context.Context, host *modular.Host, dir string) ([]Table, error) {
	db, err := sqldb.OpenSQLite(filepath.Join(dir, "platform.db"), sqldb.SQLiteOptions{})
	if err != nil {
		return nil, err
	}
	defer db.Close()
	for _, m := range host.Schema {
		if err := db.Migrate(ctx, m); err != nil {
			return nil, err
		}
	}
	return tables(ctx, db, host.Schema)
}

// ownTables are the tables of m's migrated database that are not the
// platform's.
func ownTables(ctx context.Context, host *modular.Host, m modular.Module, platform []Table) ([]Table, error) {
	all, err := tables(ctx, m.DB(), host.Migrations(m))
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(all, func(t Table) bool {
		return slices.ContainsFunc(platform, func(p Table) bool { return p.Name == t.Name })
	}), nil
}

// tables lists the tables of SQLite database db with their columns, but
// for SQLite's own and the version tables of histories.
func tables(ctx context.Context, db *sqldb.DB, histories []sqldb.Migrations) ([]Table, error) {
	rows, err := db.Read.QueryContext(ctx, `SELECT name FROM sqlite_schema
		WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY name`)
	if err != nil {
		return nil, err
	}
	var names []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return nil, err
		}
		if !slices.ContainsFunc(histories, func(h sqldb.Migrations) bool { return h.Table == name }) {
			names = append(names, name)
		}
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	out := make([]Table, 0, len(names))
	for _, name := range names {
		cols, err := columns(ctx, db, name)
		if err != nil {
			return nil, fmt.Errorf("table %s: %w", name, err)
		}
		out = append(out, Table{Name: name, Columns: cols})
	}
	return out, nil
}

// columns are table's columns in declaration order.
func columns(ctx context.Context, db *sqldb.DB, table string) ([]Column, error) {
	rows, err := db.Read.QueryContext(ctx, `SELECT name, type, "notnull", pk FROM pragma_table_info(?) ORDER BY cid`, table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Column
	for rows.Next() {
		var c Column
		var pk int
		if err := rows.Scan(&c.Name, &c.Type, &c.NotNull, &pk); err != nil {
			return nil, err
		}
		c.PrimaryKey = pk > 0
		out = append(out, c)
	}
	return out, rows.Err()
}
