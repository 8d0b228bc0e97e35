package main

import (
	"fmt"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// engineDrivers are the import paths (and those under them) that only one
// database engine's code needs, and the engine each belongs to.
var engineDrivers = map[string]string{
	"github.com/mattn/go-sqlite3": "sqlite",
	"github.com/jackc/pgx":        "postgres",
}

// TestEngineCodeSitsInFilesNamedForTheEngine enforces the naming rule of
// docs/architecture.md ("Layout") where a compiler can see it: in
// platform/, a non-test Go file that imports one engine's driver is named
// for that engine (sqlite*.go, postgres*.go), so that a file named for
// neither holds what both engines share.
func TestEngineCodeSitsInFilesNamedForTheEngine(t *testing.T) {
	err := filepath.WalkDir("platform", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, v := range engineViolations(t, path, src) {
			t.Error(v)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// engineViolations lists the engine drivers that the Go source src of path
// imports without being named for their engine.
func engineViolations(t *testing.T, path string, src []byte) []string {
	file, err := parser.ParseFile(token.NewFileSet(), path, src, parser.ImportsOnly)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, spec := range file.Imports {
		imp, _ := strconv.Unquote(spec.Path.Value)
		for driver, engine := range engineDrivers {
			if (imp == driver || strings.HasPrefix(imp, driver+"/")) && !strings.HasPrefix(filepath.Base(path), engine) {
				out = append(out, fmt.Sprintf("%s imports %s: move that code to a file named %s….go", path, imp, engine))
			}
		}
	}
	return out
}

func TestEngineCodeRuleCatchesViolations(t *testing.T) {
	tests := []struct {
		name, path, src string
		want            int
	}{
		{"a shared file that imports no driver passes", "sqldb/tx.go", `package p; import "database/sql"`, 0},
		{"an engine's file that imports its driver passes", "sqldb/postgrestx.go", `package p; import "github.com/jackc/pgx/v5/pgconn"`, 0},
		{"a shared file that imports a driver fails", "sqldb/errors.go", `package p; import _ "github.com/mattn/go-sqlite3"`, 1},
		{"an engine's file that imports the other's driver fails", "sqldb/sqlite.go", `package p; import "github.com/jackc/pgx/v5"`, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := engineViolations(t, tc.path, []byte(tc.src)); len(got) != tc.want {
				t.Errorf("got %d violations %q, want %d", len(got), got, tc.want)
			}
		})
	}
}
