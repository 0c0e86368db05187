package policy

import (
	"fmt"
	"sort"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/rules"
)

// Statement ids of the log buckets' protection statements.
const (
	// SidDeployerManagesKey and SidDeployerReplicatesKey: the deploying
	// role's statements in a key policy (Protection.ManagesKeys).
	SidDeployerManagesKey    = "DeployingRoleManagesKey"
	SidDeployerReplicatesKey = "DeployingRoleReplicatesKey"
	SidDenyLogDeletion       = "DenyLogObjectDeletion"
	SidDenyProtectionChanges = "DenyProtectionChanges"
	SidDenyKeyDestruction    = "DenyKeyDestruction"
	principalArnKey          = "aws:PrincipalArn"
)

// LogDeletionActions are denied on every log object to every principal but
// the break-glass ones. Object Lock does not protect delete markers (S3 User
// Guide, "How S3 Object Lock works",
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock.html):
// a DeleteObject hides the current version, and noncurrent-version
// expiration then removes it long before the trail's retention ends.
// GOVERNANCE retention yields to s3:BypassGovernanceRetention (same page).
var LogDeletionActions = Values{"s3:BypassGovernanceRetention", "s3:DeleteObject", "s3:DeleteObjectVersion"}

// ProtectionChangeActions are denied on a log bucket to every principal but
// the deploying role and the break-glass ones: each could shorten the life
// of the logs (lifecycle, retention, versioning), lift these denies
// (policy), stop the recovery copy (s3:PutReplicationConfiguration also
// authorizes DeleteBucketReplication: S3 API Reference,
// "DeleteBucketReplication",
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucketReplication.html),
// stop the access logs that record who wrote what (s3:PutBucketLogging),
// change the default encryption, ownership, ACLs or public access block, or
// delete the bucket.
var ProtectionChangeActions = Values{
	"s3:DeleteBucket", "s3:DeleteBucketPolicy", "s3:PutBucketAcl", "s3:PutBucketLogging",
	"s3:PutBucketObjectLockConfiguration", "s3:PutBucketOwnershipControls", "s3:PutBucketPolicy",
	"s3:PutBucketPublicAccessBlock", "s3:PutBucketVersioning", "s3:PutEncryptionConfiguration",
	"s3:PutLifecycleConfiguration", "s3:PutReplicationConfiguration",
}

// KeyDestructionActions are denied on every copy of the multi-region key,
// when a deploying role is configured, to every principal but that role, the
// key administrators and the break-glass ones. The key policy's account-root
// statement hands the key to IAM (KMS Developer Guide, "Default key policy"),
// so without this an administrator of the log-archive account could make
// every log file unreadable: schedule the key's deletion (after the waiting
// period the copies, which share key material, are gone: "Deleting
// multi-Region keys",
// https://docs.aws.amazon.com/kms/latest/developerguide/multi-region-keys-delete.html),
// disable it, rewrite its policy, or grant or replicate it to read the logs.
var KeyDestructionActions = Values{
	"kms:CreateGrant", "kms:DisableKey", "kms:DisableKeyRotation", "kms:PutKeyPolicy",
	"kms:ReplicateKey", "kms:ScheduleKeyDeletion", "kms:UpdatePrimaryRegion",
}

// Protection names the only principals that may still delete log objects
// and change a log bucket's protections. The zero value denies deletion to
// everyone and leaves protection changes to IAM.
type Protection struct {
	// BreakGlass are IAM principal ARNs (roots, roles, users) exempt from
	// both denies: the emergency path. Default: none.
	BreakGlass []string
	// Deployer is the IAM role that applies the log-archive stack (the role
	// its Terraform providers assume). When set, only it and BreakGlass may
	// change lifecycle, Object Lock, versioning and the bucket policy.
	// Default: none; those changes are then not denied, because the
	// principal that deploys cannot be named offline.
	Deployer string
	// ManagesKeys, with Deployer, names Deployer in every key policy this
	// Protection guards: a statement allowing it DeployerKeyPolicyActions
	// on that key (and ReplicateKey on a primary, into its replica regions
	// only), so that it manages the keys it deploys through their key
	// policies and needs no IAM grant on the account's keys
	// (docs/bootstrap.md#keys-by-key-policy). Default: false (the key
	// policies name no deploying role; IAM decides).
	ManagesKeys bool
	// AllowKeyDeletion, with ManagesKeys, adds DeployerKeyDeletionAction to
	// what the key policies allow Deployer (allow_destroy: Terraform
	// destroys the keys). Default: false, the deploying role may not
	// schedule a key's deletion (security review 7, B4;
	// docs/bootstrap.md#what-a-compromised-deploying-role-can-still-do).
	AllowKeyDeletion bool
}

// Validate checks every ARN, reporting each problem under field.
func (p *Protection) Validate(field, partition string) error {
	if p == nil {
		return nil
	}
	var l rules.List
	for i, a := range p.BreakGlass {
		if _, err := rules.PrincipalARN(a, partition); err != nil {
			l.Add(fmt.Sprintf("%s.BreakGlass[%d]", field, i), err)
		}
	}
	if p.Deployer != "" {
		if _, err := rules.RoleARN(p.Deployer, partition); err != nil {
			l.Add(field+".Deployer", err)
		}
	}
	return l.Err()
}

// keyStatement returns the deny of KeyDestructionActions, or nil without a
// deploying role. The deploying role stays exempt, so that Terraform can
// still create the replicas (ReplicateKey) and change the policy: KMS
// refuses a key policy that would keep the principal that sets it from
// setting it again ("Default key policy", lockout safety check), and the
// deploying role sets it. Key administrators stay exempt: they are trusted
// with exactly these actions.
func (p *Protection) keyStatement(administrators []string) *Statement {
	if p == nil || p.Deployer == "" {
		return nil
	}
	exempt := sortedUnique(append(append([]string{p.Deployer}, administrators...), p.BreakGlass...))
	return &Statement{
		Sid:       SidDenyKeyDestruction,
		Effect:    Deny,
		Principal: AnyPrincipal,
		Action:    KeyDestructionActions,
		Resource:  Values{"*"},
		Condition: Conditions{}.Add("ArnNotEquals", principalArnKey, exempt...),
	}
}

// DeployerKeyPolicyActions are what a key policy allows the deploying role
// with Protection.ManagesKeys: the calls the Terraform AWS provider makes to
// create, read, update and delete aws_kms_key, aws_kms_replica_key and
// aws_kms_alias (the key half of an alias call), read from its source
// (docs/aws-rules.md#deploying-role-actions). No Encrypt, Decrypt,
// GenerateDataKey*, ReEncrypt*, CreateGrant, DisableKey nor
// UpdatePrimaryRegion; kms:ReplicateKey only on a primary, into the
// configured regions (KeyManagerStatements); kms:ScheduleKeyDeletion only
// with allow_destroy (DeployerKeyDeletionAction).
var DeployerKeyPolicyActions = Values{
	"kms:CreateAlias", "kms:DeleteAlias", "kms:DescribeKey", "kms:EnableKeyRotation",
	"kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListResourceTags", "kms:PutKeyPolicy",
	"kms:TagResource", "kms:UntagResource", "kms:UpdateAlias",
	"kms:UpdateKeyDescription",
}

// DeployerKeyDeletionAction is what the provider calls to destroy a key or
// a replica (aws_kms_key and aws_kms_replica_key Delete): allowed to the
// deploying role only with allow_destroy. Without it, a compromised
// deploying role could schedule the deletion of every copy of the trail
// key and then rewrite each key policy so that nobody may cancel it
// (security review 7, B4; docs/aws-rules.md#key-deletion-by-the-deploying-role).
const DeployerKeyDeletionAction = "kms:ScheduleKeyDeletion"

// KeyManagerStatements are the key policy statements that let role manage
// the key (DeployerKeyPolicyActions) and, when replicaRegions is not empty
// (the primary of a multi-Region key), replicate it into those regions only
// (kms:ReplicaRegion): KMS requires kms:ReplicateKey in the primary's key
// policy (docs/aws-rules.md#replicatekey-authorization). Principal is the
// role's ARN, so the role must exist before the key
// (docs/aws-rules.md#principals-must-exist); the role also keeps
// kms:PutKeyPolicy through this statement alone, which the lockout safety
// check asks of the policy it sets (docs/aws-rules.md#lockout-safety-check).
// allowDeletion (allow_destroy) adds DeployerKeyDeletionAction.
func KeyManagerStatements(role string, replicaRegions []string, allowDeletion bool) []Statement {
	actions := append(Values{}, DeployerKeyPolicyActions...)
	if allowDeletion {
		actions = append(actions, DeployerKeyDeletionAction)
		sort.Strings(actions)
	}
	out := []Statement{{
		Sid:       SidDeployerManagesKey,
		Effect:    Allow,
		Principal: AWSPrincipals(role),
		Action:    actions,
		Resource:  Values{"*"},
	}}
	if len(replicaRegions) > 0 {
		out = append(out, Statement{
			Sid:       SidDeployerReplicatesKey,
			Effect:    Allow,
			Principal: AWSPrincipals(role),
			Action:    Values{"kms:ReplicateKey"},
			Resource:  Values{"*"},
			Condition: Conditions{}.Add("StringEquals", "kms:ReplicaRegion", sortedUnique(replicaRegions)...),
		})
	}
	return out
}

// keyManagerStatements are KeyManagerStatements of the Deployer with
// ManagesKeys; none otherwise.
func (p *Protection) keyManagerStatements(replicaRegions []string) []Statement {
	if p == nil || p.Deployer == "" || !p.ManagesKeys {
		return nil
	}
	return KeyManagerStatements(p.Deployer, replicaRegions, p.AllowKeyDeletion)
}

// WithKeyManager appends KeyManagerStatements of role (no replication) to a
// single-Region key's policy doc; doc unchanged when role is "".
// allowDeletion (allow_destroy) lets role schedule the key's deletion.
func WithKeyManager(doc Document, role string, allowDeletion bool) Document {
	if role == "" {
		return doc
	}
	doc.Statement = append(append([]Statement{}, doc.Statement...), KeyManagerStatements(role, nil, allowDeletion)...)
	return doc
}

// SidDenyTrailLogDeletion is the recommended deletion deny of a shared
// bucket (RecommendedLogDeletionDeny).
const SidDenyTrailLogDeletion = "DenyTrailLogDeletion"

// RecommendedLogDeletionDeny is a deletion deny for one trail's tree
// ([prefix/]AWSLogs/*) of a bucket made elsewhere, exempting breakGlass
// (aws:PrincipalArn): LogDeletionActions, as the trail bucket's own
// Protection denies them on every object, but only on this trail's
// objects, so that the owner's handling of the bucket's other logs is left
// alone. It is a recommendation to the bucket's owner, not required for the
// trail to deliver. Lifecycle expiration is not a request a bucket policy
// evaluates (see statements): a lifecycle rule of the owner still removes
// these objects.
func RecommendedLogDeletionDeny(partition, bucketName, keyPrefix string, breakGlass []string) Statement {
	s := Statement{
		Sid:       SidDenyTrailLogDeletion,
		Effect:    Deny,
		Principal: AnyPrincipal,
		Action:    LogDeletionActions,
		Resource:  Values{fmt.Sprintf("arn:%s:s3:::%s/%s*", partition, bucketName, LogPathPrefix(keyPrefix))},
	}
	if b := sortedUnique(breakGlass); len(b) > 0 {
		s.Condition = Conditions{}.Add("ArnNotEquals", principalArnKey, b...)
	}
	return s
}

// statements returns the denies for the bucket and its objects; none for a
// nil Protection.
//
// Exemptions use aws:PrincipalArn, which for a role session is the role's
// ARN (IAM User Guide, "AWS global condition context keys",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn).
// A negated operator matches a request without the key, so a service
// principal, which may carry no aws:PrincipalArn, falls under the deny:
// none of the denied actions is one that CloudTrail delivery (s3:PutObject)
// or S3 replication (s3:ReplicateObject, s3:ReplicateTags) uses, and
// lifecycle expiration is not a request a bucket policy evaluates, so
// either reading of the key leaves them working.
func (p *Protection) statements(bucketArn string) []Statement {
	if p == nil {
		return nil
	}
	deletion := Statement{
		Sid:       SidDenyLogDeletion,
		Effect:    Deny,
		Principal: AnyPrincipal,
		Action:    LogDeletionActions,
		Resource:  Values{bucketArn + "/*"},
	}
	if breakGlass := sortedUnique(p.BreakGlass); len(breakGlass) > 0 {
		deletion.Condition = Conditions{}.Add("ArnNotEquals", principalArnKey, breakGlass...)
	}
	out := []Statement{deletion}
	if p.Deployer != "" {
		out = append(out, Statement{
			Sid:       SidDenyProtectionChanges,
			Effect:    Deny,
			Principal: AnyPrincipal,
			Action:    ProtectionChangeActions,
			Resource:  Values{bucketArn},
			Condition: Conditions{}.Add("ArnNotEquals", principalArnKey, sortedUnique(append([]string{p.Deployer}, p.BreakGlass...))...),
		})
	}
	return out
}
