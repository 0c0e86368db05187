package policyeval

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/arn"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/policy"
)

// Decision is the outcome of an evaluation.
type Decision string

// The three outcomes.
const (
	Allow        Decision = "Allow"
	ExplicitDeny Decision = "ExplicitDeny"
	ImplicitDeny Decision = "ImplicitDeny"
)

// Allowed reports whether d is Allow.
func (d Decision) Allowed() bool { return d == Allow }

// Principal is who makes a request: an IAM principal (a role, a role
// session or a user, by ARN), a service, or nobody (anonymous). The account
// root user is not modelled: Evaluate refuses it rather than guess.
type Principal struct {
	// ARN of the IAM principal, for example arn:aws:iam::111122223333:role/R
	// or a session of that role, arn:aws:sts::111122223333:assumed-role/R/s.
	ARN string
	// Service is a service principal such as cloudtrail.amazonaws.com.
	Service string
}

// Anonymous is an unauthenticated caller.
var Anonymous = Principal{}

// Account returns the account id of an IAM principal, or "".
func (p Principal) Account() string {
	a, err := arn.Parse(p.ARN)
	if err != nil {
		return ""
	}
	return a.AccountID
}

// Request is one API call.
type Request struct {
	Principal Principal
	// Action such as s3:PutObject.
	Action string
	// Resource ARN, or "*" for KMS key policies.
	Resource string
	// Context holds the request's condition keys and their values
	// (aws:SourceArn, aws:SecureTransport, kms:EncryptionContext:..., ...).
	// A key absent from the map is absent from the request.
	Context map[string][]string
}

// Policies are what AWS evaluates for a request.
type Policies struct {
	// Resource is the resource's policy (bucket, key, topic, trust policy).
	Resource *policy.Document
	// ResourceAccount owns the resource.
	ResourceAccount string
	// KeyPolicy marks Resource as a KMS key policy: an IAM principal is
	// allowed only if the key policy allows it directly, or the key policy
	// allows the account root (delegation to IAM) and Identity allows it.
	// Role trust policies (any sts:AssumeRole* request) are judged the same
	// way without this flag.
	KeyPolicy bool
	// Identity are the IAM policies of the calling principal. For a
	// principal whose policies are not ours (another account's, a reader's)
	// use AllowAll, the worst case.
	Identity []policy.Document
	// SCPs govern the caller's account when set. Default: none modelled.
	SCPs *ServiceControlPolicies
}

// AllowAll is an identity policy that allows everything: the assumption for
// principals whose own policies are unknown.
var AllowAll = policy.Document{Version: policy.Version, Statement: []policy.Statement{{
	Sid: "AssumeAnything", Effect: policy.Allow, Action: policy.Values{"*"}, Resource: policy.Values{"*"},
}}}

// Evaluate decides req against ps as AWS would (see the package doc), or
// returns an error for a request or a policy it does not model.
func Evaluate(req Request, ps Policies) (Decision, error) {
	if ps.SCPs != nil {
		rest := ps
		rest.SCPs = nil
		d, err := Evaluate(req, rest)
		if err != nil {
			return "", err
		}
		scp, err := ps.SCPs.decide(req)
		if err != nil {
			return "", err
		}
		return withSCPs(scp, d), nil
	}
	if isRoot(req.Principal.ARN) {
		// docs/aws-rules.md#root-user: the root user has full access in its
		// own account, with exceptions of its own (KMS key policies, S3
		// bucket policy changes, assuming roles); rather than guess at them,
		// a request as root is refused.
		return "", fmt.Errorf("the account root user (%s) is not modelled", req.Principal.ARN)
	}
	req.Context = withPrincipalArn(req.Principal.ARN, req.Context)
	// exact: a resource policy allows this principal itself (its ARN, its
	// service, or "*"); account: it allows the principal's account.
	var exact, account bool
	if ps.Resource != nil {
		for _, s := range ps.Resource.Statement {
			how, err := matchesResource(s, req)
			if err != nil {
				return "", fmt.Errorf("statement %q: %w", s.Sid, err)
			}
			switch {
			case how == noMatch:
				continue
			case s.Effect == policy.Deny:
				return ExplicitDeny, nil
			case how == byAccount:
				account = true
			default:
				exact = true
			}
		}
	}
	var idAllow bool
	if req.Principal.ARN != "" {
		for _, d := range ps.Identity {
			for _, s := range d.Statement {
				ok, err := matches(s, req)
				if err != nil {
					return "", fmt.Errorf("identity statement %q: %w", s.Sid, err)
				}
				if !ok {
					continue
				}
				if s.Effect == policy.Deny {
					return ExplicitDeny, nil
				}
				idAllow = true
			}
		}
	}
	sameAccount := req.Principal.Account() != "" && req.Principal.Account() == ps.ResourceAccount
	allowed := false
	switch {
	case req.Principal.ARN == "":
		// Services and anonymous callers have no identity policies.
		allowed = exact
	case sameAccount && (ps.KeyPolicy || isAssumeRole(req.Action)):
		// IAM user guide, "How AWS enforcement code logic evaluates requests
		// to allow or deny access"
		// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html):
		// role trust policies and KMS key policies must explicitly allow
		// access for principals, also in the same account; a trust policy
		// that names the account delegates to its identity policies.
		// KMS: the key policy must allow the principal itself, or allow the
		// account (delegating to IAM) and an IAM policy must allow it.
		allowed = exact || account && idAllow
	case sameAccount:
		allowed = exact || idAllow
	default:
		// Cross-account: the resource policy and the caller's own policies.
		allowed = (exact || account) && idAllow
	}
	if allowed {
		return Allow, nil
	}
	return ImplicitDeny, nil
}

type match int

const (
	noMatch match = iota
	byPrincipal
	byAccount
)

func matchesResource(s policy.Statement, req Request) (match, error) {
	how, err := principalMatches(s.Principal, req.Principal)
	if err != nil || how == noMatch {
		return noMatch, err
	}
	ok, err := matchesRest(s, req)
	if err != nil || !ok {
		return noMatch, err
	}
	return how, nil
}

func matches(s policy.Statement, req Request) (bool, error) {
	if !s.Principal.IsZero() {
		return false, errors.New("identity policies must not name a principal")
	}
	return matchesRest(s, req)
}

func matchesRest(s policy.Statement, req Request) (bool, error) {
	if len(s.Action) == 0 {
		return false, errors.New("statement has no Action (NotAction is not supported here)")
	}
	if !anyMatch(s.Action, req.Action, true) {
		return false, nil
	}
	switch {
	case len(s.Resource) > 0:
		if !anyMatch(s.Resource, req.Resource, false) {
			return false, nil
		}
	case !strings.HasPrefix(strings.ToLower(req.Action), "sts:"):
		// Only trust policies (sts:AssumeRole*) have no Resource.
		return false, errors.New("statement has no Resource (NotResource is not supported here)")
	}
	return conditionsMatch(s.Condition, req.Context)
}

var accountID = regexp.MustCompile(`^[0-9]{12}$`)

func principalMatches(sp policy.Principal, p Principal) (match, error) {
	if sp.IsZero() {
		return noMatch, errors.New("resource policy statement has no Principal")
	}
	if sp.Any {
		return byPrincipal, nil
	}
	for _, svc := range sp.Service {
		if p.Service != "" && strings.EqualFold(svc, p.Service) {
			return byPrincipal, nil
		}
	}
	for _, a := range sp.AWS {
		if a == "*" {
			// {"AWS": "*"} is everyone, anonymous callers included.
			return byPrincipal, nil
		}
	}
	if p.ARN == "" {
		return noMatch, nil
	}
	for _, a := range sp.AWS {
		switch {
		case a == p.ARN && !strings.HasSuffix(a, ":root"):
			return byPrincipal, nil
		case sessionOf(a, p.ARN):
			return byPrincipal, nil
		case accountID.MatchString(a) && a == p.Account():
			return byAccount, nil
		case isRootOf(a, p.Account()):
			// An account's root ARN in a resource policy means the account.
			return byAccount, nil
		}
	}
	return noMatch, nil
}

// isAssumeRole reports whether action is judged against a role trust policy.
func isAssumeRole(action string) bool {
	return strings.HasPrefix(strings.ToLower(action), "sts:assumerole")
}

// isRoot reports whether s is an account root user, arn:<p>:iam::<acct>:root.
func isRoot(s string) bool {
	a, err := arn.Parse(s)
	return err == nil && a.Service == "iam" && a.Resource == "root"
}

// isRootOf reports whether s is the root ARN of account, arn:<p>:<svc>::<account>:root.
func isRootOf(s, account string) bool {
	a, err := arn.Parse(s)
	return err == nil && a.Resource == "root" && a.AccountID == account
}

// roleOfSession returns the role ARN of a role session ARN,
// arn:<p>:sts::<acct>:assumed-role/<role name>/<session>, taking the role to
// have no path (the session ARN does not carry it); ok is false for any
// other ARN.
func roleOfSession(s string) (role string, ok bool) {
	a, err := arn.Parse(s)
	if err != nil || a.Service != "sts" || !strings.HasPrefix(a.Resource, "assumed-role/") {
		return "", false
	}
	name := strings.Split(strings.TrimPrefix(a.Resource, "assumed-role/"), "/")[0]
	return arn.ARN{Partition: a.Partition, Service: "iam", AccountID: a.AccountID, Resource: "role/" + name}.String(), true
}

// sessionOf matches a role named in a policy with a session of that role:
// IAM user guide, "AWS JSON policy elements: Principal"
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html),
// "IAM role principals": a role ARN in a resource policy also matches the
// role's sessions, arn:<p>:sts::<acct>:assumed-role/<role name>/<session>
// (the session ARN has the role's name without its path).
func sessionOf(roleArn, caller string) bool {
	r, rerr := arn.Parse(roleArn)
	c, cerr := arn.Parse(caller)
	if rerr != nil || cerr != nil || r.Service != "iam" || c.Service != "sts" || r.Partition != c.Partition || r.AccountID != c.AccountID {
		return false
	}
	if !strings.HasPrefix(r.Resource, "role/") || !strings.HasPrefix(c.Resource, "assumed-role/") {
		return false
	}
	path := strings.Split(strings.TrimPrefix(r.Resource, "role/"), "/")
	session := strings.Split(strings.TrimPrefix(c.Resource, "assumed-role/"), "/")
	return len(session) == 2 && session[1] != "" && path[len(path)-1] == session[0]
}

func anyMatch(patterns []string, value string, caseInsensitive bool) bool {
	for _, p := range patterns {
		if wildcard(p, value, caseInsensitive) {
			return true
		}
	}
	return false
}

// wildcard matches value against pattern with * (any run, empty included)
// and ? (one character); every other character matches itself. It walks
// both strings once, going back only to the last *, instead of compiling a
// regular expression per call (the evaluator's hot path).
func wildcard(pattern, value string, caseInsensitive bool) bool {
	if caseInsensitive {
		pattern, value = strings.ToLower(pattern), strings.ToLower(value)
	}
	p, v := []rune(pattern), []rune(value)
	pi, vi := 0, 0
	star, resume := -1, 0
	for vi < len(v) {
		switch {
		case pi < len(p) && p[pi] == '*':
			star, resume = pi, vi
			pi++
		case pi < len(p) && (p[pi] == '?' || p[pi] == v[vi]):
			pi++
			vi++
		case star >= 0:
			// Let the last * take one more character and try again.
			resume++
			pi, vi = star+1, resume
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// withPrincipalArn adds aws:PrincipalArn to a request by an IAM principal,
// as AWS does for every request signed by one: the user's or role's ARN, and
// for a role session the role's ARN (IAM User Guide, "AWS global condition
// context keys", aws:PrincipalArn,
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn).
// A session ARN does not carry the role's path, so the role is taken to
// have none. A value the request already gives is kept; services and
// anonymous callers get none.
func withPrincipalArn(principalArn string, context map[string][]string) map[string][]string {
	if principalArn == "" {
		return context
	}
	if _, ok := context["aws:PrincipalArn"]; ok {
		return context
	}
	out := make(map[string][]string, len(context)+1)
	for k, v := range context {
		out[k] = v
	}
	principal := principalArn
	if role, ok := roleOfSession(principalArn); ok {
		principal = role
	}
	out["aws:PrincipalArn"] = []string{principal}
	return out
}
