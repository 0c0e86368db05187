package policyeval

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/policy"
)

// conditionsMatch ANDs every operator and key of a Condition block.
func conditionsMatch(c policy.Conditions, ctx map[string][]string) (bool, error) {
	for _, op := range slices.Sorted(maps.Keys(c)) { // deterministic errors
		for key, want := range c[op] {
			ok, err := conditionMatches(op, key, want, lookup(ctx, key))
			if err != nil {
				return false, fmt.Errorf("condition %s %s: %w", op, key, err)
			}
			if !ok {
				return false, nil
			}
		}
	}
	return true, nil
}

// lookup finds a context key; condition key names are case-insensitive.
func lookup(ctx map[string][]string, key string) []string {
	if v, ok := ctx[key]; ok {
		return v
	}
	for k, v := range ctx {
		if strings.EqualFold(k, key) {
			return v
		}
	}
	return nil
}

// conditionMatches evaluates one operator on one key. got is nil when the
// key is absent from the request.
func conditionMatches(op, key string, want, got []string) (bool, error) {
	for _, w := range want {
		if strings.Contains(w, "${") {
			return false, fmt.Errorf("policy variables (%q) are not supported", w)
		}
	}
	set := ""
	switch {
	case strings.HasPrefix(op, "ForAnyValue:"):
		set, op = "any", strings.TrimPrefix(op, "ForAnyValue:")
	case strings.HasPrefix(op, "ForAllValues:"):
		set, op = "all", strings.TrimPrefix(op, "ForAllValues:")
	}
	ifExists := strings.HasSuffix(op, "IfExists")
	op = strings.TrimSuffix(op, "IfExists")

	if op == "Null" {
		if set != "" || ifExists {
			return false, fmt.Errorf("Null takes no set or IfExists qualifier")
		}
		if len(want) != 1 {
			return false, fmt.Errorf("Null takes one value, true or false")
		}
		switch strings.ToLower(want[0]) {
		case "true":
			return got == nil, nil
		case "false":
			return got != nil, nil
		}
		return false, fmt.Errorf("Null takes true or false, got %q", want[0])
	}

	cmp, negated, err := comparator(op)
	if err != nil {
		return false, err
	}
	if got == nil {
		switch {
		case ifExists:
			return true, nil
		case set == "all":
			// ForAllValues is true when the request has no values.
			return true, nil
		case set == "any":
			return false, nil
		case negated:
			// A negated operator matches a request without the key.
			return true, nil
		}
		return false, nil
	}
	one := func(v string) (bool, error) {
		for _, w := range want {
			ok, err := cmp(w, v)
			if err != nil {
				return false, err
			}
			if ok {
				return !negated, nil
			}
		}
		return negated, nil
	}
	switch set {
	case "all":
		for _, v := range got {
			ok, err := one(v)
			if err != nil || !ok {
				return false, err
			}
		}
		return true, nil
	case "any":
		for _, v := range got {
			ok, err := one(v)
			if err != nil || ok {
				return ok, err
			}
		}
		return false, nil
	}
	if len(got) != 1 {
		return false, fmt.Errorf("key %s has %d values: use ForAnyValue or ForAllValues", key, len(got))
	}
	return one(got[0])
}

// comparator returns how op compares a policy value with a request value,
// and whether op is a negated operator.
func comparator(op string) (func(want, got string) (bool, error), bool, error) {
	plain := func(f func(w, g string) bool) func(string, string) (bool, error) {
		return func(w, g string) (bool, error) { return f(w, g), nil }
	}
	switch op {
	case "StringEquals":
		return plain(func(w, g string) bool { return w == g }), false, nil
	case "StringNotEquals":
		return plain(func(w, g string) bool { return w == g }), true, nil
	case "StringEqualsIgnoreCase":
		return plain(strings.EqualFold), false, nil
	case "StringNotEqualsIgnoreCase":
		return plain(strings.EqualFold), true, nil
	case "StringLike":
		return plain(func(w, g string) bool { return wildcard(w, g, false) }), false, nil
	case "StringNotLike":
		return plain(func(w, g string) bool { return wildcard(w, g, false) }), true, nil
	case "ArnEquals", "ArnLike":
		return plain(arnLike), false, nil
	case "ArnNotEquals", "ArnNotLike":
		return plain(arnLike), true, nil
	case "Bool":
		return func(w, g string) (bool, error) {
			wb, err := strconv.ParseBool(w)
			if err != nil {
				return false, fmt.Errorf("Bool takes true or false, got %q", w)
			}
			gb, err := strconv.ParseBool(g)
			if err != nil {
				return false, nil
			}
			return wb == gb, nil
		}, false, nil
	case "NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals":
		return func(w, g string) (bool, error) {
			wf, err := strconv.ParseFloat(w, 64)
			if err != nil {
				return false, fmt.Errorf("%s takes numbers, got %q", op, w)
			}
			gf, err := strconv.ParseFloat(g, 64)
			if err != nil {
				return false, nil
			}
			switch op {
			case "NumericEquals", "NumericNotEquals":
				return gf == wf, nil
			case "NumericLessThan":
				return gf < wf, nil
			case "NumericLessThanEquals":
				return gf <= wf, nil
			case "NumericGreaterThan":
				return gf > wf, nil
			default:
				return gf >= wf, nil
			}
		}, op == "NumericNotEquals", nil
	}
	return nil, false, fmt.Errorf("condition operator %q is not supported", op)
}

// arnLike compares an ARN pattern with an ARN component by component, with
// wildcards inside each of the six components (ArnEquals and ArnLike behave
// alike, per the IAM reference). It splits both itself rather than with
// aws/arn's Parse: a pattern is not an ARN (a wildcard may stand in any
// component, the first included, where Parse wants the literal "arn:"), and
// the value is compared the same way as the pattern.
func arnLike(pattern, arn string) bool {
	p := strings.SplitN(pattern, ":", 6)
	a := strings.SplitN(arn, ":", 6)
	if len(p) != 6 || len(a) != 6 {
		return false
	}
	for i := range p {
		if !wildcard(p[i], a[i], false) {
			return false
		}
	}
	return true
}
