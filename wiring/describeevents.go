package wiring

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"

	"example.com/modmono/platform/eventschema"
)

// publishedTopics reads the topics a module's contracts publish: the
// addresses of the channels its AsyncAPI document sends on.
func publishedTopics(contracts fs.FS) ([]string, error) {
	raw, err := fs.ReadFile(contracts, "asyncapi.json")
	if err != nil {
		return nil, fmt.Errorf("event contracts: %w", err)
	}
	var doc struct {
		Channels map[string]struct {
			Address string `json:"address"`
		} `json:"channels"`
		Operations map[string]struct {
			Action  string `json:"action"`
			Channel struct {
				Ref string `json:"$ref"`
			} `json:"channel"`
		} `json:"operations"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("event contracts: asyncapi.json: %w", err)
	}
	var topics []string
	for name, op := range doc.Operations {
		ch, ok := doc.Channels[strings.TrimPrefix(op.Channel.Ref, "#/channels/")]
		if !ok || ch.Address == "" {
			return nil, fmt.Errorf("event contracts: asyncapi.json: operation %s is on %q, no channel with an address", name, op.Channel.Ref)
		}
		if op.Action == "send" && !slices.Contains(topics, ch.Address) {
			topics = append(topics, ch.Address)
		}
	}
	slices.Sort(topics)
	return topics, nil
}

// describeTopics describes every topic the modules publish or consume,
// from the contracts of the module that publishes it.
func describeTopics(modules []ModuleInfo, contracts map[string]fs.FS) ([]Topic, error) {
	byName := map[string]*Topic{}
	topic := func(name string) *Topic {
		if byName[name] == nil {
			event, version := splitTopic(name)
			byName[name] = &Topic{Name: name, Event: event, Version: version}
		}
		return byName[name]
	}
	for _, m := range modules {
		for _, name := range m.Publishes {
			t := topic(name)
			if t.Producer != "" {
				return nil, fmt.Errorf("%s is published by both %s and %s", name, t.Producer, m.Name)
			}
			t.Producer = m.Name
			schema, err := fs.ReadFile(contracts[m.Name], eventschema.File(name))
			if err != nil {
				return nil, fmt.Errorf("%s: event contracts: %w", m.Name, err)
			}
			if t.Description, t.Fields, err = schemaFields(schema); err != nil {
				return nil, fmt.Errorf("%s: %s: %w", m.Name, eventschema.File(name), err)
			}
		}
		for _, name := range m.Consumes {
			t := topic(name)
			t.Consumers = append(t.Consumers, m.Name)
		}
	}
	topics := make([]Topic, 0, len(byName))
	for _, t := range byName {
		slices.Sort(t.Consumers)
		topics = append(topics, *t)
	}
	slices.SortFunc(topics, func(a, b Topic) int { return strings.Compare(a.Name, b.Name) })
	return topics, nil
}

// splitTopic reads "orders.OrderPlaced.v1" as ("OrderPlaced", 1); a name
// not of that form is its own event, version 0.
func splitTopic(name string) (string, int) {
	parts := strings.Split(name, ".")
	if len(parts) != 3 || !strings.HasPrefix(parts[2], "v") {
		return name, 0
	}
	v, err := strconv.Atoi(parts[2][1:])
	if err != nil {
		return name, 0
	}
	return parts[1], v
}

// flows are the edges of the event graph, by topic then consumer.
func flows(topics []Topic) []Flow {
	var out []Flow
	for _, t := range topics {
		for _, c := range t.Consumers {
			out = append(out, Flow{From: t.Producer, To: c, Topic: t.Name})
		}
	}
	return out
}

// jsonSchema is the part of a JSON Schema the description reads.
// Properties stay raw to keep their order.
type jsonSchema struct {
	Description string          `json:"description"`
	Type        string          `json:"type"`
	Format      string          `json:"format"`
	Enum        []any           `json:"enum"`
	Required    []string        `json:"required"`
	Properties  json.RawMessage `json:"properties"`
	Items       *jsonSchema     `json:"items"`
}

// schemaFields reads a payload schema's description and fields.
func schemaFields(raw []byte) (string, []Field, error) {
	var s jsonSchema
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", nil, err
	}
	fields, err := objectFields("", s)
	return s.Description, fields, err
}

// objectFields lists the properties of object schema s, each followed by
// its own nested fields, their paths under prefix.
func objectFields(prefix string, s jsonSchema) ([]Field, error) {
	names, props, err := orderedProperties(s.Properties)
	if err != nil {
		return nil, err
	}
	var out []Field
	for _, name := range names {
		p, path := props[name], prefix+name
		out = append(out, Field{Path: path, Type: typeOf(p), Required: slices.Contains(s.Required, name)})
		nested, under := p, path+"."
		if p.Type == "array" && p.Items != nil {
			nested, under = *p.Items, path+"[]."
		}
		inner, err := objectFields(under, nested)
		if err != nil {
			return nil, err
		}
		out = append(out, inner...)
	}
	return out, nil
}

// orderedProperties decodes a "properties" object, keeping its keys'
// order.
func orderedProperties(raw json.RawMessage) ([]string, map[string]jsonSchema, error) {
	props := map[string]jsonSchema{}
	if len(raw) == 0 {
		return nil, props, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, nil, fmt.Errorf("properties: not an object (%v)", err)
	}
	var names []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, err
		}
		name, _ := tok.(string)
		var p jsonSchema
		if err := dec.Decode(&p); err != nil {
			return nil, nil, fmt.Errorf("property %s: %w", name, err)
		}
		names, props[name] = append(names, name), p
	}
	return names, props, nil
}

// typeOf is a property's type, with its format, its allowed values or
// its items' type.
func typeOf(s jsonSchema) string {
	t := s.Type
	if s.Format != "" {
		t += " (" + s.Format + ")"
	}
	if len(s.Enum) > 0 {
		values := make([]string, len(s.Enum))
		for i, v := range s.Enum {
			values[i] = fmt.Sprint(v)
		}
		t = strings.TrimSpace(t + " one of " + strings.Join(values, ", "))
	}
	if s.Type == "array" && s.Items != nil {
		t += " of " + typeOf(*s.Items)
	}
	return t
}
