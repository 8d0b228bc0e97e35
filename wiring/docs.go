package wiring

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// DocsUsage describes the docs command.
const DocsUsage = `usage: modmono docs [FILE]

  Writes the module documentation, generated from the code, to FILE
  (default docs/modules.md; "-" for standard output): a diagram of the
  modules and their events, and per module its routes, tables, events
  with their fields and versions, settings, and functions in
  serverless.yml. Run it from the repository's root (make docs), where
  serverless.yml is.`

// DocsFile is where `make docs` keeps the generated documentation.
const DocsFile = "docs/modules.md"

// RunDocs runs the docs command with args (what follows "docs").
func RunDocs(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) > 1 || len(args) == 1 && strings.HasPrefix(args[0], "-") && args[0] != "-" {
		return fmt.Errorf("docs %s: wrong arguments\n%s", strings.Join(args, " "), DocsUsage)
	}
	out := DocsFile
	if len(args) == 1 {
		out = args[0]
	}
	yml, err := os.ReadFile("serverless.yml")
	if err != nil {
		return fmt.Errorf("docs: %w (run it from the repository's root)", err)
	}
	sys, err := Describe(ctx, DescribeOptions{Serverless: yml})
	if err != nil {
		return err
	}
	var doc bytes.Buffer
	if err := WriteDocs(&doc, sys); err != nil {
		return err
	}
	if out == "-" {
		_, err = stdout.Write(doc.Bytes())
		return err
	}
	return writeFileAtomically(out, doc.Bytes())
}

// writeFileAtomically replaces path with data: a failure leaves the old
// file whole.
func writeFileAtomically(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".modules-*.md")
	if err != nil {
		return err
	}
	_, err = tmp.Write(data)
	err = errors.Join(err, tmp.Chmod(0o644), tmp.Close())
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}

// WriteDocs writes sys as Markdown: a Mermaid diagram of the modules and
// their event flows, then a canvas per module, then the tables every
// module database carries. The same sys gives the same bytes.
func WriteDocs(w io.Writer, sys System) error {
	d := &docWriter{w: w, sys: sys}
	d.line("# Modules")
	d.line("")
	d.line("<!-- Generated from the code by `make docs` (modmono docs); do not edit. `make docs-check` fails when it is stale. -->")
	d.line("")
	d.line("The modules of the catalog (wiring/wiring.go), in start order, and the events between them. " +
		"An arrow goes from the module that publishes a topic to one that consumes it.")
	d.line("")
	d.diagram()
	for _, m := range sys.Modules {
		d.module(m)
	}
	d.line("## Every module database")
	d.line("")
	d.line("Each module's database also carries the platform's tables (platform/messaging, platform/sqldb).")
	d.line("")
	d.section("Tables", len(sys.PlatformTables))
	d.tables(sys.PlatformTables)
	return d.err
}

// docWriter writes Markdown, keeping the first error.
type docWriter struct {
	w   io.Writer
	sys System
	err error
}

func (d *docWriter) line(format string, args ...any) {
	if d.err == nil {
		_, d.err = fmt.Fprintf(d.w, format+"\n", args...)
	}
}

// row writes one row of a table, its cells escaped.
func (d *docWriter) row(cells ...string) {
	for i, c := range cells {
		cells[i] = cell(c)
	}
	d.line("| %s |", strings.Join(cells, " | "))
}

// cell makes s safe in a table cell: no pipe or line break.
func cell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}

// text is prose made safe from HTML.
func text(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// code is s as a code span (a cell's escaping still applies to its pipes).
func code(s string) string {
	if s == "" {
		return ""
	}
	return "`" + s + "`"
}

// anchor is the fragment GitHub gives a heading's text.
func anchor(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(heading) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
		}
	}
	return b.String()
}
