package filterpattern

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/rules"
)

// The two example log events of the CloudWatch Logs User Guide, "Filter
// pattern syntax for metric filters, subscription filters, filter log
// events, and Live Tail", section "Using filter patterns to match terms in
// JSON log events" (FilterAndPatternSyntax.html), on one line as the guide
// asks when testing them.
const (
	docEvent = `{"eventType": "UpdateTrail", "sourceIPAddress": "111.111.111.111", "arrayKey": ["value", "another value"], "objectList": [{"name": "a", "id": 1}, {"name": "b", "id": 2}], "SomeObject": null, "cluster.name": "c"}`

	docCompoundEvent = `{"user": {"id": 1, "email": "John.Stiles@example.com"}, "users": [{"id": 2, "email": "John.Doe@example.com"}, {"id": 3, "email": "Jane.Doe@example.com"}], "actions": ["GET", "PUT", "DELETE"], "coordinates": [[0, 1, 2], [4, 5, 6], [7, 8, 9]]}`
)

// TestDocumentationExamples: each pattern of the guide, with the outcome the
// guide gives for its example event.
func TestDocumentationExamples(t *testing.T) {
	for _, tc := range []struct {
		event, pattern string
		want           bool
	}{
		{docEvent, `{ $.eventType = "UpdateTrail" }`, true},
		{docEvent, `{ $.sourceIPAddress != 123.123.* }`, true},
		{docEvent, `{ $.arrayKey[0] = "value" }`, true},
		{docEvent, `{ $.objectList[1].id = 2 }`, true},
		{docEvent, `{ $.['cluster.name'] = "c" }`, true},
		{docEvent, `{ $.SomeObject IS NULL }`, true},
		{docEvent, `{ $.SomeOtherObject NOT EXISTS }`, true},
		{docCompoundEvent, `{ ($.user.id = 1) && ($.users[0].email = "John.Doe@example.com") }`, true},
		{docCompoundEvent, `{ $.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = "nonmatch" && $.actions[2] = "nonmatch" }`, true},
		{docCompoundEvent, `{ ($.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = "nonmatch") && $.actions[2] = "nonmatch" }`, false},
		{docCompoundEvent, `{ ($.user.id = 2 && $.users[0].email = "nonmatch") || $.actions[2] = "GET" }`, false},
	} {
		t.Run(tc.pattern, func(t *testing.T) {
			got, err := MustParse(tc.pattern).Match([]byte(tc.event))
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

// TestOperators covers each operator on both sides of its boundary.
func TestOperators(t *testing.T) {
	ev := `{"latency": 50, "flag": true, "off": false, "name": "UpdateTrail", "n": null, "list": [{"ARN": "arn:aws:kms:us-east-1:111122223333:key/mrk-1"}]}`
	for _, tc := range []struct {
		pattern string
		want    bool
	}{
		{`{ $.latency < 51 }`, true},
		{`{ $.latency < 50 }`, false},
		{`{ $.latency <= 50 }`, true},
		{`{ $.latency > 49 }`, true},
		{`{ $.latency > 50 }`, false},
		{`{ $.latency >= 50 }`, true},
		{`{ $.latency = 50 }`, true},
		{`{ $.latency != 50 }`, false},
		{`{ $.flag IS TRUE }`, true},
		{`{ $.flag IS FALSE }`, false},
		{`{ $.off IS FALSE }`, true},
		{`{ $.n IS NULL }`, true},
		{`{ $.name IS NULL }`, false},
		{`{ $.name NOT EXISTS }`, false},
		{`{ $.name = "Update*" }`, true},
		{`{ $.name = "*Trail" }`, true},
		{`{ $.name = "*date*" }`, true},
		{`{ $.name = "update*" }`, false},
		{`{ $.name = UpdateTrail }`, true},
		{`{ $.name != "Update*" }`, false},
		{`{ $.missing = "x" }`, false},
		{`{ $.list[0].ARN = "arn:aws:kms:*:111122223333:key/mrk-1" }`, true},
		{`{ $.list[1].ARN = "x" }`, false},
		{`{ $.list[1].ARN NOT EXISTS }`, true},
		{`{ ($.name = "x") || (($.latency = 50) && ($.flag IS TRUE)) }`, true},
	} {
		t.Run(tc.pattern, func(t *testing.T) {
			got, err := MustParse(tc.pattern).Match([]byte(ev))
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

// TestWildcardSelector: [*] selects any element of an array ("You can use
// the JSON wildcard to select any array element", CloudWatch Logs User
// Guide, "Using filter patterns to match terms in JSON log events"; the
// guide's example compares it with a regular expression, which this
// evaluator does not implement, so the cases here use plain values), at
// any index, and up to three of them fit in one pattern.
func TestWildcardSelector(t *testing.T) {
	ev := `{"arrayKey": ["value", "another value"], "objectList": [{"name": "a", "id": 1}, {"name": "b", "id": 2}], "names": ["x-1", "x-2", "y", "org-trail-root-usage"], "empty": [], "scalar": "value"}`
	for _, tc := range []struct {
		pattern string
		want    bool
	}{
		{`{ $.arrayKey[*] = "value" }`, true},
		{`{ $.arrayKey[*] = "another value" }`, true},
		{`{ $.arrayKey[*] = "val" }`, false},
		{`{ $.arrayKey[*] = "val*" }`, true},
		{`{ $.objectList[*].id = 2 }`, true},
		{`{ $.objectList[*].name = "c" }`, false},
		{`{ $.names[*] = "org-trail-*" }`, true},
		{`{ $.names[*] = "z*" }`, false},
		{`{ $.empty[*] = "x" }`, false},
		{`{ $.missing[*] = "x" }`, false},
		{`{ $.scalar[*] = "value" }`, false},
		{`{ $.a[*] = 1 || $.names[*] = "y" || $.objectList[*].id = 9 }`, true},
	} {
		t.Run(tc.pattern, func(t *testing.T) {
			got, err := MustParse(tc.pattern).Match([]byte(ev))
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
	// The last of 100 elements counts as much as the first.
	var names []string
	for i := 0; i < 99; i++ {
		names = append(names, fmt.Sprintf(`"other-%d"`, i))
	}
	long := `{"alarmNames": [` + strings.Join(append(names, `"org-trail-heartbeat"`), ", ") + `]}`
	got, err := MustParse(`{ $.alarmNames[*] = "org-trail-*" }`).Match([]byte(long))
	require.NoError(t, err)
	assert.True(t, got)
	got, err = MustParse(`{ $.alarmNames[0] = "org-trail-*" }`).Match([]byte(long))
	require.NoError(t, err)
	assert.False(t, got, "a fixed index sees one element only")
}

// TestUndefinedIsAnError: what the documentation does not define is refused,
// unless the rest of the pattern decides the result.
func TestUndefinedIsAnError(t *testing.T) {
	ev := `{"name": "UpdateTrail", "latency": 50, "list": [1, 2]}`
	for _, tc := range []struct{ pattern, msg string }{
		{`{ $.missing != "x" }`, "does not say whether != matches a missing field"},
		{`{ $.missing IS NULL }`, "does not say whether IS NULL matches a missing field"},
		{`{ $.name = 5 }`, "compares the string"},
		{`{ $.latency = "50" }`, "compares the number"},
		{`{ $.name > "A" }`, "orders strings"},
		{`{ $.list.x = 1 }`, "array without an index"},
	} {
		t.Run(tc.pattern, func(t *testing.T) {
			_, err := MustParse(tc.pattern).Match([]byte(ev))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.msg)
		})
	}
	got, err := MustParse(`{ $.name = "other" && $.missing != "x" }`).Match([]byte(ev))
	require.NoError(t, err, "false && undefined is false")
	assert.False(t, got)
	got, err = MustParse(`{ $.name = "UpdateTrail" || $.missing != "x" }`).Match([]byte(ev))
	require.NoError(t, err, "true || undefined is true")
	assert.True(t, got)
}

// TestRefusesUnimplementedSyntax: the parser says what it does not implement.
func TestRefusesUnimplementedSyntax(t *testing.T) {
	for _, tc := range []struct{ pattern, msg string }{
		{`ERROR`, "only JSON patterns"},
		{`[ip, user, status_code = 4*]`, "only JSON patterns"},
		{`{ $.name = %Update.*% }`, "regular expressions"},
		{`{ $.* = "x" }`, "wildcards such as $.*"},
		{`{ $.list[*] != 1 }`, "only = is implemented through [*]"},
		{`{ $.list[*] NOT EXISTS }`, "only = is implemented through [*]"},
		{`{ $.list[*][*] = 1 }`, "more than 1 wildcard selector in a property selector"},
		{`{ $.a[*] = 1 || $.b[*] = 1 || $.c[*] = 1 || $.d[*] = 1 }`, "more than 3 wildcard selectors in a pattern"},
		{`{ $.list[x] = 1 }`, "neither a non-negative integer nor *"},
		{`{ $.name EXISTS }`, "expected an operator"},
		{`{ ($.name = "x" }`, "expected ')'"},
		{`{ $.name = "x }`, "unterminated string"},
		{`{ name = "x" }`, "starting with $"},
		{`{ $.name = "x" ) }`, "unexpected"},
		{"{ $.a = \"" + strings.Repeat("x", rules.FilterPatternMaxLength) + "\" }", "more than the 1024"},
	} {
		t.Run(tc.pattern, func(t *testing.T) {
			_, err := Parse(tc.pattern)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.msg)
		})
	}
	_, err := MustParse(`{ $.a = 1 }`).Match([]byte(`not json`))
	assert.ErrorContains(t, err, "not JSON")
}
