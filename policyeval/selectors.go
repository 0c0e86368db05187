package policyeval

import (
	"fmt"
	"slices"
	"strings"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/policy"
)

// Event is one CloudTrail event as event selectors see it.
type Event struct {
	// Category is "Management" or "Data".
	Category string
	// Type is the data event's resources.type, for example AWS::S3::Object.
	Type string
	// ARN is the data event's resources.ARN, for example
	// arn:aws:s3:::bucket/key.
	ARN string
	// Name is the eventName, for example GetObject.
	Name string
	// ReadOnly is the event's readOnly field.
	ReadOnly bool
}

func (e Event) field(name string) (string, error) {
	switch name {
	case policy.FieldEventCategory:
		return e.Category, nil
	case policy.FieldResourcesType:
		return e.Type, nil
	case policy.FieldResourcesARN:
		return e.ARN, nil
	case policy.FieldEventName:
		return e.Name, nil
	case policy.FieldReadOnly:
		return fmt.Sprint(e.ReadOnly), nil
	}
	return "", fmt.Errorf("event selector field %q is not supported here", name)
}

// Logs decides whether the trail resource (its synthesized body) logs ev, as
// the CloudTrail User Guide describes selectors ("Logging data events",
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-data-events-with-cloudtrail.html;
// API Reference "AdvancedFieldSelector" and "PutEventSelectors"): an event is
// logged when it matches any selector; for an advanced selector, every field
// selector must match (Equals and StartsWith: any value; NotEquals and
// NotStartsWith: no value); a trail without selectors logs management
// events only.
func Logs(trail map[string]any, ev Event) (bool, error) {
	adv, hasAdv := trail["advanced_event_selector"].([]any)
	basic, hasBasic := trail["event_selector"].([]any)
	switch {
	case hasAdv && hasBasic:
		return false, fmt.Errorf("the trail has both advanced and basic event selectors, which CloudTrail refuses")
	case hasAdv:
		for _, s := range adv {
			ok, err := advancedMatches(s, ev)
			if err != nil || ok {
				return ok, err
			}
		}
		return false, nil
	case hasBasic:
		for _, s := range basic {
			if basicMatches(s, ev) {
				return true, nil
			}
		}
		return false, nil
	}
	return ev.Category == "Management", nil
}

func selectorValues(v any) []string {
	var out []string
	list, _ := v.([]any)
	for _, x := range list {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func advancedMatches(sel any, ev Event) (bool, error) {
	s, _ := sel.(map[string]any)
	fields, _ := s["field_selector"].([]any)
	if len(fields) == 0 {
		return false, fmt.Errorf("advanced event selector %v has no field selector", s["name"])
	}
	for _, f := range fields {
		fs, _ := f.(map[string]any)
		name, _ := fs["field"].(string)
		got, err := ev.field(name)
		if err != nil {
			return false, err
		}
		for op := range fs {
			switch op {
			case "field", "equals", "not_equals", "starts_with", "not_starts_with":
			default:
				return false, fmt.Errorf("field selector operator %q is not supported here", op)
			}
		}
		if eq := selectorValues(fs["equals"]); fs["equals"] != nil && !slices.Contains(eq, got) {
			return false, nil
		}
		if sw := selectorValues(fs["starts_with"]); fs["starts_with"] != nil && !selectorPrefixed(sw, got) {
			return false, nil
		}
		if slices.Contains(selectorValues(fs["not_equals"]), got) || selectorPrefixed(selectorValues(fs["not_starts_with"]), got) {
			return false, nil
		}
	}
	return true, nil
}

func basicMatches(sel any, ev Event) bool {
	s, _ := sel.(map[string]any)
	rw, _ := s["read_write_type"].(string)
	if rw == "ReadOnly" && !ev.ReadOnly || rw == "WriteOnly" && ev.ReadOnly {
		return false
	}
	if ev.Category == "Management" {
		mgmt, ok := s["include_management_events"].(bool)
		return !ok || mgmt // the provider's default is true
	}
	resources, _ := s["data_resource"].([]any)
	for _, r := range resources {
		dr, _ := r.(map[string]any)
		if t, _ := dr["type"].(string); t == ev.Type && selectorPrefixed(selectorValues(dr["values"]), ev.ARN) {
			return true
		}
	}
	return false
}

func selectorPrefixed(prefixes []string, v string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(v, p) {
			return true
		}
	}
	return false
}
