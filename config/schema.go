package config

import (
	"fmt"
	"math"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/rules"
)

// LineError is a problem found at a line of the configuration file before
// its values are validated: a key the schema does not have, or a value of
// the wrong type. Its Violation names the field path, what the schema
// expects there and the whole value as written; errors.As reaches both.
type LineError struct {
	// Line is the 1-based line of the offending key or value.
	Line int
	// Violation holds the field path, the rule and the value.
	Violation *rules.Violation
}

// Error implements error as `line <n>: <field>: <rule> (got <value>)`.
func (e *LineError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Violation) }

// Unwrap returns the violation.
func (e *LineError) Unwrap() error { return e.Violation }

// YAMLValue is an offending value as the file writes it: a string quoted,
// a number or boolean as is, a list or mapping in YAML's flow style.
type YAMLValue string

// String returns the value as written.
func (v YAMLValue) String() string { return string(v) }

// checkSchema walks the document against the Config type and returns, in
// document order, every key that is not part of the schema and every value
// whose type does not match its field. The second result tells whether any
// value had the wrong type (decoding would then fail or lose the value).
func checkSchema(doc *yaml.Node) ([]error, bool) {
	s := &schemaWalk{}
	root := doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	s.walk(root, reflect.TypeOf(Config{}), "")
	return s.errs, s.typeErrors
}

type schemaWalk struct {
	errs       []error
	typeErrors bool
}

func (s *schemaWalk) add(n *yaml.Node, field, rule string, value *yaml.Node) {
	s.errs = append(s.errs, &LineError{Line: n.Line, Violation: &rules.Violation{Field: field, Rule: rule, Value: display(value)}})
}

func (s *schemaWalk) wrongType(n *yaml.Node, t reflect.Type, field string) {
	s.typeErrors = true
	s.add(n, field, expectation(t, field, n), n)
}

func (s *schemaWalk) walk(n *yaml.Node, t reflect.Type, field string) {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		return // an empty value keeps the default
	}
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			s.wrongType(n, t, field)
			return
		}
		s.mapping(n, t, field)
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			s.wrongType(n, t, field)
			return
		}
		for i, item := range n.Content {
			s.walk(item, t.Elem(), fmt.Sprintf("%s[%d]", field, i))
		}
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			s.wrongType(n, t, field)
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind != yaml.ScalarNode {
				s.typeErrors = true
				s.add(k, field, "must have plain names as keys", k)
				continue
			}
			s.walk(v, t.Elem(), fmt.Sprintf("%s[%q]", field, k.Value))
		}
	default:
		// A single value: yaml.v3 decides what it accepts (quoted or not,
		// true/false, whole numbers in range), so the check is a decode.
		// yaml.v3 also truncates 3.5 or 1e3 into an int: a whole number is
		// required as written.
		if n.Kind != yaml.ScalarNode || n.Decode(reflect.New(t).Interface()) != nil ||
			isInt(t) && n.ShortTag() != "!!int" {
			s.wrongType(n, t, field)
		}
	}
}

func (s *schemaWalk) mapping(n *yaml.Node, t reflect.Type, field string) {
	fields := yamlFields(t)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.Value == "<<" {
			s.walk(v, t, field) // a merge key brings another mapping's keys
			continue
		}
		f, ok := fields[k.Value]
		if k.Kind != yaml.ScalarNode || !ok {
			s.add(k, join(field, k.Value), unknownKey(field, t), v)
			continue
		}
		s.walk(v, f.Type, join(field, k.Value))
	}
}

// yamlFields maps each yaml key of struct type t to its field.
func yamlFields(t reflect.Type) map[string]reflect.StructField {
	out := map[string]reflect.StructField{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if name := yamlName(f); name != "" {
			out[name] = f
		}
	}
	return out
}

// keyNames lists the yaml keys of struct type t in declaration order.
func keyNames(t reflect.Type) []string {
	var out []string
	for i := 0; i < t.NumField(); i++ {
		if name := yamlName(t.Field(i)); name != "" {
			out = append(out, name)
		}
	}
	return out
}

func yamlName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	if name == "-" || !f.IsExported() {
		return ""
	}
	return name
}

func join(field, key string) string {
	if field == "" {
		return key
	}
	return field + "." + key
}

func unknownKey(field string, t reflect.Type) string {
	keys := strings.Join(keyNames(t), ", ")
	if field == "" {
		return "is not a top-level key; the file takes " + keys
	}
	return fmt.Sprintf("is not a key of %s; %s takes %s", field, field, keys)
}

// wholeNumber is a decimal whole number as written, whatever its size.
var wholeNumber = regexp.MustCompile(`^[-+]?[0-9][0-9_]*$`)

func isInt(t reflect.Type) bool { return t.Kind() == reflect.Int || t.Kind() == reflect.Int64 }

// expectation says, in the schema's words, what a value of type t is.
func expectation(t reflect.Type, field string, got *yaml.Node) string {
	switch t.Kind() {
	case reflect.Bool:
		return "must be true or false"
	case reflect.Int, reflect.Int64:
		if got.Kind == yaml.ScalarNode && wholeNumber.MatchString(got.Value) {
			return fmt.Sprintf("must be a whole number from %d to %d", int64(math.MinInt64), int64(math.MaxInt64))
		}
		return "must be a whole number"
	case reflect.String:
		return "must be a single value, not a list or mapping"
	case reflect.Slice:
		item := "strings"
		if t.Elem().Kind() == reflect.Struct {
			item = "mappings with the keys " + strings.Join(keyNames(t.Elem()), ", ")
		}
		if got.Kind == yaml.ScalarNode {
			return fmt.Sprintf("must be a list of %s (write [%s] for one)", item, got.Value)
		}
		return "must be a list of " + item
	case reflect.Map:
		return "must be a mapping of names to strings"
	case reflect.Struct:
		if field == "" {
			return fmt.Sprintf("the file must hold a mapping with the keys %s", strings.Join(keyNames(t), ", "))
		}
		return fmt.Sprintf("must be a mapping with the keys %s", strings.Join(keyNames(t), ", "))
	}
	return "has the wrong type"
}

// display renders a node as the file writes it, whole.
func display(n *yaml.Node) YAMLValue {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if n.Kind == yaml.ScalarNode {
		if n.ShortTag() == "!!str" {
			return YAMLValue(strconv.Quote(n.Value))
		}
		return YAMLValue(n.Value)
	}
	out, err := yaml.Marshal(flow(n))
	if err != nil {
		return YAMLValue(fmt.Sprintf("a %s", kindName(n)))
	}
	return YAMLValue(strings.TrimSpace(string(out)))
}

// flow copies a node in flow style without comments.
func flow(n *yaml.Node) *yaml.Node {
	c := *n
	c.Style = yaml.FlowStyle
	if n.Kind == yaml.ScalarNode {
		c.Style = n.Style
	}
	c.HeadComment, c.LineComment, c.FootComment, c.Anchor = "", "", "", ""
	c.Content = nil
	for _, ch := range n.Content {
		c.Content = append(c.Content, flow(ch))
	}
	return &c
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "list"
	case yaml.MappingNode:
		return "mapping"
	}
	return "value"
}
