// Package eventschema checks event contracts: that a payload matches its
// topic's JSON Schema, and that a schema stays backward compatible with the
// one first published, so that consumers of a v1 topic never break. A
// change that is not compatible belongs on a new topic (….v2).
package eventschema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"reflect"
	"slices"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// A module's contracts (an fs.FS, its events.Contracts) hold
// schemas/<topic>.json, the JSON Schema (2020-12) of each topic's payload,
// and asyncapi.json, the AsyncAPI 3.0 document of its topics.
const asyncAPIFile = "asyncapi.json"

// File is where contracts keep topic's schema.
func File(topic string) string { return "schemas/" + topic + ".json" }

// Validate checks payload against topic's schema in contracts.
func Validate(contracts fs.FS, topic string, payload []byte) error {
	raw, err := fs.ReadFile(contracts, File(topic))
	if err != nil {
		return fmt.Errorf("%s: no schema: %w", topic, err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return fmt.Errorf("%s: schema: %w", topic, err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(File(topic), doc); err != nil {
		return fmt.Errorf("%s: schema: %w", topic, err)
	}
	sch, err := c.Compile(File(topic))
	if err != nil {
		return fmt.Errorf("%s: schema: %w", topic, err)
	}
	value, err := jsonschema.UnmarshalJSON(bytes.NewReader(payload))
	if err != nil {
		return fmt.Errorf("%s: payload is not JSON: %w", topic, err)
	}
	if err := sch.Validate(value); err != nil {
		return fmt.Errorf("%s: %w", topic, err)
	}
	return nil
}

// Compatible returns why current would break a consumer written against
// published, or nil. A consumer relies on every property published
// promised: it must stay, be required where it was, and keep its type,
// format and allowed values. Anything may be added.
func Compatible(published, current []byte) error {
	var pub, cur map[string]any
	if err := json.Unmarshal(published, &pub); err != nil {
		return fmt.Errorf("published schema: %w", err)
	}
	if err := json.Unmarshal(current, &cur); err != nil {
		return fmt.Errorf("current schema: %w", err)
	}
	if problems := compare("$", pub, cur); len(problems) > 0 {
		return fmt.Errorf("incompatible with the published schema:\n  %s", strings.Join(problems, "\n  "))
	}
	return nil
}

func compare(path string, pub, cur map[string]any) []string {
	if cur == nil {
		return []string{path + ": removed"}
	}
	var problems []string
	for _, key := range []string{"type", "format", "enum", "const"} {
		if p, ok := pub[key]; ok && !reflect.DeepEqual(p, cur[key]) {
			problems = append(problems, fmt.Sprintf("%s: %s was %v, is %v", path, key, p, cur[key]))
		}
	}
	for _, name := range strs(pub["required"]) {
		if !slices.Contains(strs(cur["required"]), name) {
			problems = append(problems, fmt.Sprintf("%s: %q is no longer required", path, name))
		}
	}
	pubProps, _ := pub["properties"].(map[string]any)
	curProps, _ := cur["properties"].(map[string]any)
	for name, p := range pubProps {
		c, _ := curProps[name].(map[string]any)
		problems = append(problems, compare(path+"."+name, p.(map[string]any), c)...)
	}
	if p, ok := pub["items"].(map[string]any); ok {
		c, _ := cur["items"].(map[string]any)
		problems = append(problems, compare(path+"[]", p, c)...)
	}
	slices.Sort(problems)
	return problems
}

// strs reads a JSON array of strings; anything else is empty.
func strs(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, x := range list {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// CheckContracts checks a module's event contracts: every topic has a
// schema, and only topics do; each schema is compatible with its copy in
// published (<topic>.json, which every schema must have once released);
// the AsyncAPI document names exactly those topics, each with its schema;
// and each sample payload (by topic) validates.
func CheckContracts(contracts, published fs.FS, samples map[string]any) []error {
	var errs []error
	files, err := fs.Glob(contracts, File("*"))
	if err != nil {
		return []error{err}
	}
	topics := make([]string, 0, len(samples))
	for topic := range samples {
		topics = append(topics, topic)
	}
	slices.Sort(topics)
	for _, f := range files {
		if !slices.Contains(topics, strings.TrimSuffix(path.Base(f), ".json")) {
			errs = append(errs, fmt.Errorf("%s: a schema without a topic (or without a sample)", f))
		}
	}
	documented, err := asyncAPISchemas(contracts)
	if err != nil {
		errs = append(errs, err)
	}
	for _, topic := range topics {
		errs = append(errs, checkTopic(contracts, published, documented, topic, samples[topic])...)
	}
	if len(documented) != len(topics) {
		errs = append(errs, fmt.Errorf("asyncapi: %d messages for %d topics", len(documented), len(topics)))
	}
	return errs
}

func checkTopic(contracts, published fs.FS, documented map[string]string, topic string, sample any) []error {
	var errs []error
	current, err := fs.ReadFile(contracts, File(topic))
	if err != nil {
		return []error{fmt.Errorf("%s: no schema: %w", topic, err)}
	}
	if old, err := fs.ReadFile(published, topic+".json"); err != nil {
		errs = append(errs, fmt.Errorf("%s: no published copy: copy the schema to testdata/published when the topic is released", topic))
	} else if err := Compatible(old, current); err != nil {
		errs = append(errs, fmt.Errorf("%s: %w; publish the change on a new topic version instead", topic, err))
	}
	if documented[topic] != "./"+File(topic) {
		errs = append(errs, fmt.Errorf("%s: the AsyncAPI document gives schema %q", topic, documented[topic]))
	}
	payload, err := json.Marshal(sample)
	if err == nil {
		err = Validate(contracts, topic, payload)
	}
	if err != nil {
		errs = append(errs, fmt.Errorf("a sample payload: %w", err))
	}
	return errs
}

// asyncAPISchemas maps each message name of the contracts' AsyncAPI 3
// document to its payload schema reference.
func asyncAPISchemas(contracts fs.FS) (map[string]string, error) {
	doc, err := fs.ReadFile(contracts, asyncAPIFile)
	if err != nil {
		return nil, fmt.Errorf("asyncapi: %w", err)
	}
	var d struct {
		Components struct {
			Messages map[string]struct {
				Name    string `json:"name"`
				Payload struct {
					Schema struct {
						Ref string `json:"$ref"`
					} `json:"schema"`
				} `json:"payload"`
			} `json:"messages"`
		} `json:"components"`
	}
	if err := json.Unmarshal(doc, &d); err != nil {
		return nil, fmt.Errorf("asyncapi: %w", err)
	}
	out := map[string]string{}
	for _, m := range d.Components.Messages {
		out[m.Name] = m.Payload.Schema.Ref
	}
	return out, nil
}
