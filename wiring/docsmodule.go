package wiring

import (
	"fmt"
	"slices"
	"strings"
)

// diagram writes a Mermaid flowchart: a node per module, an arrow per
// producer and consumer labelled with the topics it carries.
func (d *docWriter) diagram() {
	d.line("```mermaid")
	d.line("flowchart LR")
	for _, m := range d.sys.Modules {
		d.line("  %s[\"%s\"]", nodeID(m.Name), m.Name)
	}
	type edge struct{ from, to string }
	var edges []edge
	labels := map[edge][]string{}
	for _, f := range d.sys.Flows {
		e := edge{f.From, f.To}
		if _, ok := labels[e]; !ok {
			edges = append(edges, e)
		}
		event, version := splitTopic(f.Topic)
		labels[e] = append(labels[e], fmt.Sprintf("%s v%d", event, version))
	}
	for _, e := range edges {
		from := nodeID(e.from)
		if e.from == "" {
			from = `unpublished["no contract publishes it"]`
		}
		d.line("  %s -->|\"%s\"| %s", from, strings.Join(labels[e], "<br/>"), nodeID(e.to))
	}
	d.line("```")
	d.line("")
}

// nodeID is a Mermaid node id for a module: letters, digits and _ only,
// prefixed so that no name becomes a keyword ("end").
func nodeID(name string) string {
	var b strings.Builder
	b.WriteString("m_")
	for _, r := range name {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else {
			b.WriteRune('_')
		}
	}
	return b.String()
}

// module writes m's canvas.
func (d *docWriter) module(m ModuleInfo) {
	d.line("## %s", m.Name)
	d.line("")
	d.section("Routes", len(m.Routes))
	if len(m.Routes) > 0 {
		d.row("Method", "Path", "Operation", "Summary")
		d.row("---", "---", "---", "---")
		for _, r := range m.Routes {
			d.row(r.Method, code(r.Path), code(r.OperationID), text(r.Summary))
		}
		d.line("")
	}
	d.published(m)
	d.consumed(m)
	d.section("Tables", len(m.Tables))
	d.tables(m.Tables)
	d.settings(m)
	d.functions(m)
}

// section writes a section's heading, and says so when it has nothing.
func (d *docWriter) section(title string, n int) {
	d.line("### %s", title)
	d.line("")
	if n == 0 {
		d.line("None.")
		d.line("")
	}
}

// published writes each topic m publishes with its fields.
func (d *docWriter) published(m ModuleInfo) {
	d.section("Events published", len(m.Publishes))
	for _, name := range m.Publishes {
		t := d.topic(name)
		d.line("#### %s", t.Name)
		d.line("")
		consumers := "no module"
		if len(t.Consumers) > 0 {
			consumers = strings.Join(t.Consumers, ", ")
		}
		d.line("%s Version %d, consumed by %s.", text(t.Description), t.Version, consumers)
		d.line("")
		d.row("Field", "Type", "Required")
		d.row("---", "---", "---")
		for _, f := range t.Fields {
			d.row(code(f.Path), f.Type, yes(f.Required))
		}
		d.line("")
	}
}

// consumed writes each topic m consumes, linking to its fields.
func (d *docWriter) consumed(m ModuleInfo) {
	d.section("Events consumed", len(m.Consumes))
	if len(m.Consumes) == 0 {
		return
	}
	d.row("Topic", "Version", "Published by", "Fields")
	d.row("---", "---", "---", "---")
	for _, name := range m.Consumes {
		t := d.topic(name)
		var fields []string
		for _, f := range t.Fields {
			if !strings.ContainsAny(f.Path, ".[") {
				fields = append(fields, code(f.Path))
			}
		}
		topic, producer := code(t.Name), "no contract publishes it"
		if t.Producer != "" {
			topic, producer = fmt.Sprintf("[%s](#%s)", t.Name, anchor(t.Name)), t.Producer
		}
		d.row(topic, fmt.Sprint(t.Version), producer, strings.Join(fields, ", "))
	}
	d.line("")
}

// topic is the topic named name of the description.
func (d *docWriter) topic(name string) Topic {
	i := slices.IndexFunc(d.sys.Topics, func(t Topic) bool { return t.Name == name })
	if i < 0 {
		return Topic{Name: name}
	}
	return d.sys.Topics[i]
}

// tables writes each table's columns.
func (d *docWriter) tables(tables []Table) {
	for _, t := range tables {
		d.line("#### %s", t.Name)
		d.line("")
		d.row("Column", "Type", "Not null", "Primary key")
		d.row("---", "---", "---", "---")
		for _, c := range t.Columns {
			d.row(code(c.Name), c.Type, yes(c.NotNull), yes(c.PrimaryKey))
		}
		d.line("")
	}
}

func (d *docWriter) settings(m ModuleInfo) {
	d.section("Settings", len(m.Settings))
	if len(m.Settings) == 0 {
		return
	}
	d.row("Variable", "Default", "Meaning")
	d.row("---", "---", "---")
	for _, s := range m.Settings {
		meaning := text(s.Meaning)
		if s.Secret {
			meaning += " (a secret: may be kept in a file or a secret store)"
		}
		d.row(code(s.Name), code(s.Default), meaning)
	}
	d.line("")
}

func (d *docWriter) functions(m ModuleInfo) {
	d.section("Functions in serverless.yml", len(m.Functions))
	if len(m.Functions) == 0 {
		return
	}
	d.row("Function", "Invoked by")
	d.row("---", "---")
	for _, f := range m.Functions {
		triggers := make([]string, len(f.Triggers))
		for i, t := range f.Triggers {
			triggers[i] = code(t)
		}
		d.row(code(f.Name), strings.Join(triggers, "<br>"))
	}
	d.line("")
}

func yes(b bool) string {
	if b {
		return "yes"
	}
	return ""
}
