package policy

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/rules"
)

// Statement ids of the guardrail service control policy.
const (
	SidGuardKey        = "DenyTrailKeyChanges"
	SidGuardLogBuckets = "DenyLogBucketChanges"
	SidGuardTrail      = "DenyTrailChanges"
	// SidGuardExemptPrincipals guards the exempt principals and the
	// pipeline roles.
	SidGuardExemptPrincipals  = "DenyExemptPrincipalChanges"
	SidGuardLeaveOrganization = "DenyLeaveOrganization"
)

// GuardTagKey is the tag that marks every copy of the trail's key for the
// guardrails; its value is the trail name. A multi-region key's id is known
// only after apply, so the service control policy cannot name the key
// copies by ARN offline: it denies on every key of the log-archive account
// that carries this tag (aws:ResourceTag, which AWS KMS supports on every
// operation on a KMS key: KMS Developer Guide, "Use tags to control access
// to KMS keys", https://docs.aws.amazon.com/kms/latest/developerguide/tag-authorization.html),
// and denies removing or changing the tag.
//
// It stays a constant, named after this project, unlike the labels of
// constructs.Naming: it is not a label but the contract between two
// things that must agree exactly, the service control policies built here
// (Guardrails, MonitoringGuardrails), which match aws:ResourceTag/GuardTagKey,
// and the tags a caller puts on the keys (MultiRegionKeyProps.Tags,
// TrailProps.MonitoringKeyTags, ReplicationAlarmsProps.KeyTags). One
// constant that both sides name cannot drift. A neutral key such as
// "guardrail" could be one another tool of the organization also sets, and
// these denies would then bind (or, through the exemptions, spare) keys
// that are not the trail's; this one says whose guardrails they are. And
// it is deployed state: a different key would leave every key tagged
// before it outside the policies' denies. The library never sets it by
// itself: a key carries it only when its caller passes it.
const GuardTagKey = "cloudtrail-mrk-guardrail"

// MaxSCPBytes is the largest service control policy AWS Organizations
// accepts. Organizations User Guide, "Quotas and service limits for AWS
// Organizations"
// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html):
// 5,120 characters, stated in one version of the page as 5,120 bytes; white
// space counts when the policy is saved through the API, as Terraform does.
// The policy is rendered without white space and measured in bytes, which
// satisfies either reading.
const MaxSCPBytes = 5120

// GuardedKeyActions are denied on the key copies: each deletes, disables or
// weakens the key, lets someone else use it (a grant, a replica with a policy
// of its choosing), or moves the tag the guardrail depends on.
var GuardedKeyActions = Values{
	"kms:CreateGrant", "kms:DisableKey", "kms:DisableKeyRotation", "kms:PutKeyPolicy",
	"kms:ReplicateKey", "kms:ScheduleKeyDeletion", "kms:TagResource", "kms:UntagResource",
	"kms:UpdatePrimaryRegion",
}

// GuardedBucketActions are denied on the log buckets and their objects: the
// bucket policy, lifecycle, Object Lock, versioning, replication, encryption,
// public access block, ownership (ACLs), Requester Pays (which stops every
// delivery: docs/aws-rules.md#requester-pays) and access logging configuration,
// and the deletion of objects, versions and buckets or of their retention and
// legal holds, and writing objects (a forged log file over a real one;
// CloudTrail and S3 server access logging write as service principals, which
// service control policies do not govern: AWS Organizations User Guide,
// "Service control policies (SCPs)", and S3 replication writes with
// s3:ReplicateObject). A Delete* API of the bucket configurations is authorized by
// the matching Put* action (S3 API Reference, for example
// DeleteBucketLifecycle: "s3:PutLifecycleConfiguration").
var GuardedBucketActions = Values{
	"s3:BypassGovernanceRetention", "s3:DeleteBucket", "s3:DeleteBucketPolicy", "s3:DeleteObject",
	"s3:DeleteObjectVersion", "s3:PutBucketLogging", "s3:PutBucketObjectLockConfiguration",
	"s3:PutBucketOwnershipControls", "s3:PutBucketPolicy", "s3:PutBucketPublicAccessBlock",
	"s3:PutBucketRequestPayment", "s3:PutBucketVersioning", "s3:PutEncryptionConfiguration", "s3:PutLifecycleConfiguration",
	"s3:PutObject", "s3:PutObjectLegalHold", "s3:PutObjectRetention", "s3:PutReplicationConfiguration",
}

// GuardedTrailActions are denied on the trail: what stops it or narrows what
// it logs. They matter once a member account may manage the organization
// trail (a delegated administrator); the management account, where the
// trail lives, is not bound by service control policies.
var GuardedTrailActions = Values{
	"cloudtrail:DeleteTrail", "cloudtrail:PutEventSelectors", "cloudtrail:PutInsightSelectors",
	"cloudtrail:StopLogging", "cloudtrail:UpdateTrail",
}

// GuardedRoleActions are denied on the exempt roles: their trust policy (who
// may assume them), their inline and attached policies and boundary, and
// their deletion and creation (a role of an exempt name, deleted and created
// again or created before its owner does, would be exempt with a trust of
// its creator's choosing).
var GuardedRoleActions = Values{
	"iam:AttachRolePolicy", "iam:CreateRole", "iam:DeleteRole", "iam:DeleteRolePermissionsBoundary",
	"iam:DeleteRolePolicy", "iam:DetachRolePolicy", "iam:PutRolePermissionsBoundary",
	"iam:PutRolePolicy", "iam:UpdateAssumeRolePolicy", "iam:UpdateRole",
}

// GuardedUserActions are denied on exempt IAM users: new credentials would
// hand the exemption to whoever makes them.
var GuardedUserActions = Values{
	"iam:AttachUserPolicy", "iam:CreateAccessKey", "iam:CreateLoginProfile", "iam:CreateUser", "iam:DeleteUser",
	"iam:DeleteUserPermissionsBoundary", "iam:DeleteUserPolicy", "iam:DetachUserPolicy",
	"iam:PutUserPermissionsBoundary", "iam:PutUserPolicy", "iam:UpdateLoginProfile",
}

// Guardrails describes what the guardrail service control policy protects
// and whom it exempts.
type Guardrails struct {
	// Trail is the trail to protect (and whose name tags the key copies).
	Trail Trail
	// KeyAccount owns the key copies and the log buckets. Required.
	KeyAccount string
	// LogBuckets are the names of the buckets to protect. Required.
	LogBuckets []string
	// Deployers are the roles that apply the stacks (exempt). At least one.
	Deployers []string
	// BreakGlass are IAM principal ARNs exempt too. Default: none.
	BreakGlass []string
	// PipelineRoles are role ARNs (a trailing * for a name prefix) of the
	// roles the pipeline runs on in an account the policy binds: the
	// replication role, and the CloudWatch Logs delivery role where a
	// delegated administrator holds it (never the management account's,
	// which no SCP binds). Their trust, policies, boundary, deletion and
	// re-creation are denied like the exempt roles'. Default: none.
	PipelineRoles []string
}

// Exempt is every principal the guardrails exempt, sorted.
func (g Guardrails) Exempt() []string {
	return sortedUnique(append(append([]string{}, g.Deployers...), g.BreakGlass...))
}

// Validate checks every part, reporting each problem under field.
func (g Guardrails) Validate(field string) error {
	var l rules.List
	l.Add(field, g.Trail.Validate(field+".Trail"))
	l.Add(field+".KeyAccount", rules.AccountID(g.KeyAccount))
	if len(g.LogBuckets) == 0 {
		l.Addf(field+".LogBuckets", g.LogBuckets, "must name at least one bucket")
	}
	for i, b := range g.LogBuckets {
		l.Add(fmt.Sprintf("%s.LogBuckets[%d]", field, i), rules.BucketName(b))
	}
	if len(g.Deployers) == 0 {
		l.Addf(field+".Deployers", g.Deployers, "must name at least one role: the guardrails would otherwise deny the deployment itself")
	}
	for i, d := range g.Deployers {
		if _, err := rules.RoleARN(d, g.Trail.Partition); err != nil {
			l.Add(fmt.Sprintf("%s.Deployers[%d]", field, i), err)
		}
	}
	for i, b := range g.BreakGlass {
		if _, err := rules.PrincipalARN(b, g.Trail.Partition); err != nil {
			l.Add(fmt.Sprintf("%s.BreakGlass[%d]", field, i), err)
		}
	}
	for i, r := range g.PipelineRoles {
		if _, err := rules.RoleARN(strings.TrimSuffix(r, "*"), g.Trail.Partition); err != nil {
			l.Add(fmt.Sprintf("%s.PipelineRoles[%d]", field, i), err)
		}
	}
	return l.Err()
}

// GuardrailPolicy returns the service control policy. Every statement but
// the last exempts g.Exempt() by aws:PrincipalArn, which for a role session
// is the role's ARN (IAM User Guide, "AWS global condition context keys",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn).
// Leaving the organization is denied to everyone: neither the deployment
// nor a break-glass procedure needs it, and an account that leaves escapes
// the organization trail.
//
// Service control policies do not restrict service principals nor
// service-linked roles, and do not apply to the management account
// (Organizations User Guide, "Service control policies (SCPs)",
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html):
// CloudTrail's delivery is not affected. Roles that services assume (the
// replication role) are bound, and no denied action is one they use.
func GuardrailPolicy(g Guardrails) (Document, error) {
	if err := g.Validate("Guardrails"); err != nil {
		return Document{}, err
	}
	p := g.Trail.Partition
	exempt := Conditions{}.Add("ArnNotLike", principalArnKey, g.Exempt()...)
	keyCond := Conditions{}.Add("ArnNotLike", principalArnKey, g.Exempt()...).
		Add("StringEquals", "aws:ResourceTag/"+GuardTagKey, g.Trail.Name)
	var buckets Values
	for _, b := range sortedUnique(g.LogBuckets) {
		buckets = append(buckets, fmt.Sprintf("arn:%s:s3:::%s", p, b), fmt.Sprintf("arn:%s:s3:::%s/*", p, b))
	}
	var roles, users Values
	for _, a := range g.Exempt() {
		switch {
		case strings.Contains(a, ":role/"):
			roles = append(roles, a)
		case strings.Contains(a, ":user/"):
			users = append(users, a)
		}
	}
	// iam:PassRole too: an exempt or pipeline role passed to a service by
	// someone else acts with its permissions (the replication role, passed
	// to a replication rule of an administrator's own bucket, writes into
	// the recovery bucket: docs/aws-rules.md#pass-role). It is a permission,
	// not an API call, so it is not in GuardedRoleActions, which the
	// pipeline-role alarm matches as events.
	principalActions := append(append(Values{}, GuardedRoleActions...), "iam:PassRole")
	if len(users) > 0 {
		principalActions = append(principalActions, GuardedUserActions...)
	}
	doc := Document{Version: Version, Statement: []Statement{
		{
			Sid: SidGuardKey, Effect: Deny, Action: GuardedKeyActions,
			Resource:  Values{fmt.Sprintf("arn:%s:kms:*:%s:key/*", p, g.KeyAccount)},
			Condition: keyCond,
		},
		{Sid: SidGuardLogBuckets, Effect: Deny, Action: GuardedBucketActions, Resource: buckets, Condition: exempt},
		{Sid: SidGuardTrail, Effect: Deny, Action: GuardedTrailActions, Resource: Values{g.Trail.ARN()}, Condition: exempt},
	}}
	// The pipeline roles share the exempt roles' statement: the same
	// actions on more resources costs a few bytes of the 5,120
	// (docs/aws-rules.md#scp-size), a statement of its own about 400.
	// docs/aws-rules.md#recreated-roles: a role deleted and created again is
	// a different principal, which the key policies that named it no longer
	// allow, so DeleteRole and CreateRole are denied with the rest.
	roles = append(roles, sortedUnique(g.PipelineRoles)...)
	if len(roles)+len(users) > 0 {
		doc.Statement = append(doc.Statement, Statement{
			Sid: SidGuardExemptPrincipals, Effect: Deny, Action: principalActions,
			Resource: append(roles, users...), Condition: exempt,
		})
	}
	doc.Statement = append(doc.Statement, Statement{
		Sid: SidGuardLeaveOrganization, Effect: Deny, Action: Values{"organizations:LeaveOrganization"}, Resource: Values{"*"},
	})
	return doc, nil
}

// CompactJSON renders the document without white space, for documents
// whose size counts (a service control policy). Like JSON, it fails when
// two statements share a Sid.
func (d Document) CompactJSON() (string, error) {
	if _, err := d.JSON(); err != nil {
		return "", err
	}
	b, err := json.Marshal(d)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// GuardrailPolicyJSON renders the policy compactly and refuses one over
// MaxSCPBytes.
func GuardrailPolicyJSON(g Guardrails) (string, error) {
	return scpJSON(GuardrailPolicy(g))
}

// scpJSON renders a service control policy compactly and refuses one over
// MaxSCPBytes.
func scpJSON(doc Document, err error) (string, error) {
	if err != nil {
		return "", err
	}
	s, err := doc.CompactJSON()
	if err != nil {
		return "", err
	}
	if len(s) > MaxSCPBytes {
		return "", &SCPTooLargeError{Bytes: len(s)}
	}
	return s, nil
}

// SCPTooLargeError is a guardrail policy over AWS Organizations' limit.
type SCPTooLargeError struct{ Bytes int }

func (e *SCPTooLargeError) Error() string {
	return fmt.Sprintf("the service control policy would be %d bytes, over the %d that AWS Organizations accepts", e.Bytes, MaxSCPBytes)
}
