package wiring_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"example.com/modmono/platform/settings"
	"example.com/modmono/wiring"
)

// TestDocsModulesMdIsFresh generates docs/modules.md afresh from the code
// and fails when the committed file differs: `make docs-check`, in `make
// lint`.
func TestDocsModulesMdIsFresh(t *testing.T) {
	var fresh bytes.Buffer
	if err := wiring.WriteDocs(&fresh, describeSystem(t)); err != nil {
		t.Fatal(err)
	}
	committed, err := os.ReadFile(filepath.Join("..", wiring.DocsFile))
	if err != nil {
		t.Fatalf("%v: run `make docs` and commit %s", err, wiring.DocsFile)
	}
	if !bytes.Equal(committed, fresh.Bytes()) {
		t.Fatalf("%s is stale: run `make docs` and commit it; first difference:\n%s",
			wiring.DocsFile, firstDifference(string(committed), fresh.String()))
	}
}

// firstDifference shows the first line where committed and fresh differ.
func firstDifference(committed, fresh string) string {
	a, b := strings.Split(committed, "\n"), strings.Split(fresh, "\n")
	for i := 0; i < max(len(a), len(b)); i++ {
		var x, y string
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		if x != y {
			return "line " + strconv.Itoa(i+1) + ":\n  committed: " + x + "\n  generated: " + y
		}
	}
	return "(none by line)"
}

// TestDocsDrawANewModule generates the documentation with a module added
// to the catalog: its node and its event flows are in the diagram, its
// canvas lists its routes, tables, events and settings, and two runs give
// the same bytes.
func TestDocsDrawANewModule(t *testing.T) {
	wiring.AddModule(t, rewardsName, rewardsSettings, loadRewardsConfig, buildRewards)
	var first, second bytes.Buffer
	for _, buf := range []*bytes.Buffer{&first, &second} {
		sys, err := wiring.Describe(context.Background(), wiring.DescribeOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if err := wiring.WriteDocs(buf, sys); err != nil {
			t.Fatal(err)
		}
	}
	doc := first.String()
	for _, want := range []string{
		"  m_rewards[\"rewards\"]",
		"  m_users -->|\"UserRegistered v1\"| m_rewards",
		"  m_rewards -->|\"PointsAwarded v1\"| m_rewards",
		"## rewards\n",
		"| POST | `/v1/rewards/me/awards` | `awardPoints` | Awards the user REWARDS_POINTS points. |",
		"#### rewards.PointsAwarded.v1\n\nA member was awarded points. Version 1, consumed by rewards.",
		"| `points` | integer | yes |",
		"| [users.UserRegistered.v1](#usersuserregisteredv1) | 1 | users |",
		"#### members\n",
		"| `REWARDS_POINTS` | `10` | the points one award gives (1–1000) |",
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("the documentation lacks %q", want)
		}
	}
	if !bytes.Equal(first.Bytes(), second.Bytes()) {
		t.Errorf("two runs differ:\n%s", firstDifference(first.String(), second.String()))
	}
}

// TestDocsEscapeWhatTheyQuote renders names and texts that would break
// Markdown, HTML or Mermaid: a module named like a Mermaid keyword, a
// summary with a pipe, a description with markup.
func TestDocsEscapeWhatTheyQuote(t *testing.T) {
	sys := wiring.System{
		Modules: []wiring.ModuleInfo{{
			Name:      "end",
			Routes:    []wiring.Route{{Method: "GET", Path: "/v1/x", OperationID: "x", Summary: "a | b"}},
			Publishes: []string{"end.Happened.v2"},
			Settings:  []settings.Setting{{Name: "END_X", Default: "<none>", Meaning: "<b>bold</b>"}},
		}, {Name: "other-one", Consumes: []string{"end.Happened.v2"}}},
		Topics: []wiring.Topic{{Name: "end.Happened.v2", Event: "Happened", Version: 2, Producer: "end",
			Consumers: []string{"other-one"}, Description: "<script>alert(1)</script>"}},
		Flows: []wiring.Flow{{From: "end", To: "other-one", Topic: "end.Happened.v2"}},
	}
	var buf bytes.Buffer
	if err := wiring.WriteDocs(&buf, sys); err != nil {
		t.Fatal(err)
	}
	doc := buf.String()
	for _, want := range []string{
		`  m_end -->|"Happened v2"| m_other_one`,
		`| GET | ` + "`/v1/x`" + ` | ` + "`x`" + ` | a \| b |`,
		"&lt;script&gt;alert(1)&lt;/script&gt; Version 2, consumed by other-one.",
		"| `END_X` | `<none>` | &lt;b&gt;bold&lt;/b&gt; |",
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("the documentation lacks %q:\n%s", want, doc)
		}
	}
	if strings.Contains(doc, "<script>") || strings.Contains(doc, "<b>") {
		t.Errorf("markup passed through:\n%s", doc)
	}
}
