package policyeval

import (
	"fmt"
	"strings"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/policy"
)

// ServiceControlPolicies are the AWS Organizations service control policies
// that govern the caller's account, level by level.
//
// IAM User Guide, "Policy evaluation logic"
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html):
// for a principal of an account in an organization, an action must be
// allowed by the SCPs (an implicit deny otherwise) and any explicit deny in
// them wins over every allow. Organizations User Guide, "SCP evaluation"
// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html):
// the allow must be present at every level from the root, through each OU,
// to the account; AWS attaches FullAWSAccess to each of them by default.
// Organizations User Guide, "Service control policies (SCPs)"
// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html):
// SCPs do not affect the management account's principals, service
// principals or service-linked roles; they do affect every other IAM user
// and role of a member account, and its root user (which Evaluate does not
// model).
type ServiceControlPolicies struct {
	// ManagementAccount is the organization's management account, whose
	// principals SCPs do not govern. Required.
	ManagementAccount string
	// Levels are the policies attached at each level from the root to the
	// caller's account.
	Levels [][]policy.Document
}

// FullAWSAccess is the SCP that AWS Organizations attaches by default to
// the root, every OU and every account.
var FullAWSAccess = policy.Document{Version: policy.Version, Statement: []policy.Statement{{
	Sid: "FullAWSAccess", Effect: policy.Allow, Action: policy.Values{"*"}, Resource: policy.Values{"*"},
}}}

// governs reports whether the SCPs apply to the caller of req.
func (s *ServiceControlPolicies) governs(req Request) bool {
	p := req.Principal
	if p.ARN == "" {
		// A service principal, or an anonymous caller: no account of ours.
		return false
	}
	if p.Account() == s.ManagementAccount {
		return false
	}
	for _, arn := range append([]string{p.ARN}, lookup(req.Context, "aws:PrincipalArn")...) {
		// Service-linked roles live under the path /aws-service-role/ (IAM
		// User Guide, "Using service-linked roles").
		if strings.Contains(arn, ":role/aws-service-role/") {
			return false
		}
	}
	return true
}

// decide returns the SCPs' own decision: Allow when they do not govern the
// caller or allow the request at every level.
func (s *ServiceControlPolicies) decide(req Request) (Decision, error) {
	if s == nil || !s.governs(req) {
		return Allow, nil
	}
	req.Context = scpContext(req)
	if s.ManagementAccount == "" || len(s.Levels) == 0 {
		return "", fmt.Errorf("service control policies need a management account and at least one level")
	}
	allowedEverywhere := true
	for i, level := range s.Levels {
		allowed := false
		for _, d := range level {
			for _, st := range d.Statement {
				ok, err := matches(st, req)
				if err != nil {
					return "", fmt.Errorf("service control policy, level %d, statement %q: %w", i, st.Sid, err)
				}
				if !ok {
					continue
				}
				if st.Effect == policy.Deny {
					return ExplicitDeny, nil
				}
				allowed = true
			}
		}
		allowedEverywhere = allowedEverywhere && allowed
	}
	if !allowedEverywhere {
		return ImplicitDeny, nil
	}
	return Allow, nil
}

// withSCPs combines the SCPs' decision with the rest of the evaluation: an
// explicit deny anywhere is an explicit deny; otherwise both must allow.
func withSCPs(scp, rest Decision) Decision {
	switch {
	case scp == ExplicitDeny || rest == ExplicitDeny:
		return ExplicitDeny
	case scp == Allow:
		return rest
	default:
		return scp
	}
}

// scpContext is req's context with aws:PrincipalArn, which AWS adds to every
// request signed by an IAM principal: the user's or role's ARN, for a role
// session the role's (IAM User Guide, "AWS global condition context keys",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn).
// A session ARN does not carry the role's path, so the role is taken to have
// none. A value the request already gives is kept.
func scpContext(req Request) map[string][]string {
	if len(lookup(req.Context, "aws:PrincipalArn")) > 0 || req.Principal.ARN == "" {
		return req.Context
	}
	out := make(map[string][]string, len(req.Context)+1)
	for k, v := range req.Context {
		out[k] = v
	}
	principal := req.Principal.ARN
	if role, ok := roleOfSession(principal); ok {
		principal = role
	}
	out["aws:PrincipalArn"] = []string{principal}
	return out
}
