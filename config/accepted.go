package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"

	"gopkg.in/yaml.v3"
)

// AcceptedWarning is a warning that one of the project's own configurations
// (an example, a test variant) causes on purpose, with the reason.
type AcceptedWarning struct {
	// Config is the configuration file, relative to the repository root.
	Config string `yaml:"config"`
	// Field is the warning's field path.
	Field string `yaml:"field"`
	// Reason says why the configuration sets it.
	Reason string `yaml:"reason"`
}

// AcceptedWarnings is the list the project's tests hold their own
// configurations' warnings against: a warning not listed fails them.
type AcceptedWarnings []AcceptedWarning

// LoadAcceptedWarnings reads a list of accepted warnings; every entry needs
// a config, a field and a reason.
func LoadAcceptedWarnings(path string) (AcceptedWarnings, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var list AcceptedWarnings
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&list); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var errs []error
	for i, a := range list {
		if a.Config == "" || a.Field == "" || a.Reason == "" {
			errs = append(errs, fmt.Errorf("%s: entry %d needs config, field and reason", path, i))
		}
	}
	return list, errors.Join(errs...)
}

// Unaccepted returns the warnings of the configuration file config that no
// entry accepts.
func (a AcceptedWarnings) Unaccepted(config string, ws []Warning) []Warning {
	var out []Warning
	for _, w := range ws {
		if !a.accepts(config, w) {
			out = append(out, w)
		}
	}
	return out
}

func (a AcceptedWarnings) accepts(config string, w Warning) bool {
	for _, e := range a {
		if e.Config == config && e.Field == w.Field {
			return true
		}
	}
	return false
}
