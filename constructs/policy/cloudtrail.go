package policy

import (
	"fmt"
	"sort"
	"strings"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/rules"
)

// CloudTrailService is the service principal CloudTrail writes logs with.
const CloudTrailService = "cloudtrail.amazonaws.com"

// Trail identifies a trail by the parts of its ARN. It is the single source
// of the trail ARN: every policy statement that names the trail uses ARN().
type Trail struct {
	// Partition is "aws", "aws-cn" or "aws-us-gov".
	Partition string
	// Region is the trail's home region (where the trail resource lives).
	Region string
	// Account owns the trail; for an organization trail it is always the
	// management account.
	Account string
	// Name is the trail name.
	Name string
}

// ARN returns arn:<partition>:cloudtrail:<region>:<account>:trail/<name>.
func (t Trail) ARN() string {
	// docs/aws-rules.md#compose-the-trail-arn: the trail ARN is the key to every policy; composed from config
	// so that the policies do not depend on the trail resource (a cycle).
	return fmt.Sprintf("arn:%s:cloudtrail:%s:%s:trail/%s", t.Partition, t.Region, t.Account, t.Name)
}

// OwnerTrailsPattern matches every trail of the trail's owner account in any
// region: the value CloudTrail's encryption context is checked against.
func (t Trail) OwnerTrailsPattern() string {
	return fmt.Sprintf("arn:%s:cloudtrail:*:%s:trail/*", t.Partition, t.Account)
}

// Validate checks every part of the trail identity.
func (t Trail) Validate(field string) error {
	var l rules.List
	if err := rules.Region(t.Region); err != nil {
		l.Add(field+".Region", err)
	} else if p := rules.Partition(t.Region); t.Partition != p {
		l.Addf(field+".Partition", t.Partition, "must be %q, the partition of region %q", p, t.Region)
	}
	l.Add(field+".Account", rules.AccountID(t.Account))
	l.Add(field+".Name", rules.TrailName(t.Name))
	return l.Err()
}

// Statement ids of the key policy.
const (
	SidKeyRootAdministration = "EnableAccountRootAdministration"
	SidKeyAdministrators     = "AllowKeyAdministrators"
	SidCloudTrailEncrypt     = "AllowCloudTrailEncryptLogs"
	SidCloudTrailDescribeKey = "AllowCloudTrailDescribeKey"
	SidCloudTrailDecrypt     = "AllowCloudTrailDecryptWithBucketKey"
	SidLogReadersDecrypt     = "AllowLogReadersDecrypt"
	// SidLogReadersDecryptTrailBucket: readers decrypting the trail bucket's
	// objects with S3's encryption context.
	SidLogReadersDecryptTrailBucket = "AllowLogReadersDecryptTrailBucket"
	cloudTrailContextKey            = "kms:EncryptionContext:aws:cloudtrail:arn"
	sourceArnKey                    = "aws:SourceArn"
)

// KeyAdministratorActions lets administrators manage the key but not use it.
// They are listed one by one from the KMS developer guide, "AWS KMS
// permissions" (https://docs.aws.amazon.com/kms/latest/developerguide/kms-api-permissions-reference.html),
// instead of the wildcards of AWS's default administrator statement ("Default
// key policy", "Allows key administrators to administer the KMS key"):
// kms:Create* covers kms:CreateGrant (a grant of Decrypt to oneself) and
// kms:ReplicateKey makes a replica with a policy of the caller's choosing, so
// both are left out, as are every cryptographic operation and
// kms:GetPublicKey, kms:ImportKeyMaterial and kms:DeleteImportedKeyMaterial
// (not for this symmetric key with AWS key material) and the actions that
// only IAM policies control (kms:ListAliases, kms:ListKeys). kms:PutKeyPolicy stays:
// changing the key policy is what administration is, and an administrator
// can use it to grant itself anything.
var KeyAdministratorActions = Values{
	"kms:CancelKeyDeletion", "kms:CreateAlias", "kms:DeleteAlias", "kms:DescribeKey",
	"kms:DisableKey", "kms:DisableKeyRotation", "kms:EnableKey", "kms:EnableKeyRotation",
	"kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListGrants",
	"kms:ListKeyPolicies", "kms:ListKeyRotations", "kms:ListResourceTags", "kms:PutKeyPolicy",
	"kms:RevokeGrant", "kms:RotateKeyOnDemand", "kms:ScheduleKeyDeletion", "kms:TagResource",
	"kms:UntagResource", "kms:UpdateAlias", "kms:UpdateKeyDescription", "kms:UpdatePrimaryRegion",
}

// KeyPolicyProps configures KeyPolicy.
type KeyPolicyProps struct {
	// KeyAccount owns the key (the log-archive account). Required.
	KeyAccount string
	// Trail is the trail allowed to encrypt with the key. Required.
	Trail Trail
	// Administrators are IAM principal ARNs (in the key account or another)
	// that may administer but not use the key.
	// Default: none; the key account's root statement alone manages the key.
	Administrators []string
	// Readers are account ids or IAM principal ARNs allowed to decrypt the
	// trail's log files (kms:Decrypt, kms:ReEncryptFrom).
	// Default: none.
	Readers []string
	// Replication adds the grants of the role that copies the logs to a
	// recovery region. Default: none.
	Replication *Replication
	// TrailBucket is the trail bucket's name, in the trail's home region.
	// When set, readers may also decrypt its objects through S3 in that
	// region with S3's own encryption context (the bucket ARN with S3 Bucket
	// Keys): no AWS document says which context a log file encrypted under a
	// Bucket Key carries, so the readers' grant works with either. Default:
	// none (only the CloudTrail context).
	TrailBucket string
	// Protection, with a deploying role, denies KeyDestructionActions to
	// everyone but the deploying role, the administrators and the
	// break-glass principals. Default: none.
	Protection *Protection
	// Region is the region of the key copy this policy is for. With
	// Replication, the copy in the source region carries the role's source
	// grants and the copy in the destination region its destination grants
	// and the readers' grant for the recovery copies; other copies carry
	// neither. Required with Replication; otherwise unused.
	Region string
	// ReplicaRegions, on the primary copy's policy with
	// Protection.ManagesKeys, are the regions the deploying role may
	// replicate the key into (kms:ReplicaRegion). Default: none (no
	// kms:ReplicateKey in the key policy).
	ReplicaRegions []string
	// Verifiers are IAM role or user ARNs that may decrypt the log files
	// through S3 for a verification (Verification.KeyStatements): on the
	// copy in the trail bucket's region (TrailBucket, required with them)
	// and, with Replication, on the copy that encrypts the recovery bucket.
	// Default: none.
	Verifiers []string
}

// KeyPolicy returns the key policy of one copy of the trail's key (Region).
// Every copy carries the same trail, administrator and reader statements, in
// full: key policies of multi-region keys are not synchronized (docs/aws-rules.md#policies-are-not-synchronized:
// "Multi-region keys"); the replication grants go only on the copy that uses
// them.
func KeyPolicy(p KeyPolicyProps) (Document, error) {
	var l rules.List
	l.Add("KeyPolicyProps.KeyAccount", rules.AccountID(p.KeyAccount))
	l.Add("", p.Trail.Validate("KeyPolicyProps.Trail"))
	admins := checkPrincipals(&l, "KeyPolicyProps.Administrators", p.Administrators, p.Trail.Partition)
	readers, readerAccounts := checkReaders(&l, "KeyPolicyProps.Readers", p.Readers, p.Trail.Partition)
	l.Add("", p.Protection.Validate("KeyPolicyProps.Protection", p.Trail.Partition))
	if p.TrailBucket != "" {
		l.Add("KeyPolicyProps.TrailBucket", rules.BucketName(p.TrailBucket))
	}
	if p.Replication != nil {
		l.Add("", p.Replication.Validate("KeyPolicyProps.Replication"))
		if p.Replication.Account != p.KeyAccount {
			l.Addf("KeyPolicyProps.Replication.Account", p.Replication.Account, "must be the key account %s: replicas of a multi-region key stay in its account", p.KeyAccount)
		}
		if p.Replication.TrailAccount != p.Trail.Account {
			l.Addf("KeyPolicyProps.Replication.TrailAccount", p.Replication.TrailAccount, "must be the trail's account %s, whose log files it replicates", p.Trail.Account)
		}
		if err := rules.Region(p.Region); err != nil {
			l.Add("KeyPolicyProps.Region", err)
		}
	}
	checkVerifiers(&l, "KeyPolicyProps.Verifiers", p.Verifiers, p.Trail.Partition)
	if len(p.Verifiers) > 0 && p.TrailBucket == "" {
		l.Addf("KeyPolicyProps.TrailBucket", "", "is required with Verifiers: they decrypt the objects of that bucket through S3")
	}
	if err := l.Err(); err != nil {
		return Document{}, err
	}
	var verifierStatements []Statement
	if len(p.Verifiers) > 0 {
		v := Verification{Verifiers: p.Verifiers, Trail: p.Trail, Bucket: p.TrailBucket}
		if r := p.Replication; r != nil {
			v.RecoveryBucket, v.RecoveryRegion = r.DestinationBucket, r.DestinationRegion
		}
		region := p.Region
		if region == "" {
			region = p.Trail.Region
		}
		var err error
		if verifierStatements, err = v.KeyStatements(region); err != nil {
			return Document{}, rules.Rename(err, "Verification.", "KeyPolicyProps.")
		}
	}
	part, trailArn := p.Trail.Partition, p.Trail.ARN()

	doc := Document{Version: Version, ID: "key-policy", Statement: keyAdministration(part, p.KeyAccount, admins)}
	// CloudTrail user guide, "Configure AWS KMS key policies for CloudTrail":
	// encrypt with the encryption context of the owner's trails, from this trail only.
	doc.Statement = append(doc.Statement, Statement{
		Sid:       SidCloudTrailEncrypt,
		Effect:    Allow,
		Principal: ServicePrincipal(CloudTrailService),
		Action:    Values{"kms:GenerateDataKey*"},
		Resource:  Values{"*"},
		Condition: Conditions{}.
			Add("StringLike", cloudTrailContextKey, p.Trail.OwnerTrailsPattern()).
			Add("StringEquals", sourceArnKey, trailArn),
	})
	// Same guide: DescribeKey is a required statement.
	doc.Statement = append(doc.Statement, Statement{
		Sid:       SidCloudTrailDescribeKey,
		Effect:    Allow,
		Principal: ServicePrincipal(CloudTrailService),
		Action:    Values{"kms:DescribeKey"},
		Resource:  Values{"*"},
		Condition: Conditions{}.Add("StringEquals", sourceArnKey, trailArn),
	})
	// Same guide: with an S3 Bucket Key, CloudTrail needs kms:Decrypt to create
	// or update the trail.
	doc.Statement = append(doc.Statement, Statement{
		Sid:       SidCloudTrailDecrypt,
		Effect:    Allow,
		Principal: ServicePrincipal(CloudTrailService),
		Action:    Values{"kms:Decrypt"},
		Resource:  Values{"*"},
		Condition: Conditions{}.Add("StringEquals", sourceArnKey, trailArn),
	})
	if len(readers) > 0 {
		// Same guide, "Granting decrypt permissions": readers decrypt only
		// CloudTrail log files, and only as callers from their own accounts.
		doc.Statement = append(doc.Statement, readersDecrypt(SidLogReadersDecrypt, p.Trail, readers, readerAccounts))
		if region := p.Region; p.TrailBucket != "" && (region == "" || region == p.Trail.Region) {
			doc.Statement = append(doc.Statement, readersDecryptViaS3(SidLogReadersDecryptTrailBucket, part, p.Trail.Region, p.TrailBucket, readers, readerAccounts))
		}
	}
	if deny := p.Protection.keyStatement(admins); deny != nil {
		doc.Statement = append(doc.Statement, *deny)
	}
	doc.Statement = append(doc.Statement, p.Protection.keyManagerStatements(p.ReplicaRegions)...)
	if p.Replication != nil {
		// docs/aws-rules.md#kms-via-service, #policies-are-not-synchronized: the replica key's own policy must allow the replication
		// role (key policies are not synchronized); only the copy it uses.
		doc.Statement = append(doc.Statement, p.Replication.KeyStatements(p.Region)...)
		if p.Region == p.Replication.DestinationRegion && len(readers) > 0 {
			doc.Statement = append(doc.Statement, p.Replication.RecoveryReadersStatement(readers, readerAccounts))
		}
	}
	// docs/verify.md#permissions: the verifiers decrypt through S3 only, on
	// the copy of each bucket's region.
	doc.Statement = append(doc.Statement, verifierStatements...)
	return doc, nil
}

// keyAdministration is the administration of a key: the account root's
// statement and, when there are any, the administrators'.
func keyAdministration(partition, account string, admins []string) []Statement {
	// docs/aws-rules.md#account-root-statement: keep the account-root statement so the key can never become
	// unmanageable; it also lets the account's IAM policies grant access.
	out := []Statement{{
		Sid:       SidKeyRootAdministration,
		Effect:    Allow,
		Principal: AWSPrincipals(fmt.Sprintf("arn:%s:iam::%s:root", partition, account)),
		Action:    Values{"kms:*"},
		Resource:  Values{"*"},
	}}
	if len(admins) > 0 {
		out = append(out, Statement{
			Sid:       SidKeyAdministrators,
			Effect:    Allow,
			Principal: AWSPrincipals(admins...),
			Action:    KeyAdministratorActions,
			Resource:  Values{"*"},
		})
	}
	return out
}

// KeyBaseProps configures KeyBasePolicy.
type KeyBaseProps struct {
	// KeyAccount owns the key. Required.
	KeyAccount string
	// Partition of the key's account. Required.
	Partition string
	// Administrators: as KeyPolicyProps.Administrators. Default: none.
	Administrators []string
	// Protection: as KeyPolicyProps.Protection. Default: none.
	Protection *Protection
	// ReplicaRegions: as KeyPolicyProps.ReplicaRegions. Default: none.
	ReplicaRegions []string
}

// KeyBasePolicy is the policy of a key before any trail, reader or
// replication role was given to it: the administration statements of
// KeyPolicy and its destruction deny. Package constructs starts a
// MultiRegionKey made without a policy from it, and adds to it what the
// constructs using the key need (TrailKeyStatements, ReaderGrant,
// Replication.KeyStatements): together they are what KeyPolicy writes for
// the same trail, readers and role.
func KeyBasePolicy(p KeyBaseProps) (Document, error) {
	var l rules.List
	l.Add("KeyBaseProps.KeyAccount", rules.AccountID(p.KeyAccount))
	l.Add("KeyBaseProps.Partition", rules.PartitionName(p.Partition))
	admins := checkPrincipals(&l, "KeyBaseProps.Administrators", p.Administrators, p.Partition)
	l.Add("", p.Protection.Validate("KeyBaseProps.Protection", p.Partition))
	if err := l.Err(); err != nil {
		return Document{}, err
	}
	doc := Document{Version: Version, ID: "key-policy", Statement: keyAdministration(p.Partition, p.KeyAccount, admins)}
	if deny := p.Protection.keyStatement(admins); deny != nil {
		doc.Statement = append(doc.Statement, *deny)
	}
	doc.Statement = append(doc.Statement, p.Protection.keyManagerStatements(p.ReplicaRegions)...)
	return doc, nil
}

// Statement ids of the trail bucket policy.
const (
	SidBucketAclCheck          = "AWSCloudTrailAclCheck"
	SidBucketWrite             = "AWSCloudTrailWrite"
	SidBucketOrganizationWrite = "AWSCloudTrailOrganizationWrite"
	SidBucketReadersList       = "AllowLogReadersListBucket"
	SidBucketReadersGet        = "AllowLogReadersGetObject"
	SidBucketDenyInsecure      = "DenyInsecureTransport"
	SidBucketDenyRequesterPays = "DenyRequesterPays"
	// SidBucketDenyForgedWrites: only the trail writes log objects.
	SidBucketDenyForgedWrites = "DenyWritesNotFromTheTrail"
	// SidBucketAdditionalAclCheck: the ACL check of the additional
	// delivering trails (BucketPolicyProps.AdditionalTrails).
	SidBucketAdditionalAclCheck = "AWSCloudTrailAclCheckAdditionalTrails"
	// SidBucketAdditionalWritePrefix, followed by 1, 2, ... in the order of
	// the trails' ARNs: the writes of each additional delivering trail.
	SidBucketAdditionalWritePrefix = "AWSCloudTrailWriteAdditionalTrail"
	// SidBucketDenyForgedWritesAdditionalPrefix, followed by 1, 2, ... in
	// the order of the trails' ARNs: on a shared bucket
	// (BucketPolicyProps.SharedBucket), the deny of writes into each
	// additional delivering trail's tree by anyone but that trail.
	SidBucketDenyForgedWritesAdditionalPrefix = "DenyWritesNotFromAdditionalTrail"
	// SidBucketReadersLocation: on a shared bucket, the readers'
	// GetBucketLocation, apart from their ListBucket (which is limited by
	// s3:prefix, a key GetBucketLocation requests do not carry).
	SidBucketReadersLocation = "AllowLogReadersGetBucketLocation"
)

// DeliveringTrail is a trail other than the bucket's own that may deliver
// to the trail bucket: the trail being replaced, during the overlap of a
// cutover (docs/adopting.md).
type DeliveringTrail struct {
	// ARN is the trail's ARN,
	// arn:<partition>:cloudtrail:<home region>:<owner>:trail/<name>, in the
	// bucket's partition. Required.
	ARN string
	// KeyPrefix is that trail's S3 key prefix. Default: none.
	KeyPrefix string
}

// BucketPolicyProps configures TrailBucketPolicy.
type BucketPolicyProps struct {
	// BucketName is the trail bucket. Required.
	BucketName string
	// KeyPrefix is the trail's S3 key prefix. Default: none.
	KeyPrefix string
	// Trail is the only trail allowed to write. Required.
	Trail Trail
	// OrganizationID adds the organization log path when set.
	// Default: none (an account trail).
	OrganizationID string
	// Readers are account ids or IAM principal ARNs allowed to list the
	// bucket and read log objects. Default: none.
	Readers []string
	// Protection denies deleting log objects and, with a deploying role,
	// changing the bucket's protections. Default: none (no denies).
	Protection *Protection
	// AdditionalTrails may deliver too, each with its own ACL check and
	// writes (under its key prefix, to its owner's path and, with
	// OrganizationID, the organization's) conditioned on its own
	// aws:SourceArn, and each exempt from the deny of forged writes: the
	// old trail of a cutover, while both run. The organization's path is
	// granted only to a trail of Trail's account (the management account,
	// which owns every organization trail). Default: none (only Trail
	// writes).
	AdditionalTrails []DeliveringTrail
	// SharedBucket: the bucket is made elsewhere and may hold other logs
	// than the delivering trails' (a landing zone's log-archive bucket holds
	// AWS Config's, other trails', VPC Flow Logs, S3 access logs ...;
	// docs/adopting.md). The deny of forged writes then covers only the
	// delivering trails' own trees ([prefix/]AWSLogs/*), one statement per
	// trail, each letting only that trail write there, so that every other
	// delivery to the bucket goes on; the readers may list and read only
	// this trail's write paths (its owner's and, with OrganizationID, the
	// organization's), not the whole AWSLogs/ tree. KeyPrefix and every
	// AdditionalTrails' KeyPrefix are required: a bare AWSLogs/ is where
	// AWS Config, VPC Flow Logs and load balancers deliver. Default: false,
	// a bucket of this trail's own, whose deny covers every object.
	SharedBucket bool
	// Verifiers are IAM role or user ARNs that may list and read this
	// trail's write paths, objects and object versions, for a verification
	// (Verification.BucketStatements). Default: none.
	Verifiers []string
}

// checkAdditionalTrails validates the additional delivering trails and
// returns them sorted by ARN, with the account that owns each.
func checkAdditionalTrails(l *rules.List, field string, in []DeliveringTrail, own Trail, ownPrefix string) ([]DeliveringTrail, map[string]string) {
	owners := map[string]string{}
	seen := map[string]int{}
	for i, t := range in {
		f := fmt.Sprintf("%s[%d]", field, i)
		account, err := rules.TrailARN(t.ARN, own.Partition)
		switch {
		case err != nil:
			l.Add(f+".ARN", err)
		case t.ARN == own.ARN():
			l.Addf(f+".ARN", t.ARN, "is the bucket's own trail, which delivers already")
		default:
			if j, dup := seen[t.ARN]; dup {
				l.Addf(f+".ARN", t.ARN, "repeats %s[%d]", field, j)
			} else {
				seen[t.ARN] = i
				owners[t.ARN] = account
			}
		}
		l.Add(f+".KeyPrefix", rules.KeyPrefix(t.KeyPrefix))
		if err := LogPathOverlap(t.KeyPrefix, ownPrefix, "the bucket's own trail"); err != nil {
			l.Add(f+".KeyPrefix", err)
		}
		for j := range i {
			if err := LogPathOverlap(t.KeyPrefix, in[j].KeyPrefix, fmt.Sprintf("%s[%d]", field, j)); err != nil {
				l.Add(f+".KeyPrefix", err)
			}
		}
	}
	out := append([]DeliveringTrail(nil), in...)
	sort.Slice(out, func(i, j int) bool { return out[i].ARN < out[j].ARN })
	return out, owners
}

// TrailBucketPolicy returns the bucket policy of the trail bucket.
func TrailBucketPolicy(p BucketPolicyProps) (Document, error) {
	var l rules.List
	l.Add("BucketPolicyProps.BucketName", rules.BucketName(p.BucketName))
	l.Add("BucketPolicyProps.KeyPrefix", rules.KeyPrefix(p.KeyPrefix))
	l.Add("", p.Trail.Validate("BucketPolicyProps.Trail"))
	if p.OrganizationID != "" {
		l.Add("BucketPolicyProps.OrganizationID", rules.OrganizationID(p.OrganizationID))
	}
	readers, _ := checkReaders(&l, "BucketPolicyProps.Readers", p.Readers, p.Trail.Partition)
	l.Add("", p.Protection.Validate("BucketPolicyProps.Protection", p.Trail.Partition))
	additional, owners := checkAdditionalTrails(&l, "BucketPolicyProps.AdditionalTrails", p.AdditionalTrails, p.Trail, p.KeyPrefix)
	verifiers, _ := checkVerifiers(&l, "BucketPolicyProps.Verifiers", p.Verifiers, p.Trail.Partition)
	if p.SharedBucket {
		// docs/adopting.md#what-the-deny-of-forged-writes-stops: a deny on a
		// bare AWSLogs/ would stop AWS Config, VPC Flow Logs and load
		// balancer logs delivering to a shared bucket.
		if p.KeyPrefix == "" {
			l.Addf("BucketPolicyProps.KeyPrefix", "", "is required with SharedBucket: the deny of forged writes covers [prefix/]AWSLogs/*, and a bare AWSLogs/ is where AWS Config, VPC Flow Logs and load balancers deliver")
		}
		for i, t := range p.AdditionalTrails {
			if t.KeyPrefix == "" {
				l.Addf(fmt.Sprintf("BucketPolicyProps.AdditionalTrails[%d].KeyPrefix", i), "", "is required with SharedBucket: the deny that keeps others out of that trail's tree covers [prefix/]AWSLogs/*, and a bare AWSLogs/ is where AWS Config, VPC Flow Logs and load balancers deliver")
			}
		}
	}
	if err := l.Err(); err != nil {
		return Document{}, err
	}
	bucketArn := fmt.Sprintf("arn:%s:s3:::%s", p.Trail.Partition, p.BucketName)
	logs := bucketArn + "/" + LogPathPrefix(p.KeyPrefix)
	trailArn := p.Trail.ARN()
	// CloudTrail user guide, "Amazon S3 bucket policy for CloudTrail": every
	// statement carries aws:SourceArn of this one trail.
	writeCondition := func() Conditions {
		return Conditions{}.
			Add("StringEquals", "s3:x-amz-acl", "bucket-owner-full-control").
			Add("StringEquals", sourceArnKey, trailArn)
	}

	doc := Document{Version: Version, ID: "bucket-policy"}
	doc.Statement = append(doc.Statement,
		Statement{
			Sid:       SidBucketAclCheck,
			Effect:    Allow,
			Principal: ServicePrincipal(CloudTrailService),
			Action:    Values{"s3:GetBucketAcl"},
			Resource:  Values{bucketArn},
			Condition: Conditions{}.Add("StringEquals", sourceArnKey, trailArn),
		},
		Statement{
			Sid:       SidBucketWrite,
			Effect:    Allow,
			Principal: ServicePrincipal(CloudTrailService),
			Action:    Values{"s3:PutObject"},
			Resource:  Values{logs + p.Trail.Account + "/*"},
			Condition: writeCondition(),
		})
	if p.OrganizationID != "" {
		// docs/aws-rules.md#key-prefix-in-every-statement: the key prefix goes before AWSLogs/ in the organization
		// path too (an AWS CDK bug dropped it).
		doc.Statement = append(doc.Statement, Statement{
			Sid:       SidBucketOrganizationWrite,
			Effect:    Allow,
			Principal: ServicePrincipal(CloudTrailService),
			Action:    Values{"s3:PutObject"},
			Resource:  Values{logs + p.OrganizationID + "/*"},
			Condition: writeCondition(),
		})
	}
	delivering := []string{trailArn}
	if len(additional) > 0 {
		// docs/aws-rules.md#trail-bucket-policy, #only-the-trail-writes: a
		// second trail needs CloudTrail's statements of its own, each on its
		// own aws:SourceArn, and its place in the deny's list.
		var arns []string
		for _, t := range additional {
			arns = append(arns, t.ARN)
		}
		delivering = append(delivering, arns...)
		doc.Statement = append(doc.Statement, Statement{
			Sid:       SidBucketAdditionalAclCheck,
			Effect:    Allow,
			Principal: ServicePrincipal(CloudTrailService),
			Action:    Values{"s3:GetBucketAcl"},
			Resource:  Values{bucketArn},
			Condition: Conditions{}.Add("StringEquals", sourceArnKey, arns...),
		})
		for i, t := range additional {
			path := bucketArn + "/" + LogPathPrefix(t.KeyPrefix)
			resources := Values{path + owners[t.ARN] + "/*"}
			// docs/aws-rules.md#trail-owner: the management account owns
			// every organization trail (a delegated administrator's too),
			// and this trail's owner is it when OrganizationID is set: only
			// a trail of that account writes to the organization's path.
			if p.OrganizationID != "" && owners[t.ARN] == p.Trail.Account {
				resources = append(resources, path+p.OrganizationID+"/*")
			}
			doc.Statement = append(doc.Statement, Statement{
				Sid:       fmt.Sprintf("%s%d", SidBucketAdditionalWritePrefix, i+1),
				Effect:    Allow,
				Principal: ServicePrincipal(CloudTrailService),
				Action:    Values{"s3:PutObject"},
				Resource:  resources,
				Condition: Conditions{}.
					Add("StringEquals", "s3:x-amz-acl", "bucket-owner-full-control").
					Add("StringEquals", sourceArnKey, t.ARN),
			})
		}
	}
	// Cross-account readers need the bucket policy as well as the key policy.
	if p.SharedBucket {
		paths := []string{LogPathPrefix(p.KeyPrefix) + p.Trail.Account + "/"}
		if p.OrganizationID != "" {
			paths = append(paths, LogPathPrefix(p.KeyPrefix)+p.OrganizationID+"/")
		}
		doc.Statement = append(doc.Statement, sharedReaderStatements(bucketArn, paths, readers)...)
	} else {
		doc.Statement = append(doc.Statement, readerStatements(bucketArn, logs, readers)...)
	}
	if len(verifiers) > 0 {
		// docs/verify.md#permissions: this trail's write paths only, on
		// every bucket, shared or not.
		v := Verification{Trail: p.Trail, OrganizationID: p.OrganizationID, KeyPrefix: p.KeyPrefix, Bucket: p.BucketName}
		doc.Statement = append(doc.Statement, verifierBucketStatements(bucketArn, v.prefixes(), v.objects(p.BucketName), verifiers)...)
	}
	// docs/aws-rules.md#tls-only: deny s3:* without TLS, as AWS Control Tower ships it.
	doc.Statement = append(doc.Statement, DenyInsecureTransport(bucketArn), DenyRequesterPays(bucketArn))
	if p.SharedBucket {
		// One deny per delivering trail, on its own tree only: every other
		// delivery to the shared bucket is left alone, and no delivering
		// trail writes into another's tree.
		own := denyWritesNotFrom(bucketArn, []string{trailArn})
		own.Resource = Values{logs + "*"}
		doc.Statement = append(doc.Statement, own)
		for i, t := range additional {
			d := denyWritesNotFrom(bucketArn, []string{t.ARN})
			d.Sid = fmt.Sprintf("%s%d", SidBucketDenyForgedWritesAdditionalPrefix, i+1)
			d.Resource = Values{bucketArn + "/" + LogPathPrefix(t.KeyPrefix) + "*"}
			doc.Statement = append(doc.Statement, d)
		}
	} else {
		doc.Statement = append(doc.Statement, denyWritesNotFrom(bucketArn, delivering))
	}
	doc.Statement = append(doc.Statement, p.Protection.statements(bucketArn)...)
	return doc, nil
}

// UnboundTrailBucketPolicy is the policy of a trail bucket that no trail
// delivers to yet (package constructs: a TrailBucket made without a trail,
// before NewTrail names it): TrailBucketPolicy's denies, with every object
// write denied to everyone, since no trail may deliver (the statement
// TrailBucketPolicy conditions on the trail's aws:SourceArn, without a
// condition). It grants nothing.
func UnboundTrailBucketPolicy(partition, bucketName string, protection *Protection) (Document, error) {
	var l rules.List
	l.Add("BucketPolicyProps.BucketName", rules.BucketName(bucketName))
	l.Add("BucketPolicyProps.Partition", rules.PartitionName(partition))
	l.Add("", protection.Validate("BucketPolicyProps.Protection", partition))
	if err := l.Err(); err != nil {
		return Document{}, err
	}
	bucketArn := fmt.Sprintf("arn:%s:s3:::%s", partition, bucketName)
	deny := denyWritesNotFrom(bucketArn, nil)
	deny.Condition = nil
	doc := Document{Version: Version, ID: "bucket-policy", Statement: []Statement{
		DenyInsecureTransport(bucketArn), DenyRequesterPays(bucketArn), deny,
	}}
	doc.Statement = append(doc.Statement, protection.statements(bucketArn)...)
	return doc, nil
}

// denyWritesNotFrom denies writing any object of the bucket (s3:PutObject,
// and s3:ReplicateObject and s3:ReplicateDelete from a replication rule of
// someone else's bucket: a replicated delete marker hides a log file,
// docs/aws-rules.md#replicated-delete-markers) to every request whose
// aws:SourceArn is not one of trails.
// docs/aws-rules.md#only-the-trail-writes: CloudTrail's delivery carries
// aws:SourceArn, always the ARN of the trail (or trails) that delivers, and a
// negated operator matches a request without the key, so every IAM
// principal (whose requests carry no aws:SourceArn), the root user included,
// is denied. trails is a list so that two trails can deliver during a
// cutover.
func denyWritesNotFrom(bucketArn string, trails []string) Statement {
	return Statement{
		Sid:       SidBucketDenyForgedWrites,
		Effect:    Deny,
		Principal: AnyPrincipal,
		Action:    Values{"s3:PutObject", "s3:ReplicateDelete", "s3:ReplicateObject"},
		Resource:  Values{bucketArn + "/*"},
		Condition: Conditions{}.Add("ArnNotEquals", sourceArnKey, sortedUnique(trails)...),
	}
}

// readerStatements let readers list the bucket and read the log path and
// nothing else; none when there are no readers.
func readerStatements(bucketArn, logs string, readers []string) []Statement {
	if len(readers) == 0 {
		return nil
	}
	return []Statement{
		{
			Sid:       SidBucketReadersList,
			Effect:    Allow,
			Principal: AWSPrincipals(readers...),
			Action:    Values{"s3:GetBucketLocation", "s3:ListBucket"},
			Resource:  Values{bucketArn},
		},
		{
			Sid:       SidBucketReadersGet,
			Effect:    Allow,
			Principal: AWSPrincipals(readers...),
			Action:    Values{"s3:GetObject"},
			Resource:  Values{logs + "*"},
		},
	}
}

// sharedReaderStatements let readers of a shared bucket find it, list only
// under paths (object key prefixes, for s3:prefix) and read only objects
// under them: the trail's
// write paths, not the rest of the bucket's AWSLogs/ tree (AWS Config's
// snapshots, VPC Flow Logs, other trails' files).
func sharedReaderStatements(bucketArn string, paths, readers []string) []Statement {
	if len(readers) == 0 {
		return nil
	}
	var prefixes, objects Values
	for _, p := range paths {
		prefixes = append(prefixes, p+"*")
		objects = append(objects, bucketArn+"/"+p+"*")
	}
	return []Statement{
		{
			Sid:       SidBucketReadersLocation,
			Effect:    Allow,
			Principal: AWSPrincipals(readers...),
			Action:    Values{"s3:GetBucketLocation"},
			Resource:  Values{bucketArn},
		},
		{
			Sid:       SidBucketReadersList,
			Effect:    Allow,
			Principal: AWSPrincipals(readers...),
			Action:    Values{"s3:ListBucket"},
			Resource:  Values{bucketArn},
			Condition: Conditions{}.Add("StringLike", "s3:prefix", prefixes...),
		},
		{
			Sid:       SidBucketReadersGet,
			Effect:    Allow,
			Principal: AWSPrincipals(readers...),
			Action:    Values{"s3:GetObject"},
			Resource:  objects,
		},
	}
}

// DenyInsecureTransport denies every S3 action on the bucket and its objects
// to requests made without TLS.
func DenyInsecureTransport(bucketArn string) Statement {
	return Statement{
		Sid:       SidBucketDenyInsecure,
		Effect:    Deny,
		Principal: AnyPrincipal,
		Action:    Values{"s3:*"},
		Resource:  Values{bucketArn, bucketArn + "/*"},
		Condition: Conditions{}.Add("Bool", "aws:SecureTransport", "false"),
	}
}

// DenyRequesterPays denies turning Requester Pays on (or off) to everyone,
// whatever the protection: CloudTrail cannot deliver to a Requester Pays
// bucket (docs/aws-rules.md#requester-pays), nothing these stacks deploy
// sets it, and no recovery procedure needs it. Whoever must change it
// changes this policy first (the root user always can: docs/aws-rules.md#root-user),
// which the log-bucket alarm reports.
func DenyRequesterPays(bucketArn string) Statement {
	return Statement{
		Sid:       SidBucketDenyRequesterPays,
		Effect:    Deny,
		Principal: AnyPrincipal,
		Action:    Values{"s3:PutBucketRequestPayment"},
		Resource:  Values{bucketArn},
	}
}

// LogPathOverlap refuses a trail's key prefix whose log path (LogPathPrefix)
// contains, or lies inside, the log path of other, whose names the other
// trail in the message: two trails delivering to one bucket need apart
// trees (docs/aws-rules.md#log-file-names: file names name the account and
// the region, not the trail).
func LogPathOverlap(prefix, other, whose string) error {
	a, b := LogPathPrefix(prefix), LogPathPrefix(other)
	if strings.HasPrefix(a, b) || strings.HasPrefix(b, a) {
		return &rules.Violation{Value: prefix, Rule: fmt.Sprintf("its log path %s overlaps the log path %s of %s: CloudTrail's file names do not name the trail, so the two trails' files would mix, and this trail could write into the other's path; give each trail a key prefix of its own", a, b, whose)}
	}
	return nil
}

// LogPathPrefix returns "[prefix/]AWSLogs/", the part of every log object key
// before the account or organization id.
func LogPathPrefix(keyPrefix string) string {
	if keyPrefix == "" {
		return "AWSLogs/"
	}
	return keyPrefix + "/AWSLogs/"
}

func checkPrincipals(l *rules.List, field string, in []string, partition string) []string {
	for i, arn := range in {
		if _, err := rules.PrincipalARN(arn, partition); err != nil {
			l.Add(fmt.Sprintf("%s[%d]", field, i), err)
		}
	}
	return sortedUnique(in)
}

func checkReaders(l *rules.List, field string, in []string, partition string) (principals, accounts []string) {
	for i, r := range in {
		p, a, err := rules.PrincipalOrAccount(r, partition)
		if err != nil {
			l.Add(fmt.Sprintf("%s[%d]", field, i), err)
			continue
		}
		principals = append(principals, p)
		accounts = append(accounts, a)
	}
	return sortedUnique(principals), sortedUnique(accounts)
}
