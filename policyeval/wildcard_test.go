package policyeval

import (
	"math/rand"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// globRegexp is the IAM wildcard as a regular expression: * any run, ? one
// character, everything else literal (IAM User Guide, "IAM JSON policy
// elements: Condition operators", string and ARN operators).
func globRegexp(pattern string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("(?s)^")
	for _, r := range pattern {
		switch r {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

func TestWildcard(t *testing.T) {
	for _, c := range []struct {
		pattern, value string
		want           bool
	}{
		{"arn:aws:iam::*:role/*", "arn:aws:iam::111122223333:role/Deployer", true},
		{"arn:aws:iam::*:role/*", "arn:aws:iam::111122223333:user/Alice", false},
		{"a*", "a*b", true},
		{"*", "", true},
		{"", "", true},
		{"", "x", false},
		{"?", "", false},
		{"a?c", "abc", true},
		{"a?c", "ac", false},
		{"*b*b*", "abxbyb", true},
		{"*b*b*", "abx", false},
		{"log-group:g:*", "log-group:g", false},
		{"log-group:g*", "log-group:g", true},
		{"ümlaut?", "ümlautß", true},
	} {
		assert.Equal(t, c.want, wildcard(c.pattern, c.value, false), "%q ~ %q", c.pattern, c.value)
		assert.Equal(t, c.want, globRegexp(c.pattern).MatchString(c.value), "reference %q ~ %q", c.pattern, c.value)
	}
	assert.True(t, wildcard("ARN:AWS:*", "arn:aws:s3:::b", true))
	assert.False(t, wildcard("ARN:AWS:*", "arn:aws:s3:::b", false))

	// Random patterns over a small alphabet agree with the reference.
	rng := rand.New(rand.NewSource(1))
	word := func(alphabet string, n int) string {
		b := make([]byte, rng.Intn(n+1))
		for i := range b {
			b[i] = alphabet[rng.Intn(len(alphabet))]
		}
		return string(b)
	}
	for i := 0; i < 20000; i++ {
		p, v := word("ab*?", 6), word("ab", 8)
		if got, want := wildcard(p, v, false), globRegexp(p).MatchString(v); got != want {
			t.Fatalf("wildcard(%q, %q) = %v, the reference says %v", p, v, got, want)
		}
	}
}
