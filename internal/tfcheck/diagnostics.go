package tfcheck

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"gopkg.in/yaml.v3"
)

// Diagnostic is one error or warning Terraform reported.
type Diagnostic struct {
	Severity string `json:"severity"`
	Summary  string `json:"summary"`
	Detail   string `json:"detail"`
	Address  string `json:"address"`
	Range    struct {
		Filename string `json:"filename"`
	} `json:"range"`
}

func (d Diagnostic) String() string {
	s := d.Severity + ": " + d.Summary
	if d.Address != "" {
		s += " (" + d.Address + ")"
	}
	if d.Detail != "" {
		s += ": " + d.Detail
	}
	return s
}

// validateDiagnostics reads the output of `terraform validate -json`.
func validateDiagnostics(out []byte) ([]Diagnostic, error) {
	var v struct {
		Diagnostics []Diagnostic `json:"diagnostics"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		return nil, fmt.Errorf("terraform validate -json printed no JSON: %w\n%s", err, out)
	}
	return v.Diagnostics, nil
}

// streamDiagnostics reads the diagnostics of a `terraform plan -json` run: one
// JSON message per line, diagnostics of type "diagnostic".
func streamDiagnostics(out []byte) []Diagnostic {
	var diags []Diagnostic
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var m struct {
			Type       string     `json:"type"`
			Diagnostic Diagnostic `json:"diagnostic"`
		}
		if json.Unmarshal(sc.Bytes(), &m) == nil && m.Type == "diagnostic" {
			diags = append(diags, m.Diagnostic)
		}
	}
	return diags
}

// errorDiagnostics renders the error diagnostics of a -json run's output,
// whichever of the two shapes it has; "" when there are none.
func errorDiagnostics(out []byte) string {
	diags := streamDiagnostics(out)
	if len(diags) == 0 {
		diags, _ = validateDiagnostics(out)
	}
	var lines []string
	for _, d := range diags {
		if d.Severity == "error" {
			lines = append(lines, d.String())
		}
	}
	return strings.Join(lines, "\n")
}

// Accepted is a warning we cannot avoid, accepted with its reason (the
// counterpart of cmd/scan/ignore.yaml for Terraform's own warnings).
type Accepted struct {
	// Summary must equal the warning's summary.
	Summary string `yaml:"summary"`
	// Detail must be contained in the warning's detail.
	Detail string `yaml:"detail"`
	// Address, when set, must be a prefix of the warning's address.
	Address string `yaml:"address,omitempty"`
	// Reason says why the warning cannot be avoided.
	Reason string `yaml:"reason"`
}

// MinReasonLength is the shortest reason an accepted warning may give.
const MinReasonLength = 80

// LoadAccepted reads a list of accepted warnings from a YAML file and checks
// that each says what it matches and why.
func LoadAccepted(path string) ([]Accepted, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var list []Accepted
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&list); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	for i, a := range list {
		if a.Summary == "" || a.Detail == "" {
			return nil, fmt.Errorf("%s: entry %d must give the warning's summary and (part of) its detail", path, i+1)
		}
		if len(strings.TrimSpace(a.Reason)) < MinReasonLength {
			return nil, fmt.Errorf("%s: entry %d (%q) must give a reason of at least %d characters", path, i+1, a.Summary, MinReasonLength)
		}
	}
	return list, nil
}

// accepts reports whether a accepts the warning d.
func (a Accepted) accepts(d Diagnostic) bool {
	return d.Severity == "warning" && d.Summary == a.Summary && strings.Contains(d.Detail, a.Detail) &&
		strings.HasPrefix(d.Address, a.Address)
}

// unaccepted returns the diagnostics that fail a check: every error, and
// every warning that no entry of accepted accepts.
func unaccepted(diags []Diagnostic, accepted []Accepted) []Diagnostic {
	var out []Diagnostic
next:
	for _, d := range diags {
		if d.Severity == "warning" {
			for _, a := range accepted {
				if a.accepts(d) {
					continue next
				}
			}
		}
		out = append(out, d)
	}
	return out
}
