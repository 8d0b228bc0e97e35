package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Limits of TestCodeShape (docs/architecture.md, "Layout"): a file a reader
// takes in without scrolling far, a function read at a glance.
const (
	maxFileLines     = 300
	maxFunctionLines = 50
)

// TestCodeShape enforces the size limits on every non-test Go file but the
// generated wire_gen.go: no file over maxFileLines, no function over
// maxFunctionLines (from its func line to its closing brace). A file over
// the limit splits along a seam (natsbus: bus, publisher, subscriber); a
// function over it names its steps (wiring.LoadConfig).
func TestCodeShape(t *testing.T) {
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".") && path != "." {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") || d.Name() == "wire_gen.go" {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, v := range shapeViolations(t, path, src) {
			t.Error(v)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// shapeViolations lists how the Go source src of path breaks the limits.
func shapeViolations(t *testing.T, path string, src []byte) []string {
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, path, src, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	if lines := fset.Position(file.End()).Line; lines > maxFileLines {
		out = append(out, fmt.Sprintf("%s has %d lines (at most %d): split it along a seam", path, lines, maxFileLines))
	}
	for _, decl := range file.Decls {
		fn, ok := decl.(*ast.FuncDecl)
		if !ok {
			continue
		}
		if lines := fset.Position(fn.End()).Line - fset.Position(fn.Pos()).Line + 1; lines > maxFunctionLines {
			out = append(out, fmt.Sprintf("%s: %s has %d lines (at most %d): name its steps", path, fn.Name.Name, lines, maxFunctionLines))
		}
	}
	return out
}

func TestCodeShapeCatchesViolations(t *testing.T) {
	body := func(n int) string { return strings.Repeat("\t_ = 0\n", n) }
	tests := []struct {
		name string
		src  string
		want int
	}{
		{"a function of 50 lines passes", "package p\n\nfunc f() {\n" + body(48) + "}\n", 0},
		{"a function of 51 lines fails", "package p\n\nfunc f() {\n" + body(49) + "}\n", 1},
		{"a file of 301 lines fails", "package p\n\n" + strings.Repeat("var _ = 0\n", 298) + "var _ = 0", 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := shapeViolations(t, "p.go", []byte(tc.src)); len(got) != tc.want {
				t.Errorf("got %d violations %q, want %d", len(got), got, tc.want)
			}
		})
	}
}
