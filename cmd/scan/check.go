package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path"
	"regexp"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// Ignore is one accepted finding: a Trivy check, the resources it may match,
// and why the check does not apply to them.
type Ignore struct {
	ID        string   `yaml:"id"`
	Resources []string `yaml:"resources"`
	// Stacks limits the entry to these "<config>/<stack>" patterns
	// (path.Match). Default: every stack.
	Stacks []string `yaml:"stacks,omitempty"`
	Reason string   `yaml:"reason"`
}

var (
	checkID         = regexp.MustCompile(`^AWS-[0-9]{4}$`)
	resourcePrefix  = regexp.MustCompile(`^aws_[a-z0-9_]+\.[A-Za-z0-9_-]+$`)
	minReasonLength = 80
)

// LoadIgnores reads and checks the ignore file: every entry needs a check
// id, at least one resource prefix and a reason a reviewer can judge.
func LoadIgnores(file string) ([]Ignore, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var out []Ignore
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&out); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	var problems []string
	for i, ig := range out {
		if !checkID.MatchString(ig.ID) {
			problems = append(problems, fmt.Sprintf("entry %d: id %q is not a Trivy check id such as AWS-0089", i, ig.ID))
		}
		if len(ig.Resources) == 0 {
			problems = append(problems, fmt.Sprintf("entry %d (%s): lists no resources; an ignore must be limited to the resources it is about", i, ig.ID))
		}
		for _, r := range ig.Resources {
			if !resourcePrefix.MatchString(r) {
				problems = append(problems, fmt.Sprintf("entry %d (%s): resource %q is not a Terraform address prefix such as aws_s3_bucket.AccessLogBucket_", i, ig.ID, r))
			}
		}
		for _, st := range ig.Stacks {
			if _, err := path.Match(st, ""); err != nil || !strings.Contains(st, "/") {
				problems = append(problems, fmt.Sprintf("entry %d (%s): stack %q is not a <config>/<stack> pattern", i, ig.ID, st))
			}
		}
		if len(strings.TrimSpace(ig.Reason)) < minReasonLength {
			problems = append(problems, fmt.Sprintf("entry %d (%s): the reason must say why the check does not apply (at least %d characters)", i, ig.ID, minReasonLength))
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("%s:\n  %s", file, strings.Join(problems, "\n  "))
	}
	return out, nil
}

// Finding is one failed Trivy check on one resource.
type Finding struct {
	Stack    string
	ID       string
	Severity string
	Title    string
	Resource string
}

func (f Finding) String() string {
	title := f.Title
	if r := []rune(title); len(r) > 70 {
		title = string(r[:69]) + "…"
	}
	return fmt.Sprintf("%s: %s (%s) %s on %s", f.Stack, f.ID, f.Severity, title, f.Resource)
}

type report struct {
	Results []struct {
		Target            string
		MisconfSummary    *struct{ Successes, Failures int }
		Misconfigurations []struct {
			ID, Title, Severity, Status string
			CauseMetadata               struct{ Resource string }
		}
	}
}

// ParseReport reads a `trivy config --format json` report of one stack and
// returns its failed checks and the number of passed ones.
func ParseReport(stack string, data []byte) ([]Finding, int, error) {
	var r report
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, 0, fmt.Errorf("%s: trivy report: %w", stack, err)
	}
	var out []Finding
	passed := 0
	for _, res := range r.Results {
		if res.MisconfSummary != nil {
			passed += res.MisconfSummary.Successes
		}
		for _, m := range res.Misconfigurations {
			if m.Status != "FAIL" {
				continue
			}
			out = append(out, Finding{Stack: stack, ID: m.ID, Severity: m.Severity, Title: m.Title, Resource: m.CauseMetadata.Resource})
		}
	}
	return out, passed, nil
}

// Classify splits findings into those an ignore entry accepts and the rest.
func Classify(findings []Finding, ignores []Ignore) (accepted, unexpected []Finding) {
	for _, f := range findings {
		if matches(f, ignores) {
			accepted = append(accepted, f)
		} else {
			unexpected = append(unexpected, f)
		}
	}
	sort.Slice(unexpected, func(i, j int) bool { return unexpected[i].String() < unexpected[j].String() })
	return accepted, unexpected
}

func matches(f Finding, ignores []Ignore) bool {
	for _, ig := range ignores {
		if ig.ID != f.ID || !matchStack(f.Stack, ig.Stacks) {
			continue
		}
		for _, r := range ig.Resources {
			if strings.HasPrefix(f.Resource, r) {
				return true
			}
		}
	}
	return false
}

func matchStack(stack string, patterns []string) bool {
	if len(patterns) == 0 {
		return true
	}
	for _, p := range patterns {
		if ok, _ := path.Match(p, stack); ok {
			return true
		}
	}
	return false
}

// Unused returns the ignore entries that accept none of findings. An entry
// that no longer matches means the scan no longer sees what it was written
// for (a renamed resource, or Trivy reading less of a stack than before): it
// must be removed or the cause found, never left to hide a future finding.
func Unused(findings []Finding, ignores []Ignore) []Ignore {
	var out []Ignore
	for _, ig := range ignores {
		used := false
		for _, f := range findings {
			if matches(f, []Ignore{ig}) {
				used = true
				break
			}
		}
		if !used {
			out = append(out, ig)
		}
	}
	return out
}
