package filterpattern

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/rules"
)

// Pattern is a parsed JSON filter pattern.
type Pattern struct {
	text string
	root node
}

// String returns the pattern's text.
func (p *Pattern) String() string { return p.text }

// Parse parses a JSON filter pattern, or explains what it does not support.
func Parse(text string) (*Pattern, error) {
	if len(text) > rules.FilterPatternMaxLength {
		return nil, fmt.Errorf("filter pattern is %d characters, more than the %d CloudWatch Logs accepts", len(text), rules.FilterPatternMaxLength)
	}
	t := strings.TrimSpace(text)
	if !strings.HasPrefix(t, "{") || !strings.HasSuffix(t, "}") {
		return nil, fmt.Errorf("filter pattern %q: only JSON patterns ({ ... }) are implemented here", text)
	}
	p := &parser{src: t[1 : len(t)-1]}
	root, err := p.expr()
	if err == nil {
		p.skipSpace()
		if p.pos < len(p.src) {
			err = p.errorf("unexpected %q", p.rest(12))
		}
	}
	if err != nil {
		return nil, fmt.Errorf("filter pattern %q: %w", text, err)
	}
	return &Pattern{text: text, root: root}, nil
}

// MustParse is Parse that panics, for patterns fixed in code.
func MustParse(text string) *Pattern {
	p, err := Parse(text)
	if err != nil {
		panic(err)
	}
	return p
}

// Match reports whether the JSON log event matches the pattern. It is an
// error when the event is not a JSON object or when the result depends on a
// comparison the documentation does not define.
func (p *Pattern) Match(event []byte) (bool, error) {
	var ev any
	if err := json.Unmarshal(event, &ev); err != nil {
		return false, fmt.Errorf("log event is not JSON: %w", err)
	}
	if _, ok := ev.(map[string]any); !ok {
		return false, fmt.Errorf("log event is not a JSON object")
	}
	r := p.root.eval(ev)
	if r.err != nil {
		return false, fmt.Errorf("filter pattern %q: %w", p.text, r.err)
	}
	return r.v, nil
}

// result is true, false or undefined (err set).
type result struct {
	v   bool
	err error
}

type node interface{ eval(ev any) result }

type and struct{ l, r node }
type or struct{ l, r node }

func (n and) eval(ev any) result {
	l, r := n.l.eval(ev), n.r.eval(ev)
	switch {
	case l.err == nil && !l.v, r.err == nil && !r.v:
		return result{v: false}
	case l.err != nil:
		return l
	case r.err != nil:
		return r
	}
	return result{v: true}
}

func (n or) eval(ev any) result {
	l, r := n.l.eval(ev), n.r.eval(ev)
	switch {
	case l.err == nil && l.v, r.err == nil && r.v:
		return result{v: true}
	case l.err != nil:
		return l
	case r.err != nil:
		return r
	}
	return result{v: false}
}

// step is one selector step: a key or an array index.
type step struct {
	key   string
	index int
	isIdx bool
	// any is the wildcard selector [*]: every element of the array.
	any bool
}

type selector struct {
	text  string
	steps []step
	// wildcard: one step is [*].
	wildcard bool
}

// lookup returns the selected value and whether it exists.
func (s selector) lookup(ev any) (any, bool, error) {
	vals, err := s.lookupAll(ev)
	if err != nil || len(vals) == 0 {
		return nil, false, err
	}
	return vals[0], true, nil
}

// lookupAll returns every value the selector selects: none or one without
// a wildcard, one per element of the array at [*] with it.
func (s selector) lookupAll(ev any) ([]any, error) {
	cur := []any{ev}
	for _, st := range s.steps {
		var next []any
		for _, c := range cur {
			switch v := c.(type) {
			case map[string]any:
				if st.isIdx {
					continue
				}
				if n, ok := v[st.key]; ok {
					next = append(next, n)
				}
			case []any:
				if !st.isIdx {
					return nil, fmt.Errorf("%s reaches an array without an index, which the documentation does not define", s.text)
				}
				if st.any {
					next = append(next, v...)
				} else if st.index < len(v) {
					next = append(next, v[st.index])
				}
			}
		}
		cur = next
	}
	return cur, nil
}

type compare struct {
	sel   selector
	op    string // =, !=, <, >, <=, >=, IS NULL, IS TRUE, IS FALSE, NOT EXISTS
	value string
	// quoted values are strings; bare values that parse as numbers are
	// numbers, other bare values strings.
	quoted bool
}

func (c compare) undefined(format string, a ...any) result {
	return result{err: fmt.Errorf("%s %s %s: %s", c.sel.text, c.op, c.value, fmt.Sprintf(format, a...))}
}

func (c compare) eval(ev any) result {
	if c.sel.wildcard {
		// Any element: the comparison holds when it holds for one of them
		// (only = is parsed through [*]).
		vals, err := c.sel.lookupAll(ev)
		if err != nil {
			return result{err: err}
		}
		for _, v := range vals {
			if r := c.evalValue(v, true); r.err != nil || r.v {
				return r
			}
		}
		return result{v: false}
	}
	got, found, err := c.sel.lookup(ev)
	if err != nil {
		return result{err: err}
	}
	switch c.op {
	case "NOT EXISTS":
		return result{v: !found}
	case "IS NULL":
		if !found {
			return c.undefined("the event has no such field, and the documentation does not say whether IS NULL matches a missing field")
		}
		return result{v: got == nil}
	case "IS TRUE", "IS FALSE":
		if !found {
			return result{v: false}
		}
		b, ok := got.(bool)
		return result{v: ok && b == (c.op == "IS TRUE")}
	}
	return c.evalValue(got, found)
}

// evalValue compares one selected value (found: the field exists).
func (c compare) evalValue(got any, found bool) result {
	num, isNum := c.number()
	if !found {
		if c.op == "=" {
			// An equality needs the field: a missing field is not equal.
			return result{v: false}
		}
		return c.undefined("the event has no such field, and the documentation does not say whether %s matches a missing field", c.op)
	}
	switch g := got.(type) {
	case string:
		if isNum {
			return c.undefined("compares the string %q with a number, which the documentation does not define", g)
		}
		switch c.op {
		case "=":
			return result{v: wildcard(c.value, g)}
		case "!=":
			return result{v: !wildcard(c.value, g)}
		}
		return c.undefined("orders strings, which the documentation does not define")
	case float64:
		if !isNum {
			return c.undefined("compares the number %v with a string, which the documentation does not define", g)
		}
		switch c.op {
		case "=":
			return result{v: g == num}
		case "!=":
			return result{v: g != num}
		case "<":
			return result{v: g < num}
		case ">":
			return result{v: g > num}
		case "<=":
			return result{v: g <= num}
		case ">=":
			return result{v: g >= num}
		}
	}
	return c.undefined("compares a %T value, which is implemented only for strings and numbers", got)
}

func (c compare) number() (float64, bool) {
	if c.quoted {
		return 0, false
	}
	f, err := strconv.ParseFloat(c.value, 64)
	return f, err == nil
}

// wildcard matches s against pattern, where * stands for any run of
// characters (possibly empty) and everything else is literal.
func wildcard(pattern, s string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == s
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	for i := 1; i < len(parts)-1; i++ {
		j := strings.Index(s, parts[i])
		if j < 0 {
			return false
		}
		s = s[j+len(parts[i]):]
	}
	return strings.HasSuffix(s, parts[len(parts)-1])
}

type parser struct {
	src string
	pos int
	// wildcards counts the [*] selectors of the pattern.
	wildcards int
}

// Quotas of the wildcard selector (CloudWatch Logs User Guide, "Using filter
// patterns to match terms in JSON log events": "You can only use up to one
// wildcard selector in a property selector, and up to three wildcard
// selectors in a filter pattern with compound expressions").
const (
	maxWildcardsPerSelector = 1
	maxWildcardsPerPattern  = 3
)

func (p *parser) errorf(format string, a ...any) error {
	return fmt.Errorf("at character %d: %s", p.pos+1, fmt.Sprintf(format, a...))
}

func (p *parser) rest(n int) string {
	r := p.src[p.pos:]
	if len(r) > n {
		r = r[:n] + "..."
	}
	return r
}

func (p *parser) skipSpace() {
	for p.pos < len(p.src) && strings.ContainsRune(" \t\r\n", rune(p.src[p.pos])) {
		p.pos++
	}
}

func (p *parser) accept(tok string) bool {
	p.skipSpace()
	if strings.HasPrefix(p.src[p.pos:], tok) {
		p.pos += len(tok)
		return true
	}
	return false
}

func (p *parser) expr() (node, error) {
	l, err := p.conj()
	if err != nil {
		return nil, err
	}
	for p.accept("||") {
		r, err := p.conj()
		if err != nil {
			return nil, err
		}
		l = or{l, r}
	}
	return l, nil
}

func (p *parser) conj() (node, error) {
	l, err := p.unary()
	if err != nil {
		return nil, err
	}
	for p.accept("&&") {
		r, err := p.unary()
		if err != nil {
			return nil, err
		}
		l = and{l, r}
	}
	return l, nil
}

func (p *parser) unary() (node, error) {
	if p.accept("(") {
		n, err := p.expr()
		if err != nil {
			return nil, err
		}
		if !p.accept(")") {
			return nil, p.errorf("expected ')' but found %q", p.rest(12))
		}
		return n, nil
	}
	return p.comparison()
}

var operators = []string{"!=", "<=", ">=", "=", "<", ">"}

func (p *parser) comparison() (node, error) {
	sel, err := p.selector()
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	for _, kw := range []string{"IS NULL", "IS TRUE", "IS FALSE", "NOT EXISTS"} {
		if p.accept(kw) {
			if sel.wildcard {
				return nil, p.errorf("%s %s: only = is implemented through [*]; the documentation does not say whether it asks any element or every element", sel.text, kw)
			}
			return compare{sel: sel, op: kw}, nil
		}
	}
	for _, op := range operators {
		if p.accept(op) {
			if sel.wildcard && op != "=" {
				return nil, p.errorf("%s %s: only = is implemented through [*]; the documentation does not say whether it asks any element or every element", sel.text, op)
			}
			v, quoted, err := p.value()
			if err != nil {
				return nil, err
			}
			return compare{sel: sel, op: op, value: v, quoted: quoted}, nil
		}
	}
	return nil, p.errorf("expected an operator (=, !=, <, >, <=, >=, IS NULL, IS TRUE, IS FALSE, NOT EXISTS) after %s but found %q", sel.text, p.rest(12))
}

func (p *parser) selector() (selector, error) {
	p.skipSpace()
	start := p.pos
	if !strings.HasPrefix(p.src[p.pos:], "$") {
		return selector{}, p.errorf("expected a selector starting with $ but found %q", p.rest(12))
	}
	p.pos++
	var steps []step
	wildcards := 0
	for p.pos < len(p.src) {
		switch {
		case strings.HasPrefix(p.src[p.pos:], ".['"):
			end := strings.Index(p.src[p.pos+3:], "']")
			if end < 0 {
				return selector{}, p.errorf("unterminated ['...'] in selector")
			}
			steps = append(steps, step{key: p.src[p.pos+3 : p.pos+3+end]})
			p.pos += 3 + end + 2
		case p.src[p.pos] == '.':
			p.pos++
			k := p.pos
			for p.pos < len(p.src) && isIdent(p.src[p.pos]) {
				p.pos++
			}
			if k == p.pos {
				return selector{}, p.errorf("selector %s: expected a field name after '.' (wildcards such as $.* are not implemented)", p.src[start:p.pos+1])
			}
			steps = append(steps, step{key: p.src[k:p.pos]})
		case p.src[p.pos] == '[':
			end := strings.IndexByte(p.src[p.pos:], ']')
			if end < 0 {
				return selector{}, p.errorf("unterminated [ in selector")
			}
			if p.src[p.pos+1:p.pos+end] == "*" {
				wildcards++
				p.wildcards++
				if wildcards > maxWildcardsPerSelector {
					return selector{}, p.errorf("selector %s: more than %d wildcard selector in a property selector, which CloudWatch Logs refuses", p.src[start:p.pos+end+1], maxWildcardsPerSelector)
				}
				if p.wildcards > maxWildcardsPerPattern {
					return selector{}, p.errorf("selector %s: more than %d wildcard selectors in a pattern, which CloudWatch Logs refuses", p.src[start:p.pos+end+1], maxWildcardsPerPattern)
				}
				steps = append(steps, step{isIdx: true, any: true})
				p.pos += end + 1
				continue
			}
			i, err := strconv.Atoi(p.src[p.pos+1 : p.pos+end])
			if err != nil || i < 0 {
				return selector{}, p.errorf("selector %s: array index %q is neither a non-negative integer nor *", p.src[start:p.pos+end+1], p.src[p.pos+1:p.pos+end])
			}
			steps = append(steps, step{index: i, isIdx: true})
			p.pos += end + 1
		default:
			goto done
		}
	}
done:
	if len(steps) == 0 {
		return selector{}, p.errorf("selector $ selects nothing")
	}
	return selector{text: p.src[start:p.pos], steps: steps, wildcard: wildcards > 0}, nil
}

func isIdent(b byte) bool {
	return b == '_' || b == '-' || b == '@' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9'
}

func (p *parser) value() (string, bool, error) {
	p.skipSpace()
	if p.pos >= len(p.src) {
		return "", false, p.errorf("expected a value")
	}
	switch p.src[p.pos] {
	case '"':
		var b strings.Builder
		for i := p.pos + 1; i < len(p.src); i++ {
			switch c := p.src[i]; c {
			case '\\':
				if i+1 < len(p.src) {
					i++
					b.WriteByte(p.src[i])
				}
			case '"':
				p.pos = i + 1
				return b.String(), true, nil
			default:
				b.WriteByte(c)
			}
		}
		return "", false, p.errorf("unterminated string")
	case '%':
		return "", false, p.errorf("regular expressions (%%...%%) are not implemented")
	}
	start := p.pos
	for p.pos < len(p.src) && !strings.ContainsRune(" \t\r\n)", rune(p.src[p.pos])) &&
		!strings.HasPrefix(p.src[p.pos:], "&&") && !strings.HasPrefix(p.src[p.pos:], "||") {
		p.pos++
	}
	if start == p.pos {
		return "", false, p.errorf("expected a value but found %q", p.rest(12))
	}
	return p.src[start:p.pos], false, nil
}
