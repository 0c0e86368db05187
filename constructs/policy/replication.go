package policy

import (
	"fmt"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/rules"
)

// Statement ids of the replication policies.
const (
	SidReplicationAssume        = "AllowS3AssumeRole"
	SidReplicationSourceBucket  = "ReadSourceReplicationConfiguration"
	SidReplicationSourceObjects = "ReadSourceObjectVersions"
	SidReplicationDestination   = "ReplicateToDestination"
	SidReplicationDecryptSource = "DecryptSourceObjects"
	// SidReplicationDecryptSourceTrailContext: the same, with CloudTrail's
	// encryption context (docs/aws-rules.md#readers-through-s3).
	SidReplicationDecryptSourceTrailContext = "DecryptSourceObjectsCloudTrailContext"
	SidReplicationEncryptReplica            = "EncryptReplicas"
	SidReplicationVerifyReplica             = "DecryptReplicaBucketKey"
	SidLogReadersDecryptRecovery            = "AllowLogReadersDecryptRecoveryCopies"
	// SidRecoveryDenyPutObject and SidRecoveryDenyOtherReplication: only
	// the replication role writes the recovery bucket.
	SidRecoveryDenyPutObject        = "DenyDirectWrites"
	SidRecoveryDenyOtherReplication = "DenyReplicationByOtherRoles"
	S3Service                       = "s3.amazonaws.com"
	s3ContextKey                    = "kms:EncryptionContext:aws:s3:arn"
)

// Replication describes S3 replication from the trail bucket to a recovery
// bucket in another region of the same account, encrypted there with the
// multi-region key's replica.
type Replication struct {
	// Partition of both buckets. Required.
	Partition string
	// Account owns the role and both buckets. Required.
	Account string
	// RoleName is the replication role's name (path "/"). Required.
	RoleName string
	// SourceRegion and SourceBucket are the trail bucket's. Required.
	SourceRegion, SourceBucket string
	// DestinationRegion and DestinationBucket are the recovery bucket's.
	// Required.
	DestinationRegion, DestinationBucket string
	// TrailAccount owns the trail whose log files the source bucket holds
	// (for an organization trail, the management account): the role may
	// also decrypt source objects under CloudTrail's encryption context of
	// that account's trails. Required.
	TrailAccount string
}

// Validate checks every field, reporting each problem under field.
func (r Replication) Validate(field string) error {
	var l rules.List
	l.Add(field+".Partition", rules.PartitionName(r.Partition))
	l.Add(field+".Account", rules.AccountID(r.Account))
	l.Add(field+".RoleName", rules.RoleName(r.RoleName))
	l.Add(field+".SourceRegion", rules.Region(r.SourceRegion))
	l.Add(field+".SourceBucket", rules.BucketName(r.SourceBucket))
	l.Add(field+".DestinationRegion", rules.Region(r.DestinationRegion))
	l.Add(field+".DestinationBucket", rules.BucketName(r.DestinationBucket))
	l.Add(field+".TrailAccount", rules.AccountID(r.TrailAccount))
	if r.SourceRegion == r.DestinationRegion {
		l.Addf(field+".DestinationRegion", r.DestinationRegion, "must differ from the source region: the copy is for losing a region")
	}
	if r.SourceBucket == r.DestinationBucket {
		l.Addf(field+".DestinationBucket", r.DestinationBucket, "must differ from the source bucket")
	}
	return l.Err()
}

// RoleARN is the replication role's ARN, composed from the configuration so
// that the key policy can name it.
func (r Replication) RoleARN() string {
	return fmt.Sprintf("arn:%s:iam::%s:role/%s", r.Partition, r.Account, r.RoleName)
}

func (r Replication) bucketArn(name string) string {
	return fmt.Sprintf("arn:%s:s3:::%s", r.Partition, name)
}

// s3ViaService is the kms:ViaService value of S3 in region.
func s3ViaService(partition, region string) string {
	if partition == "aws-cn" {
		return "s3." + region + ".amazonaws.com.cn"
	}
	return "s3." + region + ".amazonaws.com"
}

// objectContext matches S3's encryption context for a bucket: the bucket ARN
// when S3 Bucket Keys are on (docs/aws-rules.md#bucket-key-context: "Replicating objects encrypted with
// SSE-KMS"), an object ARN when an object was written without one.
func (r Replication) objectContext(bucket string) []string {
	arn := r.bucketArn(bucket)
	return []string{arn, arn + "/*"}
}

func (r Replication) decryptSource(principal Principal, keyResource string) Statement {
	return r.decryptSourceUnder(SidReplicationDecryptSource, principal, keyResource, s3ContextKey, r.objectContext(r.SourceBucket)...)
}

// decryptSourceUnder allows kms:Decrypt on keyResource through S3 in the
// source region, under the encryption context key contextKey matching
// values.
func (r Replication) decryptSourceUnder(sid string, principal Principal, keyResource, contextKey string, values ...string) Statement {
	return Statement{
		Sid:       sid,
		Effect:    Allow,
		Principal: principal,
		Action:    Values{"kms:Decrypt"},
		Resource:  Values{keyResource},
		Condition: Conditions{}.
			Add("StringEquals", "kms:ViaService", s3ViaService(r.Partition, r.SourceRegion)).
			Add("StringLike", contextKey, values...),
	}
}

// decryptSourceTrailContext is decryptSource with CloudTrail's encryption
// context instead of S3's, scoped as the readers' grant is (the trail
// owner's trails): no AWS document says which of the two a log file written
// under an S3 Bucket Key carries (docs/aws-rules.md#readers-through-s3), and
// with the wrong one every replication would fail, silently. Still only
// through S3 in the source region, where the role may read no bucket but the
// source.
func (r Replication) decryptSourceTrailContext(principal Principal, keyResource string) Statement {
	return r.decryptSourceUnder(SidReplicationDecryptSourceTrailContext, principal, keyResource,
		cloudTrailContextKey, Trail{Partition: r.Partition, Account: r.TrailAccount}.OwnerTrailsPattern())
}

func (r Replication) encryptReplica(principal Principal, keyResource string) Statement {
	return Statement{
		Sid:       SidReplicationEncryptReplica,
		Effect:    Allow,
		Principal: principal,
		Action:    Values{"kms:Encrypt", "kms:GenerateDataKey"},
		Resource:  Values{keyResource},
		Condition: Conditions{}.
			Add("StringEquals", "kms:ViaService", s3ViaService(r.Partition, r.DestinationRegion)).
			Add("StringLike", s3ContextKey, r.objectContext(r.DestinationBucket)...),
	}
}

// verifyReplicaBucketKey lets the role decrypt with the destination key,
// scoped as encryptReplica: S3 User Guide, "Replicating encrypted objects"
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-config-for-kms-objects.html),
// section "Amazon S3 Bucket Keys and replication": when the destination
// bucket uses an S3 Bucket Key, the policy of the key that encrypts the
// replica must allow kms:Decrypt for the replicating principal, which S3 uses
// to verify the Bucket Key. Without it every replication fails.
func (r Replication) verifyReplicaBucketKey(principal Principal, keyResource string) Statement {
	s := r.encryptReplica(principal, keyResource)
	s.Sid, s.Action = SidReplicationVerifyReplica, Values{"kms:Decrypt"}
	return s
}

// KeyStatements are the replication role's grants in the policy of the key
// copy in region: in the source region, decrypt through S3 there for the
// source bucket, with S3's or CloudTrail's encryption context; in the destination region, encrypt (and decrypt, to verify
// the Bucket Key) through S3 there for the recovery bucket; none elsewhere.
// Each copy grants only what is used on it, so the role cannot encrypt with
// the source key.
func (r Replication) KeyStatements(region string) []Statement {
	role := AWSPrincipals(r.RoleARN())
	switch region {
	case r.SourceRegion:
		return []Statement{r.decryptSource(role, "*"), r.decryptSourceTrailContext(role, "*")}
	case r.DestinationRegion:
		return []Statement{r.encryptReplica(role, "*"), r.verifyReplicaBucketKey(role, "*")}
	}
	return nil
}

// RecoveryReadersStatement lets readers decrypt the recovery copies, on the
// key copy that encrypts the recovery bucket: through S3 in its region, for
// objects of the recovery bucket, as callers from their own accounts. S3
// re-encrypts replicas with the destination key, and no AWS document says
// that CloudTrail's aws:cloudtrail:arn encryption context survives
// replication, so this grant does not depend on it; it uses S3's own
// context, the bucket ARN (S3 User Guide, "Using server-side encryption with
// AWS KMS keys (SSE-KMS)", encryption context). readers and accounts come
// from checkReaders.
func (r Replication) RecoveryReadersStatement(readers, accounts []string) Statement {
	return readersDecryptViaS3(SidLogReadersDecryptRecovery, r.Partition, r.DestinationRegion, r.DestinationBucket, readers, accounts)
}

// RecoveryReaders is RecoveryReadersStatement for readers given as account
// ids or IAM principal ARNs, checked as KeyPolicyProps.Readers are.
func (r Replication) RecoveryReaders(readers []string) (Statement, error) {
	var l rules.List
	principals, accounts := checkReaders(&l, "Readers", readers, r.Partition)
	if err := l.Err(); err != nil {
		return Statement{}, err
	}
	return r.RecoveryReadersStatement(principals, accounts), nil
}

// RoleTrust lets only S3 assume the replication role.
func (r Replication) RoleTrust() Document {
	return Document{Version: Version, Statement: []Statement{{
		Sid:       SidReplicationAssume,
		Effect:    Allow,
		Principal: ServicePrincipal(S3Service),
		Action:    Values{"sts:AssumeRole"},
	}}}
}

// RolePolicy is the replication role's least privilege (docs/aws-rules.md#replication-role, #kms-via-service:
// "Replication to a second region"): read the source's configuration and
// object versions with their retention and legal hold, replicate objects and
// tags into the destination, decrypt with the source key (with S3's or
// CloudTrail's encryption context) and encrypt (and verify the Bucket Key)
// with the destination key, each only through S3 in its region and for its
// bucket. No s3:ReplicateDelete: delete markers are
// not replicated (NewReplication), so the role needs none.
func (r Replication) RolePolicy(sourceKeyArn, destinationKeyArn string) Document {
	src, dst := r.bucketArn(r.SourceBucket), r.bucketArn(r.DestinationBucket)
	return Document{Version: Version, Statement: []Statement{
		{
			Sid:      SidReplicationSourceBucket,
			Effect:   Allow,
			Action:   Values{"s3:GetReplicationConfiguration", "s3:ListBucket"},
			Resource: Values{src},
		},
		{
			Sid:    SidReplicationSourceObjects,
			Effect: Allow,
			Action: Values{
				"s3:GetObjectLegalHold", "s3:GetObjectRetention", "s3:GetObjectVersionAcl",
				"s3:GetObjectVersionForReplication", "s3:GetObjectVersionTagging",
			},
			Resource: Values{src + "/*"},
		},
		{
			Sid:      SidReplicationDestination,
			Effect:   Allow,
			Action:   Values{"s3:ReplicateObject", "s3:ReplicateTags"},
			Resource: Values{dst + "/*"},
		},
		r.decryptSource(Principal{}, sourceKeyArn),
		r.decryptSourceTrailContext(Principal{}, sourceKeyArn),
		r.encryptReplica(Principal{}, destinationKeyArn),
		r.verifyReplicaBucketKey(Principal{}, destinationKeyArn),
	}}
}

// RecoveryBucketPolicyProps configures RecoveryBucketPolicy.
type RecoveryBucketPolicyProps struct {
	// Partition of the bucket. Required.
	Partition string
	// BucketName is the recovery bucket. Required.
	BucketName string
	// KeyPrefix is the trail's key prefix, which replicas keep.
	// Default: none.
	KeyPrefix string
	// Readers may list the bucket and read the log copies. Default: none.
	Readers []string
	// Protection denies deleting the copies and, with a deploying role,
	// changing the bucket's protections. Default: none (no denies).
	Protection *Protection
	// ReplicationRoleARN is the ARN of the only role that may replicate into
	// the bucket (Replication.RoleARN()). Default: none, and replication into
	// the bucket is denied to every principal (a recovery bucket made before
	// its replication role: package constructs names the role when
	// NewReplication is called).
	ReplicationRoleARN string
	// Verifiers are IAM role or user ARNs that may list and read the
	// copies of the trail's write paths, objects and object versions
	// (Verification.RecoveryBucketStatements). Default: none.
	Verifiers []string
	// TrailAccount owns the trail whose copies the bucket holds, and
	// OrganizationID is its organization, if any: they name the write
	// paths the verifiers may read. TrailAccount is required with
	// Verifiers. Default: none.
	TrailAccount, OrganizationID string
}

// RecoveryBucketPolicy is the recovery bucket's policy: the configured
// readers may read the log copies; every non-TLS request is denied. S3
// replication needs no grant here: the role is in the bucket's account.
// Only replication writes objects here (docs/aws-rules.md#only-replication-writes-the-copy):
// s3:PutObject is denied to everyone, since the replication role's
// documented permissions on the destination are s3:ReplicateObject,
// s3:ReplicateTags and s3:ReplicateDelete, and those two it uses are denied
// to every principal but the replication role (aws:PrincipalArn of its
// sessions), so that no replication rule of another bucket, with another
// role, can copy forged files in.
func RecoveryBucketPolicy(p RecoveryBucketPolicyProps) (Document, error) {
	var l rules.List
	l.Add("RecoveryBucketPolicyProps.Partition", rules.PartitionName(p.Partition))
	l.Add("RecoveryBucketPolicyProps.BucketName", rules.BucketName(p.BucketName))
	l.Add("RecoveryBucketPolicyProps.KeyPrefix", rules.KeyPrefix(p.KeyPrefix))
	readers, _ := checkReaders(&l, "RecoveryBucketPolicyProps.Readers", p.Readers, p.Partition)
	l.Add("", p.Protection.Validate("RecoveryBucketPolicyProps.Protection", p.Partition))
	if p.ReplicationRoleARN != "" {
		if _, err := rules.RoleARN(p.ReplicationRoleARN, p.Partition); err != nil {
			l.Add("RecoveryBucketPolicyProps.ReplicationRoleARN", err)
		}
	}
	verifiers, _ := checkVerifiers(&l, "RecoveryBucketPolicyProps.Verifiers", p.Verifiers, p.Partition)
	if len(p.Verifiers) > 0 {
		l.Add("RecoveryBucketPolicyProps.TrailAccount", rules.AccountID(p.TrailAccount))
	}
	if p.OrganizationID != "" {
		l.Add("RecoveryBucketPolicyProps.OrganizationID", rules.OrganizationID(p.OrganizationID))
	}
	if err := l.Err(); err != nil {
		return Document{}, err
	}
	bucketArn := fmt.Sprintf("arn:%s:s3:::%s", p.Partition, p.BucketName)
	doc := Document{Version: Version, ID: "recovery-bucket-policy"}
	doc.Statement = append(doc.Statement, readerStatements(bucketArn, bucketArn+"/"+LogPathPrefix(p.KeyPrefix), readers)...)
	if len(verifiers) > 0 {
		// docs/verify.md#permissions: the replicas keep the source's keys,
		// so the verifiers read the same paths here.
		v := Verification{Trail: Trail{Partition: p.Partition, Account: p.TrailAccount}, OrganizationID: p.OrganizationID, KeyPrefix: p.KeyPrefix, Bucket: p.BucketName}
		doc.Statement = append(doc.Statement, verifierBucketStatements(bucketArn, v.prefixes(), v.objects(p.BucketName), verifiers)...)
	}
	doc.Statement = append(doc.Statement, DenyInsecureTransport(bucketArn), DenyRequesterPays(bucketArn),
		// Nothing writes the recovery bucket directly, and our rule does
		// not replicate delete markers, so a replicated delete marker
		// (docs/aws-rules.md#replicated-delete-markers) is denied to all.
		Statement{
			Sid: SidRecoveryDenyPutObject, Effect: Deny, Principal: AnyPrincipal,
			Action: Values{"s3:PutObject", "s3:ReplicateDelete"}, Resource: Values{bucketArn + "/*"},
		},
		denyOtherReplication(bucketArn, p.ReplicationRoleARN))
	doc.Statement = append(doc.Statement, p.Protection.statements(bucketArn)...)
	return doc, nil
}

// AlarmHolder is where the alarm on failed replications lives: the account
// of the buckets, in the source bucket's region, where S3 publishes the
// OperationsFailedReplication metric (docs/aws-rules.md#replication-metrics).
// Only Partition, Region and Account are set.
func (r Replication) AlarmHolder() Trail {
	return Trail{Partition: r.Partition, Region: r.SourceRegion, Account: r.Account}
}

// AlarmKeyPolicy is the policy of the key that encrypts the replication
// alarm topic (AlarmKeyPolicy of AlarmHolder).
func (r Replication) AlarmKeyPolicy() Document { return AlarmKeyPolicy(r.AlarmHolder()) }

// AlarmTopicPolicy is the policy of the replication alarm topic: only the
// CloudWatch alarms of the buckets' account in the source region publish,
// and nobody without TLS (AlarmTopicPolicy of AlarmHolder).
func (r Replication) AlarmTopicPolicy(topicName string) Document {
	return AlarmTopicPolicy(r.AlarmHolder(), topicName)
}

// ProtectedAlarmKeyPolicy is AlarmKeyPolicy with the key's destruction
// denied to all but the deploying role and break-glass principals of
// protection (docs/aws-rules.md#monitoring-resource-denies).
func (r Replication) ProtectedAlarmKeyPolicy(protection *Protection) Document {
	return ProtectedAlarmKeyPolicy(r.AlarmHolder(), protection)
}

// ProtectedAlarmTopicPolicy is AlarmTopicPolicy with the topic's settings
// guarded by protection (TopicProtectionStatement).
func (r Replication) ProtectedAlarmTopicPolicy(topicName string, protection *Protection) Document {
	return ProtectedAlarmTopicPolicy(r.AlarmHolder(), topicName, protection)
}

// denyOtherReplication denies replicating into the bucket to every principal
// but role; to every principal when role is "" (no role named yet).
func denyOtherReplication(bucketArn, role string) Statement {
	s := Statement{
		Sid: SidRecoveryDenyOtherReplication, Effect: Deny, Principal: AnyPrincipal,
		Action: Values{"s3:ReplicateObject", "s3:ReplicateTags"}, Resource: Values{bucketArn + "/*"},
	}
	if role != "" {
		s.Condition = Conditions{}.Add("ArnNotEquals", principalArnKey, role)
	}
	return s
}
