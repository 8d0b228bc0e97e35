package wiring

import (
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// serverlessFile is the part of serverless.yml the description reads.
// Values stay nodes: CloudFormation's tags (!Ref, !GetAtt …) are kept as
// written.
type serverlessFile struct {
	Functions map[string]struct {
		Environment map[string]yaml.Node   `yaml:"environment"`
		Events      []map[string]yaml.Node `yaml:"events"`
	} `yaml:"functions"`
}

// addFunctions gives each module of sys its functions in serverless.yml
// (text): those whose APP_MODULE names it. A function of no module of the
// catalog is an error: the file and the catalog disagree.
func addFunctions(sys *System, text []byte) error {
	var f serverlessFile
	if err := yaml.Unmarshal(text, &f); err != nil {
		return err
	}
	byModule := map[string][]ServerlessFunction{}
	for name, fn := range f.Functions {
		env := fn.Environment["APP_MODULE"]
		module := env.Value
		if unknownModule(module) != nil {
			return fmt.Errorf("function %s: APP_MODULE %q is no module of the catalog", name, module)
		}
		sf := ServerlessFunction{Name: name}
		for _, ev := range fn.Events {
			for kind, node := range ev {
				sf.Triggers = append(sf.Triggers, trigger(kind, node))
			}
		}
		slices.Sort(sf.Triggers)
		byModule[module] = append(byModule[module], sf)
	}
	for i := range sys.Modules {
		fns := byModule[sys.Modules[i].Name]
		slices.SortFunc(fns, func(a, b ServerlessFunction) int { return strings.Compare(a.Name, b.Name) })
		sys.Modules[i].Functions = fns
	}
	return nil
}

// trigger says in a line what an event of a function is: an HTTP route, a
// queue, a schedule.
func trigger(kind string, node yaml.Node) string {
	switch {
	case node.Kind == yaml.ScalarNode:
		return kind + " " + node.Value
	case kind == "httpApi":
		var r struct{ Method, Path string }
		if node.Decode(&r) == nil {
			return kind + " " + strings.ToUpper(r.Method) + " " + r.Path
		}
	case kind == "sqs":
		var q struct{ Arn yaml.Node }
		if node.Decode(&q) == nil && q.Arn.Value != "" {
			return kind + " " + strings.TrimSuffix(q.Arn.Value, ".Arn")
		}
	}
	return kind
}
