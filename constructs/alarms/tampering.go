package alarms

import (
	"fmt"
	"strings"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/rules"
)

// Event names watched by the tampering alarms (CloudTrail user guide,
// "AWS CloudTrail API reference" actions; AWS KMS developer guide, "Logging
// AWS KMS API calls with AWS CloudTrail"; Amazon S3 user guide, "Amazon S3
// CloudTrail events").
var (
	TrailEvents = []string{"StopLogging", "DeleteTrail", "UpdateTrail", "PutEventSelectors", "PutInsightSelectors"}
	KeyEvents   = []string{"DisableKey", "ScheduleKeyDeletion", "PutKeyPolicy", "CreateGrant", "UpdatePrimaryRegion", "ReplicateKey", "DisableKeyRotation", "DeleteAlias", "UpdateAlias"}
	// BucketEvents change a log bucket's protections: policy, lifecycle,
	// Object Lock, versioning, replication, encryption, public access block,
	// access logging, ownership or ACLs, Requester Pays (which stops every
	// delivery: docs/aws-rules.md#requester-pays), or delete the bucket.
	BucketEvents = []string{
		"PutBucketPolicy", "DeleteBucketPolicy", "PutBucketLifecycle", "DeleteBucketLifecycle",
		"PutObjectLockConfiguration", "PutBucketVersioning", "PutBucketReplication", "DeleteBucketReplication",
		"PutBucketEncryption", "DeleteBucketEncryption", "PutBucketPublicAccessBlock", "DeleteBucketPublicAccessBlock",
		"PutBucketLogging", "DeleteBucket",
		"PutBucketOwnershipControls", "DeleteBucketOwnershipControls", "PutBucketAcl",
		"PutBucketRequestPayment",
	}
	// ObjectEvents delete log objects or change their retention or legal
	// hold: data events, which the trail always logs for its log buckets.
	ObjectEvents = []string{"DeleteObject", "DeleteObjects", "PutObjectRetention", "PutObjectLegalHold"}
	// RoleEvents change a pipeline role's trust, permissions boundary,
	// inline or attached policies or settings, delete it or create a role
	// of its name: the IAM actions of policy.GuardedRoleActions, which the
	// guardrail SCP denies on those roles (docs/aws-rules.md#recreated-roles:
	// a role created again is another principal), as IAM records them
	// (docs/aws-rules.md#iam-role-events).
	RoleEvents = []string{
		"UpdateAssumeRolePolicy", "PutRolePermissionsBoundary", "DeleteRolePermissionsBoundary",
		"PutRolePolicy", "DeleteRolePolicy", "AttachRolePolicy", "DetachRolePolicy",
		"UpdateRole", "DeleteRole", "CreateRole",
	}
	// TagEvents add, change or remove a KMS key's tags
	// (docs/aws-rules.md#kms-tag-events): the guardrail tag alarm counts
	// those that name the guardrail tag key.
	TagEvents = []string{"TagResource", "UntagResource"}
)

// Events that change CloudTrail's standing in AWS Organizations. Disabling
// CloudTrail's trusted access stops every organization trail for the member
// accounts while the management account's events go on arriving, so neither
// the heartbeat nor any other alarm would notice
// (docs/aws-rules.md#trusted-access); a delegated administrator registered
// by someone else may update or stop the organization trail. Organizations'
// events carry the service in requestParameters.servicePrincipal (the
// ServicePrincipal parameter of DisableAWSServiceAccess,
// RegisterDelegatedAdministrator and DeregisterDelegatedAdministrator,
// Organizations API Reference); CloudTrail's own registration calls concern
// CloudTrail alone and are matched by name.
var (
	OrganizationTrustEvents = []string{"DisableAWSServiceAccess", "RegisterDelegatedAdministrator", "DeregisterDelegatedAdministrator"}
	CloudTrailAdminEvents   = []string{"RegisterOrganizationDelegatedAdmin", "DeregisterOrganizationDelegatedAdmin"}
)

// KeyIDPlaceholder stands for the multi-region key's id while patterns are
// built and measured: it has the length of every multi-region key id
// ("mrk-" and 32 hexadecimal digits, AWS KMS developer guide, "Multi-Region
// key identifiers"), so a pattern measured with it has the length it will
// have once the real id is put in its place.
const KeyIDPlaceholder = "mrk-kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"

// Tampering names this deployment's resources, the only ones its tampering
// alarms are about.
type Tampering struct {
	// Partition of the trail, key and buckets.
	Partition string
	// TrailName and TrailARN identify the trail.
	TrailName, TrailARN string
	// KeyAccount owns the multi-region key. Empty: no key alarm.
	KeyAccount string
	// KeyID is the multi-region key's id, the same in every region (AWS KMS
	// developer guide, "Multi-Region key identifiers"), or KeyIDPlaceholder.
	KeyID string
	// KeyRegions are the regions of the key's copies (the primary's and the
	// replicas'). Each copy's ARN is matched exactly: the CloudWatch Logs
	// documentation shows wildcards only at the end of a value ("Using
	// filter patterns to match terms in JSON log events",
	// https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/matching-terms-json-log-events.html),
	// so a wildcard in place of the region is not relied on.
	KeyRegions []string
	// KeyAlias is the key's alias name ("alias/...") in every region.
	KeyAlias string
	// Buckets are the log buckets: the trail bucket, its access-log bucket,
	// the recovery bucket and its access-log bucket. None: no bucket alarms.
	Buckets []string
	// Organization: the trail is an organization trail, which works for the
	// member accounts only while CloudTrail has trusted access to AWS
	// Organizations (OrganizationTrustEvents). False: no trust alarm.
	Organization bool
	// PipelineRoles are the roles delivery runs on, as role ARNs (a trailing
	// * for a name prefix, as the delivery role's name is generated): the
	// replication role and the CloudWatch Logs delivery role, those in an
	// account the trail logs. None: no role alarm.
	PipelineRoles []string
	// GuardTagKey is the tag key the guardrail service control policies
	// find guarded keys by (policy.GuardTagKey). Empty: no guardrail tag
	// alarm.
	GuardTagKey string
}

// TamperingAlarms returns the alarms on changes to the trail, the key, the
// buckets, the pipeline roles and the guardrail tag that t names, less those in disabled. Each alarm matches its
// events only when the record names one of our resources (or, for the tag, the guardrail tag key), in the record
// field that carries it:
//
//   - trails: requestParameters.name (StopLogging, DeleteTrail, UpdateTrail)
//     or requestParameters.trailName (PutEventSelectors,
//     PutInsightSelectors), which hold the trail's name or ARN as the caller
//     wrote it (CloudTrail API reference, each action's request parameters);
//   - the key: resources[].ARN, which CloudTrail fills with the key's ARN
//     whatever the caller wrote in requestParameters.keyId (a key id, a key
//     ARN, an alias name or an alias ARN: AWS KMS API reference, "KeyId");
//     the first two entries are matched, as alias events list the alias and
//     its key. An alias event also matches on requestParameters.aliasName in
//     the key's account (recipientAccountId);
//   - buckets: requestParameters.bucketName, in bucket-level management
//     events and object-level data events alike;
//   - pipeline roles: requestParameters.roleName, which holds the role's
//     name, in the role's account (recipientAccountId,
//     docs/aws-rules.md#iam-role-events): an organization trail's log group
//     receives every member account's events
//     (docs/aws-rules.md#organization-log-group), where a role of the same
//     name may exist. The delivery role's generated name is matched by its
//     prefix, a wildcard at the end of the value
//     (docs/aws-rules.md#filter-pattern-wildcards);
//   - the guardrail tag: any key's TagResource whose requestParameters.tags
//     has an element with tagKey GuardTagKey, or UntagResource whose
//     requestParameters.tagKeys has GuardTagKey (AWS KMS developer guide,
//     "TagResource" and "UntagResource" CloudTrail examples), in any account
//     the trail logs and on any key: the key a compromised deploying role
//     tags is by design not ours (docs/aws-rules.md#kms-tag-events). Every
//     element is matched with the wildcard selector [*], and the first with
//     the documented index [0] as well
//     (docs/aws-rules.md#filter-pattern-wildcard-selector).
//
// A pattern longer than rules.FilterPatternMaxLength is split into several,
// each feeding the same metric.
func TamperingAlarms(t Tampering, disabled []string) ([]Alarm, error) {
	off := set(disabled)
	var out []Alarm
	add := func(name, description, source string, events, targets []string) error {
		if off[name] || len(targets) == 0 {
			return nil
		}
		patterns, err := split(source, events, targets, nil)
		if err != nil {
			return fmt.Errorf("alarm %s: %w", name, err)
		}
		out = append(out, Alarm{Name: name, Description: description, Patterns: patterns})
		return nil
	}
	trailTargets := []string{
		eq("$.requestParameters.name", t.TrailName), eq("$.requestParameters.name", t.TrailARN),
		eq("$.requestParameters.trailName", t.TrailName), eq("$.requestParameters.trailName", t.TrailARN),
	}
	if err := add(TrailChanges, fmt.Sprintf("Trail %s was stopped, deleted or changed (%s).", t.TrailName, strings.Join(TrailEvents, ", ")),
		"cloudtrail.amazonaws.com", TrailEvents, trailTargets); err != nil {
		return nil, err
	}
	var keyTargets []string
	if t.KeyAccount != "" {
		// Every copy of a multi-region key has the same id; the region differs.
		if len(t.KeyRegions) == 0 {
			return nil, fmt.Errorf("Tampering.KeyRegions: the key's regions are needed to match its ARNs")
		}
		for _, region := range t.KeyRegions {
			keyARN := fmt.Sprintf("arn:%s:kms:%s:%s:key/%s", t.Partition, region, t.KeyAccount, t.KeyID)
			keyTargets = append(keyTargets, eq("$.resources[0].ARN", keyARN), eq("$.resources[1].ARN", keyARN))
		}
		if t.KeyAlias != "" {
			keyTargets = append(keyTargets, fmt.Sprintf("(%s && %s)", eq("$.requestParameters.aliasName", t.KeyAlias), eq("$.recipientAccountId", t.KeyAccount)))
		}
	}
	if err := add(KeyChanges, fmt.Sprintf("The trail's multi-region key %s (or one of its replicas or aliases) was disabled, scheduled for deletion, granted, replicated or had its policy changed.", t.KeyAlias),
		"kms.amazonaws.com", KeyEvents, keyTargets); err != nil {
		return nil, err
	}
	var bucketTargets []string
	for _, b := range t.Buckets {
		bucketTargets = append(bucketTargets, eq("$.requestParameters.bucketName", b))
	}
	if err := add(LogBucketChanges, fmt.Sprintf("A protection of a log bucket (%s) was changed or the bucket deleted.", strings.Join(t.Buckets, ", ")),
		"s3.amazonaws.com", BucketEvents, bucketTargets); err != nil {
		return nil, err
	}
	if err := add(LogObjectDeletions, fmt.Sprintf("Log objects in %s were deleted or their retention or legal hold changed.", strings.Join(t.Buckets, ", ")),
		"s3.amazonaws.com", ObjectEvents, bucketTargets); err != nil {
		return nil, err
	}
	var roleTargets, roleNames []string
	for _, r := range t.PipelineRoles {
		account, name, err := roleARN(r)
		if err != nil {
			return nil, fmt.Errorf("Tampering.PipelineRoles: %w", err)
		}
		roleTargets = append(roleTargets, fmt.Sprintf("(%s && %s)", eq("$.requestParameters.roleName", name), eq("$.recipientAccountId", account)))
		roleNames = append(roleNames, name+" in "+account)
	}
	if t.Organization && !off[OrganizationTrustChanges] {
		names := func(events []string) []string {
			out := make([]string, len(events))
			for i, e := range events {
				out[i] = eq("$.eventName", e)
			}
			return out
		}
		out = append(out, Alarm{
			Name: OrganizationTrustChanges,
			Description: "CloudTrail's trusted access to AWS Organizations was disabled, or a CloudTrail delegated administrator registered or removed: " +
				"without trusted access the organization trail stops logging the member accounts.",
			Patterns: []string{fmt.Sprintf("{ ((%s) && (%s) && (%s)) || ((%s) && (%s)) }",
				eq("$.eventSource", "organizations.amazonaws.com"), or(names(OrganizationTrustEvents)), eq("$.requestParameters.servicePrincipal", "cloudtrail.amazonaws.com"),
				eq("$.eventSource", "cloudtrail.amazonaws.com"), or(names(CloudTrailAdminEvents)))},
		})
	}
	if err := add(PipelineRoleChanges, fmt.Sprintf("A pipeline role (%s) had its trust, permissions boundary, policies or settings changed, or was deleted or created.", strings.Join(roleNames, ", ")),
		"iam.amazonaws.com", RoleEvents, roleTargets); err != nil {
		return nil, err
	}
	var tagTargets []string
	if k := t.GuardTagKey; k != "" {
		// TagResource carries tags as {tagKey, tagValue} objects,
		// UntagResource the bare keys; two wildcard selectors, within the
		// three a pattern may have.
		tagTargets = []string{
			eq("$.requestParameters.tags[*].tagKey", k), eq("$.requestParameters.tags[0].tagKey", k),
			eq("$.requestParameters.tagKeys[*]", k), eq("$.requestParameters.tagKeys[0]", k),
		}
	}
	if err := add(GuardrailTagChanges, fmt.Sprintf("The guardrail tag %s was put on or removed from a KMS key (TagResource, UntagResource) in an account the trail logs. "+
		"The stacks give it at key creation, not with TagResource: unless the guardrails were just turned on or the trail renamed, a key that now carries it is locked for its owners "+
		"(the guardrail policies deny grants, key policy changes, disabling and untagging) until the tag is removed by a break-glass principal, "+
		"or with the guardrail policy detached from that account (docs/bootstrap.md, Not closed).", t.GuardTagKey),
		"kms.amazonaws.com", TagEvents, tagTargets); err != nil {
		return nil, err
	}
	return out, nil
}

// roleARN returns the account and the name (the last part of the path, as
// IAM actions take it) of arn:<partition>:iam::<account>:role/<path><name>,
// the name ending in * for a prefix.
func roleARN(r string) (account, name string, err error) {
	parts := strings.SplitN(r, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "iam" || len(parts[4]) != 12 || !strings.HasPrefix(parts[5], "role/") {
		return "", "", fmt.Errorf("%q is not a role ARN (arn:<partition>:iam::<account>:role/<name>)", r)
	}
	name = parts[5][strings.LastIndex(parts[5], "/")+1:]
	if name == "" || strings.Contains(strings.TrimSuffix(name, "*"), "*") {
		return "", "", fmt.Errorf("%q names no role (a * only at the end of the name)", r)
	}
	return parts[4], name, nil
}

func eq(selector, value string) string {
	return fmt.Sprintf(`%s = "%s"`, selector, strings.ReplaceAll(value, `"`, `\"`))
}

func or(terms []string) string {
	parts := make([]string, len(terms))
	for i, t := range terms {
		parts[i] = "(" + t + ")"
	}
	return strings.Join(parts, " || ")
}

// pattern is { ($.eventSource = source) && (events...) && (targets...) },
// followed by && (term) for each term of extra (the account and region a
// monitoring alarm is about, who made the change).
func pattern(source string, events, targets, extra []string) string {
	names := make([]string, len(events))
	for i, e := range events {
		names[i] = eq("$.eventName", e)
	}
	var more strings.Builder
	for _, x := range extra {
		more.WriteString(" && (" + x + ")")
	}
	return fmt.Sprintf("{ (%s) && (%s) && (%s)%s }", eq("$.eventSource", source), or(names), or(targets), more.String())
}

// split returns patterns that together match what pattern(source, events,
// targets, extra) matches, each within rules.FilterPatternMaxLength: targets
// are halved first, then events; every part keeps all of extra.
func split(source string, events, targets, extra []string) ([]string, error) {
	p := pattern(source, events, targets, extra)
	if len(p) <= rules.FilterPatternMaxLength {
		return []string{p}, nil
	}
	halve := func(v []string) ([]string, []string) { return v[:len(v)/2], v[len(v)/2:] }
	var parts [][2][]string
	switch {
	case len(targets) > 1:
		a, b := halve(targets)
		parts = [][2][]string{{events, a}, {events, b}}
	case len(events) > 1:
		a, b := halve(events)
		parts = [][2][]string{{a, targets}, {b, targets}}
	default:
		return nil, fmt.Errorf("one event and one resource make a %d-character pattern, more than the %d CloudWatch Logs accepts", len(p), rules.FilterPatternMaxLength)
	}
	var out []string
	for _, part := range parts {
		ps, err := split(source, part[0], part[1], extra)
		if err != nil {
			return nil, err
		}
		out = append(out, ps...)
	}
	return out, nil
}
