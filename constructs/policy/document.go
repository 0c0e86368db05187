package policy

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Version is the only policy language version the documents use.
const Version = "2012-10-17"

// Effect is Allow or Deny.
type Effect string

// The two statement effects.
const (
	Allow Effect = "Allow"
	Deny  Effect = "Deny"
)

// Values is a list of strings that marshals as a single JSON string when it
// holds one value and as an array otherwise, the way AWS writes policies back.
type Values []string

// MarshalJSON implements json.Marshaler.
func (v Values) MarshalJSON() ([]byte, error) {
	if len(v) == 1 {
		return json.Marshal(v[0])
	}
	return json.Marshal([]string(v))
}

// UnmarshalJSON accepts a string or an array of strings.
func (v *Values) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*v = Values{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return fmt.Errorf("policy values must be a string or an array of strings: %w", err)
	}
	*v = many
	return nil
}

// Principal names who a statement applies to. Any marshals as "*"; otherwise
// the AWS and Service lists marshal as an object.
type Principal struct {
	Any     bool
	AWS     Values
	Service Values
}

// AnyPrincipal is "Principal": "*".
var AnyPrincipal = Principal{Any: true}

// ServicePrincipal is a principal of one AWS service, for example
// "cloudtrail.amazonaws.com".
func ServicePrincipal(service string) Principal {
	return Principal{Service: Values{service}}
}

// AWSPrincipals is a principal of IAM ARNs (roots, roles, users).
func AWSPrincipals(arns ...string) Principal {
	return Principal{AWS: append(Values(nil), arns...)}
}

type principalObject struct {
	AWS     Values `json:"AWS,omitempty"`
	Service Values `json:"Service,omitempty"`
}

// MarshalJSON implements json.Marshaler.
func (p Principal) MarshalJSON() ([]byte, error) {
	if p.Any {
		return json.Marshal("*")
	}
	return json.Marshal(principalObject{AWS: p.AWS, Service: p.Service})
}

// UnmarshalJSON implements json.Unmarshaler.
func (p *Principal) UnmarshalJSON(b []byte) error {
	var star string
	if err := json.Unmarshal(b, &star); err == nil {
		if star != "*" {
			return fmt.Errorf("principal string must be \"*\", got %q", star)
		}
		*p = AnyPrincipal
		return nil
	}
	var o principalObject
	if err := json.Unmarshal(b, &o); err != nil {
		return err
	}
	*p = Principal{AWS: o.AWS, Service: o.Service}
	return nil
}

// Conditions maps an operator (StringEquals, ArnLike, Bool, ...) to condition
// keys and their values. encoding/json writes map keys sorted, so the output
// is deterministic.
type Conditions map[string]map[string]Values

// Add sets key under operator to values and returns c for chaining.
func (c Conditions) Add(operator, key string, values ...string) Conditions {
	if c[operator] == nil {
		c[operator] = map[string]Values{}
	}
	c[operator][key] = append(Values(nil), values...)
	return c
}

// IsZero reports whether p names nobody; such a principal is left out of
// the JSON, as identity policies require.
func (p Principal) IsZero() bool { return !p.Any && len(p.AWS) == 0 && len(p.Service) == 0 }

// Statement is one policy statement. Sid is required here: tests and reviews
// find statements by it. Principal is left out for identity policies and
// Resource for trust policies.
type Statement struct {
	Sid       string     `json:"Sid"`
	Effect    Effect     `json:"Effect"`
	Principal Principal  `json:"Principal,omitzero"`
	Action    Values     `json:"Action"`
	Resource  Values     `json:"Resource,omitempty"`
	Condition Conditions `json:"Condition,omitempty"`
}

// Document is a resource policy document.
type Document struct {
	Version   string      `json:"Version"`
	ID        string      `json:"Id,omitempty"`
	Statement []Statement `json:"Statement"`
}

// Labeled returns d with its Id prefixed by label and a hyphen: the
// documents of this package have neutral Ids ("key-policy"), and an app
// labels the ones it attaches ("cloudtrail-mrk" gives
// "cloudtrail-mrk-key-policy"; constructs.Naming.Label does it for the
// documents the constructs write). An empty label, or a document without
// an Id, gives d unchanged. Only the Id changes: the statements are shared.
func (d Document) Labeled(label string) Document {
	if label != "" && d.ID != "" {
		d.ID = label + "-" + d.ID
	}
	return d
}

// StatementBySid returns the statement with the given Sid.
func (d Document) StatementBySid(sid string) (Statement, bool) {
	for _, s := range d.Statement {
		if s.Sid == sid {
			return s, true
		}
	}
	return Statement{}, false
}

// Sids returns the statement ids in document order.
func (d Document) Sids() []string {
	out := make([]string, len(d.Statement))
	for i, s := range d.Statement {
		out[i] = s.Sid
	}
	return out
}

// JSON renders the document as indented JSON. It fails when two statements
// share a Sid, which IAM rejects.
func (d Document) JSON() (string, error) {
	seen := map[string]bool{}
	for _, s := range d.Statement {
		if s.Sid == "" || seen[s.Sid] {
			return "", fmt.Errorf("policy %q: statement ids must be present and unique, got %q", d.ID, s.Sid)
		}
		seen[s.Sid] = true
	}
	b, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// Parse reads a policy document written by JSON. Elements this package does
// not model (NotPrincipal, NotAction, NotResource, ...) are errors rather
// than silently dropped, so nothing reads a policy wider than it is.
func Parse(doc string) (Document, error) {
	var d Document
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil {
		return Document{}, fmt.Errorf("parse policy document: %w", err)
	}
	return d, nil
}

// sortedUnique returns the distinct values of in, sorted.
func sortedUnique(in []string) []string {
	set := map[string]bool{}
	for _, v := range in {
		set[v] = true
	}
	out := make([]string, 0, len(set))
	for v := range set {
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}
