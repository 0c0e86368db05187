package policy

import (
	"fmt"
	"maps"
	"regexp"
	"slices"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/rules"
)

// Statement ids of the verifiers' grants in the resource policies
// (Verification) and in their own identity policy (VerifierIdentityPolicy).
const (
	// SidVerifiersList and SidVerifiersRead: in the trail and recovery
	// bucket policies.
	SidVerifiersList = "AllowLogVerifiersListLogPaths"
	SidVerifiersRead = "AllowLogVerifiersReadLogObjects"
	// SidVerifiersDecryptTrailBucket and
	// SidVerifiersDecryptTrailBucketTrailContext: in the policy of the key
	// copy in the trail bucket's region, with S3's and with CloudTrail's
	// encryption context.
	SidVerifiersDecryptTrailBucket             = "AllowLogVerifiersDecryptTrailBucket"
	SidVerifiersDecryptTrailBucketTrailContext = "AllowLogVerifiersDecryptTrailBucketCloudTrailContext"
	// SidVerifiersDecryptRecovery: in the policy of the key copy in the
	// recovery bucket's region.
	SidVerifiersDecryptRecovery = "AllowLogVerifiersDecryptRecoveryCopies"

	// The identity policy's statement ids.
	SidVerifierListLogPaths                   = "ListLogPaths"
	SidVerifierReadLogObjects                 = "ReadLogObjects"
	SidVerifierDecryptTrailBucket             = "DecryptTrailBucketThroughS3"
	SidVerifierDecryptTrailBucketTrailContext = "DecryptTrailBucketThroughS3CloudTrailContext"
	SidVerifierDecryptRecovery                = "DecryptRecoveryCopiesThroughS3"
	SidVerifierListPublicKeys                 = "ListDigestPublicKeys"
)

// VerifierListActions list the log paths of a bucket, objects and object
// versions: ListObjectsV2 needs s3:ListBucket and ListObjectVersions
// s3:ListBucketVersions, and both accept the s3:prefix condition key
// (docs/aws-rules.md#verifier-s3-actions).
var VerifierListActions = Values{"s3:ListBucket", "s3:ListBucketVersions"}

// VerifierReadActions read a log or digest file, its current version or an
// earlier one, and its metadata: HeadObject needs s3:GetObject, and the
// version's read permission with a versionId
// (docs/aws-rules.md#verifier-s3-actions).
var VerifierReadActions = Values{"s3:GetObject", "s3:GetObjectVersion"}

// Verification describes who verifies one trail's log files and where they
// lie: the trail bucket and, with replication, the recovery bucket. Its
// grants let the verifiers list and read this trail's write paths
// ([prefix/]AWSLogs/<owner>/ and, for an organization trail,
// [prefix/]AWSLogs/<organization>/), object versions included, in both
// buckets, and decrypt those objects through S3 in each bucket's region
// only: nothing else (docs/verify.md#permissions).
type Verification struct {
	// Verifiers are the ARNs of IAM roles or users (not accounts, not
	// root: rules.RoleOrUserARN). Required.
	Verifiers []string
	// Trail is the trail whose files are verified. Required.
	Trail Trail
	// OrganizationID: the trail is an organization trail of this
	// organization, whose path is verified too. Default: none.
	OrganizationID string
	// KeyPrefix is the trail's S3 key prefix. Default: none.
	KeyPrefix string
	// Bucket is the trail bucket's name. Required.
	Bucket string
	// BucketRegion is the trail bucket's region. Default: the trail's home
	// region.
	BucketRegion string
	// RecoveryBucket is the recovery bucket's name, and RecoveryRegion its
	// region (required with it). Default: none (no recovery copy).
	RecoveryBucket, RecoveryRegion string
	// SharedKey: the key is made elsewhere and may encrypt others' data. The
	// grants then name this trail's ARN exactly in CloudTrail's context, and
	// S3's object-ARN context under this trail's paths only; S3's bucket-ARN
	// context (S3 Bucket Keys), which names every object of the bucket, is
	// left out, as for the readers on a shared key
	// (docs/aws-rules.md#readers-decrypt-on-a-shared-key). Default: false.
	SharedKey bool
}

// check validates v, reporting each problem under field, and returns the
// verifiers and their accounts, sorted and unique.
func (v Verification) check(field string) (verifiers, accounts []string, err error) {
	var l rules.List
	l.Add("", v.Trail.Validate(field+".Trail"))
	verifiers, accounts = checkVerifiers(&l, field+".Verifiers", v.Verifiers, v.Trail.Partition)
	if len(v.Verifiers) == 0 {
		l.Addf(field+".Verifiers", "[]", "is required")
	}
	if v.OrganizationID != "" {
		l.Add(field+".OrganizationID", rules.OrganizationID(v.OrganizationID))
	}
	l.Add(field+".KeyPrefix", rules.KeyPrefix(v.KeyPrefix))
	l.Add(field+".Bucket", rules.BucketName(v.Bucket))
	if v.BucketRegion != "" {
		l.Add(field+".BucketRegion", rules.Region(v.BucketRegion))
	}
	switch {
	case v.RecoveryBucket == "" && v.RecoveryRegion != "":
		l.Addf(field+".RecoveryRegion", v.RecoveryRegion, "is only for a RecoveryBucket")
	case v.RecoveryBucket != "":
		l.Add(field+".RecoveryBucket", rules.BucketName(v.RecoveryBucket))
		if v.RecoveryBucket == v.Bucket {
			l.Addf(field+".RecoveryBucket", v.RecoveryBucket, "must differ from the trail bucket")
		}
		if err := rules.Region(v.RecoveryRegion); err != nil {
			l.Add(field+".RecoveryRegion", err)
		} else if v.RecoveryRegion == v.bucketRegion() {
			l.Addf(field+".RecoveryRegion", v.RecoveryRegion, "must differ from the trail bucket's region")
		}
	}
	return verifiers, accounts, l.Err()
}

// checkVerifiers checks each verifier (an IAM role or user ARN in partition)
// and returns them and their accounts, sorted and unique.
func checkVerifiers(l *rules.List, field string, in []string, partition string) (verifiers, accounts []string) {
	for i, v := range in {
		account, err := rules.RoleOrUserARN(v, partition)
		if err != nil {
			l.Add(fmt.Sprintf("%s[%d]", field, i), err)
			continue
		}
		verifiers = append(verifiers, v)
		accounts = append(accounts, account)
	}
	return sortedUnique(verifiers), sortedUnique(accounts)
}

func (v Verification) bucketRegion() string {
	if v.BucketRegion == "" {
		return v.Trail.Region
	}
	return v.BucketRegion
}

// LogPaths are the object key prefixes the trail writes under, each ending
// in "/": [prefix/]AWSLogs/<trail owner>/ and, for an organization trail,
// [prefix/]AWSLogs/<organization id>/ (docs/aws-rules.md#log-file-locations).
func (v Verification) LogPaths() []string {
	return TrailLogPaths(v.KeyPrefix, v.Trail.Account, v.OrganizationID)
}

// TrailLogPaths are the object key prefixes a trail of account, with
// keyPrefix and, for an organization trail, organizationID, writes under.
func TrailLogPaths(keyPrefix, account, organizationID string) []string {
	out := []string{LogPathPrefix(keyPrefix) + account + "/"}
	if organizationID != "" {
		out = append(out, LogPathPrefix(keyPrefix)+organizationID+"/")
	}
	return out
}

func (v Verification) arn(bucket string) string {
	return fmt.Sprintf("arn:%s:s3:::%s", v.Trail.Partition, bucket)
}

// prefixes are the s3:prefix values of the log paths, and objects their
// objects' ARNs in bucket.
func (v Verification) prefixes() Values {
	var out Values
	for _, p := range v.LogPaths() {
		out = append(out, p+"*")
	}
	return out
}

func (v Verification) objects(bucket string) Values {
	var out Values
	for _, p := range v.LogPaths() {
		out = append(out, v.arn(bucket)+"/"+p+"*")
	}
	return out
}

// BucketStatements are the trail bucket policy's grants of the verifiers.
func (v Verification) BucketStatements() ([]Statement, error) {
	verifiers, _, err := v.check("Verification")
	if err != nil {
		return nil, err
	}
	return verifierBucketStatements(v.arn(v.Bucket), v.prefixes(), v.objects(v.Bucket), verifiers), nil
}

// RecoveryBucketStatements are the recovery bucket policy's grants of the
// verifiers: the same paths, which replicas keep.
func (v Verification) RecoveryBucketStatements() ([]Statement, error) {
	verifiers, _, err := v.check("Verification")
	if err == nil && v.RecoveryBucket == "" {
		err = &rules.Violation{Field: "Verification.RecoveryBucket", Value: "", Rule: "is required for the recovery bucket's grants"}
	}
	if err != nil {
		return nil, err
	}
	return verifierBucketStatements(v.arn(v.RecoveryBucket), v.prefixes(), v.objects(v.RecoveryBucket), verifiers), nil
}

// verifierBucketStatements let verifiers list a bucket (objects and
// versions) only with an s3:prefix under the log paths, and read objects
// and object versions under them: no other key of the bucket, and no write,
// delete, retention, policy or configuration action.
func verifierBucketStatements(bucketArn string, prefixes, objects Values, verifiers []string) []Statement {
	return []Statement{
		{
			Sid:       SidVerifiersList,
			Effect:    Allow,
			Principal: AWSPrincipals(verifiers...),
			Action:    VerifierListActions,
			Resource:  Values{bucketArn},
			Condition: Conditions{}.Add("StringLike", "s3:prefix", prefixes...),
		},
		{
			Sid:       SidVerifiersRead,
			Effect:    Allow,
			Principal: AWSPrincipals(verifiers...),
			Action:    VerifierReadActions,
			Resource:  objects,
		},
	}
}

// s3Context is what S3's encryption context (kms:EncryptionContext:aws:s3:arn)
// may be for an object of bucket: the bucket ARN under an S3 Bucket Key,
// the object ARN otherwise (docs/aws-rules.md#bucket-key-context). On a
// shared key only object ARNs under the log paths.
func (v Verification) s3Context(bucket string) Values {
	if v.SharedKey {
		return v.objects(bucket)
	}
	return Values{v.arn(bucket), v.arn(bucket) + "/*"}
}

// trailContext is the condition on CloudTrail's encryption context: the
// owner's trails on a key of this trail's own (as the readers' grant), this
// trail's ARN exactly on a shared key.
func (v Verification) trailContext(c Conditions) Conditions {
	if v.SharedKey {
		return c.Add("StringEquals", cloudTrailContextKey, v.Trail.ARN())
	}
	return c.Add("StringLike", cloudTrailContextKey, v.Trail.OwnerTrailsPattern())
}

// KeyStatements are the verifiers' grants in the policy of the key copy in
// region: kms:Decrypt only through S3 in that region (kms:ViaService), only
// as callers from their own accounts, and only for the bucket of that
// region: on the trail bucket's copy with S3's or CloudTrail's encryption
// context (which one a log file under an S3 Bucket Key carries is
// UNCONFIRMED, docs/aws-rules.md#readers-through-s3), on the recovery
// bucket's copy with S3's (the replicas are encrypted by S3, under S3's
// context: docs/aws-rules.md#cloudtrail-context-on-replicas). None on
// another copy. No Encrypt, ReEncrypt*, GenerateDataKey* or grant.
func (v Verification) KeyStatements(region string) ([]Statement, error) {
	verifiers, accounts, err := v.check("Verification")
	if err != nil {
		return nil, err
	}
	decrypt := func(sid, viaRegion string, c Conditions) Statement {
		return Statement{
			Sid:       sid,
			Effect:    Allow,
			Principal: AWSPrincipals(verifiers...),
			Action:    Values{"kms:Decrypt"},
			Resource:  Values{"*"},
			Condition: c.Add("StringEquals", "kms:CallerAccount", accounts...).
				Add("StringEquals", "kms:ViaService", s3ViaService(v.Trail.Partition, viaRegion)),
		}
	}
	switch region {
	case v.bucketRegion():
		return []Statement{
			decrypt(SidVerifiersDecryptTrailBucket, region, Conditions{}.Add("StringLike", s3ContextKey, v.s3Context(v.Bucket)...)),
			decrypt(SidVerifiersDecryptTrailBucketTrailContext, region, v.trailContext(Conditions{})),
		}, nil
	case v.RecoveryRegion:
		if v.RecoveryBucket == "" {
			return nil, nil
		}
		return []Statement{
			decrypt(SidVerifiersDecryptRecovery, region, Conditions{}.Add("StringLike", s3ContextKey, v.s3Context(v.RecoveryBucket)...)),
		}, nil
	}
	return nil, nil
}

// VerifierIdentityProps configures VerifierIdentityPolicy.
type VerifierIdentityProps struct {
	// Verification names the verifiers, the trail and the buckets.
	// Required.
	Verification Verification
	// KeyAccount owns the key copies (the log-archive account). Required.
	KeyAccount string
	// KeyArns are the ARNs of the key's copies by region, when known (a key
	// made elsewhere: key.existing_arns). Default: any key of KeyAccount in
	// the bucket's region (arn:<partition>:kms:<region>:<KeyAccount>:key/*),
	// which the conditions narrow to decrypting the objects of that bucket
	// through S3 there: the ARN of a key these stacks create is not known
	// before it exists.
	KeyArns map[string]string
}

// VerifierIdentityPolicy is the identity policy each verifier needs in its
// own account, beside the resource policies' grants (a principal of another
// account needs both: IAM User Guide, "Cross-account policy evaluation
// logic"; docs/aws-rules.md#verifier-s3-actions): list the log paths of
// the trail and recovery buckets, objects and versions; read objects and
// object versions there; decrypt them through S3 in each bucket's region,
// with the contexts KeyStatements accepts; and cloudtrail:ListPublicKeys,
// which has no resource type and takes "*"
// (docs/aws-rules.md#listpublickeys-resource). Nothing else: no write,
// delete, retention, policy, replication or lifecycle action, no other
// bucket (the Terraform state bucket included), no KMS call outside S3.
func VerifierIdentityPolicy(p VerifierIdentityProps) (Document, error) {
	v := p.Verification
	var l rules.List
	_, _, err := v.check("VerifierIdentityProps.Verification")
	l.Add("", err)
	l.Add("VerifierIdentityProps.KeyAccount", rules.AccountID(p.KeyAccount))
	for _, region := range slices.Sorted(maps.Keys(p.KeyArns)) {
		if !keyArnPattern(v.Trail.Partition, region, p.KeyAccount).MatchString(p.KeyArns[region]) {
			l.Addf(fmt.Sprintf("VerifierIdentityProps.KeyArns[%s]", region), p.KeyArns[region], "must be the ARN of a key copy of account %s in %s: arn:%s:kms:%s:%s:key/<key id>", p.KeyAccount, region, v.Trail.Partition, region, p.KeyAccount)
		}
	}
	if err := l.Err(); err != nil {
		return Document{}, err
	}
	keyIn := func(region string) Values {
		if a, ok := p.KeyArns[region]; ok {
			return Values{a}
		}
		return Values{fmt.Sprintf("arn:%s:kms:%s:%s:key/*", v.Trail.Partition, region, p.KeyAccount)}
	}
	buckets := Values{v.arn(v.Bucket)}
	objects := v.objects(v.Bucket)
	if v.RecoveryBucket != "" {
		buckets = append(buckets, v.arn(v.RecoveryBucket))
		objects = append(objects, v.objects(v.RecoveryBucket)...)
	}
	decrypt := func(sid, region string, c Conditions) Statement {
		return Statement{
			Sid:       sid,
			Effect:    Allow,
			Action:    Values{"kms:Decrypt"},
			Resource:  keyIn(region),
			Condition: c.Add("StringEquals", "kms:ViaService", s3ViaService(v.Trail.Partition, region)),
		}
	}
	doc := Document{Version: Version, Statement: []Statement{
		{
			Sid:       SidVerifierListLogPaths,
			Effect:    Allow,
			Action:    VerifierListActions,
			Resource:  buckets,
			Condition: Conditions{}.Add("StringLike", "s3:prefix", v.prefixes()...),
		},
		{
			Sid:      SidVerifierReadLogObjects,
			Effect:   Allow,
			Action:   VerifierReadActions,
			Resource: objects,
		},
		decrypt(SidVerifierDecryptTrailBucket, v.bucketRegion(), Conditions{}.Add("StringLike", s3ContextKey, v.s3Context(v.Bucket)...)),
		decrypt(SidVerifierDecryptTrailBucketTrailContext, v.bucketRegion(), v.trailContext(Conditions{})),
	}}
	if v.RecoveryBucket != "" {
		doc.Statement = append(doc.Statement, decrypt(SidVerifierDecryptRecovery, v.RecoveryRegion, Conditions{}.Add("StringLike", s3ContextKey, v.s3Context(v.RecoveryBucket)...)))
	}
	doc.Statement = append(doc.Statement, Statement{
		Sid:      SidVerifierListPublicKeys,
		Effect:   Allow,
		Action:   Values{"cloudtrail:ListPublicKeys"},
		Resource: Values{"*"},
	})
	return doc, nil
}

// keyArnPattern matches the ARN of a key (not an alias) of account in
// region and partition.
func keyArnPattern(partition, region, account string) *regexp.Regexp {
	return regexp.MustCompile(`^arn:` + regexp.QuoteMeta(partition) + `:kms:` + regexp.QuoteMeta(region) + `:` + regexp.QuoteMeta(account) + `:key/[A-Za-z0-9-]+$`)
}
