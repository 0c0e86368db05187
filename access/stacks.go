package access

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/policy"
)

// Stack is one synthesized stack (its cdk.tf.json), by name.
type Stack struct {
	Name string
	JSON map[string]any
}

// ReadStacks reads every stacks/<name>/cdk.tf.json under a cdktf output
// directory.
func ReadStacks(outdir string) ([]Stack, error) {
	files, err := filepath.Glob(filepath.Join(outdir, "stacks", "*", "cdk.tf.json"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no synthesized stacks under %s (run cdktf synth first)", outdir)
	}
	sort.Strings(files)
	var out []Stack
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		s, err := ParseStack(filepath.Base(filepath.Dir(f)), data)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// ParseStack decodes one stack's JSON.
func ParseStack(name string, data []byte) (Stack, error) {
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		return Stack{}, fmt.Errorf("stack %s: %w", name, err)
	}
	return Stack{Name: name, JSON: m}, nil
}

func object(m map[string]any, key string) map[string]any {
	o, _ := m[key].(map[string]any)
	return o
}

// resources returns the resources of typ by logical name.
func (s Stack) resources(typ string) map[string]map[string]any {
	out := map[string]map[string]any{}
	for name, body := range object(object(s.JSON, "resource"), typ) {
		if b, ok := body.(map[string]any); ok {
			out[name] = b
		}
	}
	return out
}

// find returns the logical name of the resource of typ whose attr is value.
func (s Stack) find(typ, attr, value string) (string, map[string]any, bool) {
	for name, body := range s.resources(typ) {
		if v, _ := body[attr].(string); v == value {
			return name, body, true
		}
	}
	return "", nil, false
}

// located is a policy found in a stack, with its tokens resolved.
type located struct {
	where string
	doc   policy.Document
}

// tokenRef is a Terraform reference to an attribute in a policy string.
var tokenRef = regexp.MustCompile(`\$\{(aws_[a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z_]+)\}`)

// resolver turns references inside policies into stand-in values that the
// expectations use too, so the evaluator sees concrete strings.
type resolver func(typ, name, attr string) (string, error)

func (s Stack) policyAt(typ, name, attr string, resolve resolver) (located, error) {
	body := s.resources(typ)[name]
	raw, _ := body[attr].(string)
	if raw == "" {
		return located{}, fmt.Errorf("%s.%s in stack %s has no %s", typ, name, s.Name, attr)
	}
	var rerr error
	resolved := tokenRef.ReplaceAllStringFunc(raw, func(ref string) string {
		m := tokenRef.FindStringSubmatch(ref)
		v, err := resolve(m[1], m[2], m[3])
		if err != nil && rerr == nil {
			rerr = err
		}
		return v
	})
	if rerr != nil {
		return located{}, rerr
	}
	if strings.Contains(resolved, "${") {
		return located{}, fmt.Errorf("%s.%s in stack %s: unresolved reference in %s", typ, name, s.Name, attr)
	}
	doc, err := policy.Parse(resolved)
	if err != nil {
		return located{}, fmt.Errorf("%s.%s in stack %s: %w", typ, name, s.Name, err)
	}
	return located{where: fmt.Sprintf("%s/%s.%s", s.Name, typ, name), doc: doc}, nil
}

// region of a resource: its provider alias (the stacks alias each provider
// by its region), else home.
func region(body map[string]any, home string) string {
	if p, _ := body["provider"].(string); strings.HasPrefix(p, "aws.") {
		return strings.TrimPrefix(p, "aws.")
	}
	return home
}

// topicPolicy returns the logical name of the policy of the SNS topic named
// topicName.
func (s Stack) topicPolicy(topicName string) (string, error) {
	tname, _, ok := s.find("aws_sns_topic", "name", topicName)
	if !ok {
		return "", fmt.Errorf("stack %s has no topic %s", s.Name, topicName)
	}
	pname, _, ok := s.find("aws_sns_topic_policy", "arn", "${aws_sns_topic."+tname+".arn}")
	if !ok {
		return "", fmt.Errorf("stack %s: topic %s has no policy", s.Name, topicName)
	}
	return pname, nil
}
