package main

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"example.com/modmono/wiring"
)

// The documentation the README links to, checked against the code so that
// it cannot drift: the configuration table names exactly the variables the
// process reads, and every relative link lands on a file and a heading.

// TestConfigurationTableMatchesTheCode holds docs/configuration.md's table to
// the variables the code reads, both ways. What the code reads is found
// twice over: by running the configuration loader (secrets first, as main
// does) with a getenv that records every name asked for, under several
// environments that take its branches; and by reading the source for env
// names written as string literals and passed to getenv, os.Getenv or a
// method of platform/settings' Parser, so a variable read only on a branch
// the runs above miss is found too; and by asking the catalog for the
// settings each module declares. Recording catches names built at run time
// (<MODULE>_DATABASE_URL, <NAME>_FILE, …) that no literal spells. A
// module's declared setting must also state the default its row states.
func TestConfigurationTableMatchesTheCode(t *testing.T) {
	documented := configurationTable(t, filepath.Join("docs", "configuration.md"))
	read := variablesReadAtRunTime()
	for name, where := range variablesReadInSource(t) {
		read[name] = where
	}
	defaults := configurationDefaults(t, filepath.Join("docs", "configuration.md"))
	for module, declared := range wiring.ModuleSettings() {
		for _, s := range declared {
			read[s.Name] = "declared by module " + module
			if d, ok := defaults[s.Name]; ok && !strings.Contains(d, s.Default) {
				t.Errorf("module %s declares %s's default as %q; docs/configuration.md's row says %q", module, s.Name, s.Default, d)
			}
		}
	}
	for _, name := range sortedKeys(read) {
		if !documented[name] {
			t.Errorf("%s is read by the code (%s) but has no row in docs/configuration.md's table", name, read[name])
		}
	}
	for _, name := range sortedKeys(documented) {
		if _, ok := read[name]; !ok {
			t.Errorf("docs/configuration.md's table documents %s, which no code reads", name)
		}
	}
}

// TestDocumentationLinksResolve follows every relative link in README.md and
// docs/*.md: the file must exist and, for a #fragment into a Markdown file,
// a heading of that file must have that anchor (GitHub's rule).
func TestDocumentationLinksResolve(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("docs", "*.md"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no docs/*.md (%v)", err)
	}
	files = append([]string{"README.md"}, files...)
	anchors := map[string]map[string]bool{}
	anchorsOf := func(path string) map[string]bool {
		if a, ok := anchors[path]; ok {
			return a
		}
		a := headingAnchors(t, path)
		anchors[path] = a
		return a
	}
	links := 0
	for _, file := range files {
		for _, link := range markdownLinks(t, file) {
			if regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9+.-]*:`).MatchString(link) {
				continue // http:, https:, mailto:
			}
			links++
			path, fragment, _ := strings.Cut(link, "#")
			target := file
			if path != "" {
				target = filepath.Join(filepath.Dir(file), filepath.FromSlash(path))
			}
			if _, err := os.Stat(target); err != nil {
				t.Errorf("%s: link %q: %s does not exist", file, link, target)
				continue
			}
			if fragment != "" && strings.HasSuffix(target, ".md") && !anchorsOf(target)[fragment] {
				t.Errorf("%s: link %q: %s has no heading with anchor #%s", file, link, target, fragment)
			}
		}
	}
	if links < 20 {
		t.Errorf("found only %d relative links; is the link syntax still [text](target)?", links)
	}
}

// TestReadmeIsTheFrontDoor keeps the README short and its two commands as
// CI and the contract expect them.
func TestReadmeIsTheFrontDoor(t *testing.T) {
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	if n := strings.Count(readme, "\n"); n >= 200 {
		t.Errorf("README.md has %d lines; keep it under 200 and move detail to docs/", n)
	}
	const commands = "```sh\n" +
		"go run .      # the server on :8080 (or $PORT), databases under ./data\n" +
		"make test     # the whole test suite, with -race\n" +
		"```\n"
	if !strings.Contains(readme, "## Two commands\n\n"+commands) {
		t.Errorf("README.md's \"Two commands\" section no longer reads:\n%s", commands)
	}
}

// configurationTable returns the names in the first column of the table
// whose header is "| variable | default | meaning |". A cell may name several
// variables; <NAME> stands for each secret setting (wiring.SecretVariables),
// <MODULE> for each module of the catalog, upper-cased.
func configurationTable(t *testing.T, path string) map[string]bool {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	start := -1
	for i, line := range lines {
		if strings.HasPrefix(line, "| variable | default | meaning |") {
			start = i + 2 // past the header and its |---| line
			break
		}
	}
	if start < 0 {
		t.Fatalf("%s: no table with the header | variable | default | meaning |", path)
	}
	names := map[string]bool{}
	envName := regexp.MustCompile(`^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$`)
	for _, line := range lines[start:] {
		if !strings.HasPrefix(line, "|") {
			break
		}
		cell := strings.SplitN(line, "|", 3)[1]
		found := 0
		for _, m := range regexp.MustCompile("`([^`]+)`").FindAllStringSubmatch(cell, -1) {
			for _, name := range expandSecretPattern(m[1]) {
				if !envName.MatchString(name) {
					t.Errorf("%s: %q in the first column is not a variable name", path, name)
					continue
				}
				names[name] = true
				found++
			}
		}
		if found == 0 {
			t.Errorf("%s: a row names no variable in its first column: %s", path, line)
		}
	}
	if len(names) < 40 {
		t.Fatalf("%s: read only %d variables from the table; has its shape changed?", path, len(names))
	}
	return names
}

// configurationDefaults returns the default column of the configuration
// table's row naming each variable.
func configurationDefaults(t *testing.T, path string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defaults := map[string]string{}
	in := false
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "| variable | default | meaning |") {
			in = true
			continue
		}
		cells := strings.Split(line, "|")
		if !in || !strings.HasPrefix(line, "|") || len(cells) < 4 {
			in = in && strings.HasPrefix(line, "|")
			continue
		}
		for _, m := range regexp.MustCompile("`([^`]+)`").FindAllStringSubmatch(cells[1], -1) {
			defaults[m[1]] = cells[2]
		}
	}
	return defaults
}

// expandSecretPattern expands <MODULE> to each module of the catalog and
// <NAME> to each secret setting.
func expandSecretPattern(name string) []string {
	if strings.Contains(name, "<MODULE>") {
		var out []string
		for _, m := range wiring.Modules {
			out = append(out, expandSecretPattern(strings.ReplaceAll(name, "<MODULE>", strings.ToUpper(m)))...)
		}
		return out
	}
	if !strings.Contains(name, "<NAME>") {
		return []string{name}
	}
	var out []string
	for _, secret := range wiring.SecretVariables() {
		out = append(out, strings.ReplaceAll(name, "<NAME>", secret))
	}
	return out
}

// variablesReadAtRunTime runs what main runs before anything else (the
// secrets, then the configuration) under environments that take each of
// the loader's branches, and records every name it asks for.
func variablesReadAtRunTime() map[string]string {
	read := map[string]string{}
	environments := []map[string]string{
		{},
		{"BUS": "nats", "NATS_URL": "nats://127.0.0.1:4222"},
		{"AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9001", "APP_MODULE": "orders"},
		{"FUNCTION_TARGET": "orders-events"},
		{"APP_MODE": "gcf"},
		{"OTEL_TRACES_EXPORTER": "otlp", "OTEL_SDK_DISABLED": "false"},
		{"CLIENT_IP_HEADER": "x-forwarded-for", "TRUSTED_PROXIES": "10.0.0.0/8"},
		{"DATABASE_URL": "postgres://u@127.0.0.1:5432/db"},
	}
	for _, env := range environments {
		getenv := func(name string) string {
			if _, ok := read[name]; !ok {
				read[name] = "read at run time"
			}
			return env[name]
		}
		// Errors are beside the point here: a refused value is still a read one.
		resolved, err := wiring.ResolveSecrets(context.Background(), getenv)
		if err != nil {
			resolved = getenv
		}
		_, _ = wiring.LoadConfig(resolved)
	}
	return read
}

// variablesReadInSource finds env names spelled as string literals where
// the process reads its environment: the first argument of getenv(…),
// x.getenv(…), os.Getenv/os.LookupEnv(…) or a method of platform/settings'
// Parser (p.Int("PORT", …)), in main.go, wiring/, platform/ and each
// module's root package, tests and test helpers (whose TEST_* variables are
// the test suite's, not the process's) left out.
func variablesReadInSource(t *testing.T) map[string]string {
	t.Helper()
	fset := token.NewFileSet()
	var files []*ast.File
	parse := func(path string) {
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	parse("main.go")
	roots, err := filepath.Glob(filepath.Join("modules", "*", "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range roots {
		if !strings.HasSuffix(path, "_test.go") {
			parse(path)
		}
	}
	for _, root := range []string{"wiring", "platform"} {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			switch {
			case err != nil:
				return err
			case d.IsDir() && (d.Name() == "testenv" || strings.HasSuffix(d.Name(), "test") || d.Name() == "testdata"):
				return filepath.SkipDir
			case !d.IsDir() && strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_test.go"):
				parse(path)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	parserMethods := map[string]bool{}
	for _, f := range files {
		for _, decl := range f.Decls {
			if fn, ok := decl.(*ast.FuncDecl); ok && fn.Recv != nil && receiverType(fn) == "Parser" {
				parserMethods[fn.Name.Name] = true
			}
		}
	}
	if !parserMethods["Int"] || !parserMethods["Duration"] {
		t.Fatalf("found no Parser.Int or Parser.Duration in platform: has the settings parser moved? (methods: %v)", parserMethods)
	}
	envName := regexp.MustCompile(`^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$`)
	read := map[string]string{}
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 || !readsEnvironment(call.Fun, parserMethods) {
				return true
			}
			lit, ok := call.Args[0].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			if name, err := strconv.Unquote(lit.Value); err == nil && envName.MatchString(name) {
				if _, seen := read[name]; !seen {
					read[name] = fset.Position(lit.Pos()).String()
				}
			}
			return true
		})
	}
	return read
}

func receiverType(fn *ast.FuncDecl) string {
	typ := fn.Recv.List[0].Type
	if star, ok := typ.(*ast.StarExpr); ok {
		typ = star.X
	}
	if id, ok := typ.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

func readsEnvironment(fun ast.Expr, parserMethods map[string]bool) bool {
	switch fun := fun.(type) {
	case *ast.Ident:
		return fun.Name == "getenv"
	case *ast.SelectorExpr:
		x, _ := fun.X.(*ast.Ident)
		switch {
		case fun.Sel.Name == "getenv":
			return true
		case x != nil && x.Name == "os" && (fun.Sel.Name == "Getenv" || fun.Sel.Name == "LookupEnv"):
			return true
		case x != nil && x.Name == "p" && parserMethods[fun.Sel.Name]:
			return true
		}
	}
	return false
}

// markdownLinks returns the targets of [text](target) links outside code
// blocks and code spans.
func markdownLinks(t *testing.T, path string) []string {
	t.Helper()
	var targets []string
	link := regexp.MustCompile(`\]\(([^)\s]+)\)`)
	span := regexp.MustCompile("`[^`]*`")
	for _, line := range proseLines(t, path) {
		for _, m := range link.FindAllStringSubmatch(span.ReplaceAllString(line, ""), -1) {
			targets = append(targets, m[1])
		}
	}
	return targets
}

// headingAnchors returns the anchors GitHub gives a file's headings:
// lower-cased, punctuation dropped, spaces made hyphens, and -1, -2… after
// a repeated one.
func headingAnchors(t *testing.T, path string) map[string]bool {
	t.Helper()
	anchors := map[string]bool{}
	seen := map[string]int{}
	for _, line := range proseLines(t, path) {
		text, ok := strings.CutPrefix(strings.TrimLeft(line, "#"), " ")
		if !ok || !strings.HasPrefix(line, "#") {
			continue
		}
		var b strings.Builder
		for _, r := range strings.ToLower(strings.TrimSpace(text)) {
			switch {
			case r == ' ':
				b.WriteRune('-')
			case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
				b.WriteRune(r)
			}
		}
		anchor := b.String()
		if n := seen[anchor]; n > 0 {
			anchors[anchor+"-"+strconv.Itoa(n)] = true
		} else {
			anchors[anchor] = true
		}
		seen[anchor]++
	}
	return anchors
}

// proseLines returns a Markdown file's lines outside fenced code blocks.
func proseLines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	fenced := false
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			fenced = !fenced
			continue
		}
		if !fenced {
			out = append(out, line)
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
