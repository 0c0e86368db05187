// Package policyeval decides, offline and in plain Go (no jsii, no AWS call),
// what AWS would decide for one request: whether identity, resource, KMS key
// and role trust policies, under the service control policies of an
// organization, allow it; and whether a trail's event selectors log an
// event. It knows nothing of any configuration or stack: give it policy
// documents (constructs/policy) and a request, from any app.
//
// What it models, each rule with its source in docs/aws-rules.md:
//
//   - The order of decisions: an explicit deny in any policy wins, then an
//     allow, else an implicit deny (docs/aws-rules.md#explicit-deny-wins).
//   - Callers: an IAM role, role session or user by ARN, a service principal,
//     or an anonymous caller. A role ARN in a resource policy also matches
//     the role's sessions (docs/aws-rules.md#role-sessions), and every
//     request by an IAM principal carries aws:PrincipalArn, the role's ARN
//     for a session (docs/aws-rules.md#principal-arn).
//   - Same account and cross account: in its own account an IAM principal
//     needs an allow from its identity policies or from a resource policy
//     that names it; across accounts, from both (a resource policy may name
//     its account). Role trust policies and KMS key policies must name the
//     principal, also in their own account; naming the account delegates to
//     its IAM policies
//     (docs/aws-rules.md#trust-and-key-policies-name-the-principal). A
//     service or an anonymous caller has no identity policies: the resource
//     policy must allow it.
//   - Service control policies: an allow at every level from the root to the
//     account, any deny wins (docs/aws-rules.md#scp-evaluation), and no
//     effect on the management account, service principals or
//     service-linked roles (docs/aws-rules.md#scp-scope,
//     docs/aws-rules.md#service-linked-roles). FullAWSAccess is the policy
//     AWS attaches by default (docs/aws-rules.md#fullawsaccess).
//   - Statements: Principal, Action and Resource with the * and ? wildcards
//     (actions case-insensitive, resources case-sensitive), and the
//     condition operators String*, Arn*, Bool, Null and Numeric*, with
//     IfExists and the ForAnyValue and ForAllValues set qualifiers.
//   - Event selectors of a trail, basic and advanced, as Logs reads them
//     from the trail's Terraform body (docs/aws-rules.md#selector-matching,
//     docs/aws-rules.md#advanced-field-selectors).
//
// What it refuses, with an error rather than a guessed decision: a request
// by the account root user, whose rights have exceptions of their own
// (docs/aws-rules.md#root-user); NotAction, NotResource and NotPrincipal;
// a condition operator it does not support (Date*, IpAddress, Binary*, ...);
// a policy variable such as ${aws:username}; a multi-valued context key
// without ForAnyValue or ForAllValues; an event selector field or operator
// it does not know. It does not model permissions boundaries, session
// policies, resource control policies, ACLs or VPC endpoint policies: a
// request they would deny may be allowed here.
package policyeval
