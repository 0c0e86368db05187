package tfcheck

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"
	"gopkg.in/yaml.v3"
)

// Diagnostic is one error or warning Terraform reported: the part of
// terraform-json's Diagnostic the checks read, with the file its range
// points into.
type Diagnostic struct {
	Severity string
	Summary  string
	Detail   string
	Address  string
	Range    struct {
		Filename string
	}
}

// diagnostic converts what terraform-json decoded.
func diagnostic(d tfjson.Diagnostic) Diagnostic {
	out := Diagnostic{Severity: string(d.Severity), Summary: d.Summary, Detail: d.Detail, Address: d.Address}
	if d.Range != nil {
		out.Range.Filename = d.Range.Filename
	}
	return out
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

// validateDiagnostics converts the diagnostics of `terraform validate -json`.
func validateDiagnostics(out *tfjson.ValidateOutput) []Diagnostic {
	var diags []Diagnostic
	for _, d := range out.Diagnostics {
		diags = append(diags, diagnostic(d))
	}
	return diags
}

// streamDiagnostics reads the diagnostics of a `terraform plan -json` run:
// one machine-readable UI message per line, decoded by terraform-json, whose
// diagnostic messages it keeps. terraform-exec writes the stream to a writer
// and leaves the reading to its caller.
func streamDiagnostics(out []byte) []Diagnostic {
	var diags []Diagnostic
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		if m, err := tfjson.UnmarshalLogMessage(sc.Bytes()); err == nil {
			if d, ok := m.(tfjson.DiagnosticLogMessage); ok {
				diags = append(diags, diagnostic(d.Diagnostic))
			}
		}
	}
	return diags
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
