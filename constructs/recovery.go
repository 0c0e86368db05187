package constructs

import (
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrole"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrolepolicy"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketreplicationconfiguration"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/policy"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/rules"
)

// RecoveryBucketProps configures NewRecoveryBucket. The Object Lock mode and
// days, the lifecycle, the key prefix, the readers and the protection are
// those of Source, the trail bucket the recovery bucket copies, so that the
// copies are kept, expire and are readable exactly as the originals.
type RecoveryBucketProps struct {
	// Source is the trail bucket this bucket receives copies of. Required.
	Source *TrailBucket
	// BucketName of the recovery bucket. Required.
	BucketName string
	// Region of the recovery bucket: a region where Key has a replica, other
	// than Source's. Required.
	Region string
	// Provider creates the bucket; it must be configured for Region.
	// Required in practice: the default provider is in the home region.
	Provider cdktf.TerraformProvider
	// Key encrypts the copies, with its replica in Region. Required.
	Key *MultiRegionKey
	// AccessLogs receives this bucket's access logs; it must be in Region.
	// Default: none.
	AccessLogs *AccessLogBucket
	// AllowDestroy drops prevent_destroy from the bucket. Default: false.
	AllowDestroy bool
	// ReplicationRoleARN is the only role that may write the bucket, by
	// replication: the RoleARN() of the Grants given to NewReplication.
	// Required.
	ReplicationRoleARN string
}

// RecoveryBucket receives S3 replicas of the trail's log files in another
// region, with the same protections as the trail bucket.
type RecoveryBucket struct {
	node         constructs.Construct
	name, region string
	// replicationRole is the only role the bucket's policy lets replicate.
	replicationRole string
	// accessLogBucket receives this bucket's access logs, or "".
	accessLogBucket string
	policyDoc       policy.Document
	locked          lockedBucket
}

// NewRecoveryBucket creates the recovery bucket: Object Lock, versioning,
// SSE-KMS with the key's replica in its region and Bucket Keys, public access
// block, owner-enforced, TLS-only policy with the readers' grants, access
// logging and a lifecycle when asked.
func NewRecoveryBucket(scope constructs.Construct, id string, props RecoveryBucketProps) (*RecoveryBucket, error) {
	if err := checkScope(scope, id, "NewRecoveryBucket"); err != nil {
		return nil, err
	}
	var l rules.List
	src := props.Source
	if src == nil {
		l.Addf("RecoveryBucketProps.Source", "nil", "is required: the trail bucket the recovery bucket copies")
		validateLocked(&l, "RecoveryBucketProps", props.BucketName, props.Region, props.Key, DefaultObjectLockMode, DefaultObjectLockDays, nil, props.AccessLogs)
		l.Add("RecoveryBucketProps.BucketName", rules.BucketName(props.BucketName))
		return nil, l.Err()
	}
	if props.Region == src.Region() {
		l.Addf("RecoveryBucketProps.Region", props.Region, "must differ from the region of the trail bucket it copies")
	}
	validateLocked(&l, "RecoveryBucketProps", props.BucketName, props.Region, props.Key, src.lockMode, src.lockDays, src.lifecycle, props.AccessLogs)
	doc, err := policy.RecoveryBucketPolicy(policy.RecoveryBucketPolicyProps{
		Partition: src.Trail().Partition, BucketName: props.BucketName, KeyPrefix: src.KeyPrefix(), Readers: src.readers,
		Protection: protectionOrDefault(src.protection), ReplicationRoleARN: props.ReplicationRoleARN,
	})
	l.Add("", rules.Rename(err, "RecoveryBucketPolicyProps.", "RecoveryBucketProps."))
	if err := l.Err(); err != nil {
		return nil, err
	}
	policyJSON, err := doc.JSON()
	if err != nil {
		return nil, err
	}
	// docs/aws-rules.md#replicas-are-re-encrypted: S3 re-encrypts replicas under the destination-region key.
	keyArn, _ := props.Key.KeyArnIn(props.Region)
	node := constructs.NewConstruct(scope, jsii.String(id))
	return &RecoveryBucket{
		node:            node,
		name:            props.BucketName,
		region:          props.Region,
		replicationRole: props.ReplicationRoleARN,
		policyDoc:       doc,
		accessLogBucket: accessLogName(props.AccessLogs),
		locked: newLockedBucket(node, lockedBucketSpec{
			name: props.BucketName, provider: props.Provider, keyArn: keyArn, policyJSON: policyJSON,
			lockMode: src.lockMode, lockDays: src.lockDays, lifecycle: src.lifecycle,
			accessLogs: props.AccessLogs, allowDestroy: props.AllowDestroy,
		}),
	}, nil
}

// BucketName is the recovery bucket's name.
func (r *RecoveryBucket) BucketName() string { return r.name }

// Region is the recovery bucket's region.
func (r *RecoveryBucket) Region() string { return r.region }

// AccessLogBucketName is the bucket that receives this bucket's access logs,
// or "" when there is none.
func (r *RecoveryBucket) AccessLogBucketName() string { return r.accessLogBucket }

// LogBuckets are this bucket and its access-log bucket, if any: the names
// TrailProps.LogBuckets takes.
func (r *RecoveryBucket) LogBuckets() []string {
	if r.accessLogBucket == "" {
		return []string{r.name}
	}
	return []string{r.name, r.accessLogBucket}
}

// ReplicationRoleARN is the only role the bucket's policy lets replicate
// (RecoveryBucketProps.ReplicationRoleARN).
func (r *RecoveryBucket) ReplicationRoleARN() string { return r.replicationRole }

// BucketArn is the recovery bucket's ARN as a Terraform reference.
func (r *RecoveryBucket) BucketArn() *string { return r.locked.bucket.Arn() }

// Policy is the recovery bucket's generated policy.
func (r *RecoveryBucket) Policy() policy.Document { return r.policyDoc }

// Node is the construct that holds the recovery bucket's resources.
func (r *RecoveryBucket) Node() constructs.Construct { return r.node }

// ReplicationProps configures NewReplication.
type ReplicationProps struct {
	// Source is the trail bucket. Required.
	Source *TrailBucket
	// SourceProvider is the provider of Source's region.
	// Default: the stack's default AWS provider.
	SourceProvider cdktf.TerraformProvider
	// Destination is the recovery bucket. Required.
	Destination *RecoveryBucket
	// Key encrypts both buckets. The policies of its copies in the source
	// and destination regions must carry Grants' KeyStatements for their
	// region (policy.KeyPolicyProps.Replication and Region). Required.
	Key *MultiRegionKey
	// Grants names the role and both buckets; build the key policy from the
	// same value. Required.
	Grants policy.Replication
	// ObjectLockToken is passed to S3 when it asks for one to replicate from
	// a bucket with Object Lock. Default: none.
	ObjectLockToken string
}

// Replication copies every log file, as it arrives, from the trail bucket to
// the recovery bucket, re-encrypted with the key's replica there.
type Replication struct {
	node constructs.Construct
	role iamrole.IamRole
}

// RoleArn is the replication role's ARN as a Terraform reference.
func (r *Replication) RoleArn() *string { return r.role.Arn() }

// RoleName is the replication role's name (policy.Replication.RoleName).
func (r *Replication) RoleName() *string { return r.role.Name() }

// Node is the construct that holds the role and the replication
// configuration.
func (r *Replication) Node() constructs.Construct { return r.node }

func (p *ReplicationProps) validate() error {
	var l rules.List
	if p.Source == nil {
		l.Addf("ReplicationProps.Source", "nil", "is required")
	}
	if p.Destination == nil {
		l.Addf("ReplicationProps.Destination", "nil", "is required")
	}
	if p.Key == nil {
		l.Addf("ReplicationProps.Key", "nil", "is required")
	}
	l.Add("", p.Grants.Validate("ReplicationProps.Grants"))
	if l.Len() > 0 {
		return l.Err()
	}
	g := p.Grants
	if g.SourceBucket != p.Source.BucketName() || g.SourceRegion != p.Source.Region() {
		l.Addf("ReplicationProps.Grants", g.SourceBucket+" in "+g.SourceRegion, "must name the source bucket %s in %s", p.Source.BucketName(), p.Source.Region())
	}
	if g.DestinationBucket != p.Destination.BucketName() || g.DestinationRegion != p.Destination.Region() {
		l.Addf("ReplicationProps.Grants", g.DestinationBucket+" in "+g.DestinationRegion, "must name the destination bucket %s in %s", p.Destination.BucketName(), p.Destination.Region())
	}
	if g.TrailAccount != p.Source.Trail().Account {
		l.Addf("ReplicationProps.Grants.TrailAccount", g.TrailAccount, "must be the account %s of the trail that delivers to the source bucket", p.Source.Trail().Account)
	}
	if g.RoleARN() != p.Destination.replicationRole {
		l.Addf("ReplicationProps.Grants", g.RoleARN(), "must name the role the destination's policy lets replicate, %s (RecoveryBucketProps.ReplicationRoleARN)", p.Destination.replicationRole)
	}
	for _, region := range []string{g.SourceRegion, g.DestinationRegion} {
		doc, ok := p.Key.PolicyIn(region)
		if ok && !keyPolicyHas(doc, g.KeyStatements(region)) {
			l.Addf("ReplicationProps.Key", g.RoleARN(), "the policy of the key copy in %s must allow the replication role (key policies of replicas are not synchronized): build it with policy.KeyPolicyProps.Replication and Region %q", region, region)
		}
	}
	return l.Err()
}

// keyPolicyHas reports whether doc contains every statement of want.
func keyPolicyHas(doc policy.Document, want []policy.Statement) bool {
	for _, w := range want {
		got, ok := doc.StatementBySid(w.Sid)
		if !ok {
			return false
		}
		a, _ := policy.Document{Version: policy.Version, Statement: []policy.Statement{got}}.JSON()
		b, _ := policy.Document{Version: policy.Version, Statement: []policy.Statement{w}}.JSON()
		if a != b {
			return false
		}
	}
	return true
}

// NewReplication creates the replication role (trusted only by S3, with the
// least privilege of policy.Replication.RolePolicy) and the replication
// configuration of the source bucket: SSE-KMS objects opted in, replicas
// encrypted with the key's replica in the destination region, delete markers
// not replicated (a delete in the home region must not hide the recovery
// copy). It waits for versioning on both buckets and Object Lock on the
// destination, and makes the key wait for the role its policy names.
func NewReplication(scope constructs.Construct, id string, props ReplicationProps) (*Replication, error) {
	if err := checkScope(scope, id, "NewReplication"); err != nil {
		return nil, err
	}
	if err := props.validate(); err != nil {
		return nil, err
	}
	// The key must wait for the role (depends_on), which works within a stack.
	if a, b := *cdktf.TerraformStack_Of(scope).Node().Path(), *cdktf.TerraformStack_Of(props.Key.Node()).Node().Path(); a != b {
		return nil, &rules.Violation{Field: "ReplicationProps.Key", Rule: "must be in the stack of the replication (" + a + ")", Value: b}
	}
	g := props.Grants
	sourceKey, err := props.Key.KeyArnIn(g.SourceRegion)
	if err != nil {
		return nil, rules.At("ReplicationProps.Key", err)
	}
	destinationKey, err := props.Key.KeyArnIn(g.DestinationRegion)
	if err != nil {
		return nil, rules.At("ReplicationProps.Key", err)
	}
	trustJSON, err := g.RoleTrust().JSON()
	if err != nil {
		return nil, err
	}
	permsJSON, err := g.RolePolicy(*sourceKey, *destinationKey).JSON()
	if err != nil {
		return nil, err
	}
	node := constructs.NewConstruct(scope, jsii.String(id))
	role := iamrole.NewIamRole(node, jsii.String("Role"), &iamrole.IamRoleConfig{
		Provider:         props.SourceProvider,
		Name:             jsii.String(g.RoleName),
		Description:      jsii.String("S3 replication of CloudTrail logs from " + g.SourceBucket + " to " + g.DestinationBucket),
		AssumeRolePolicy: jsii.String(trustJSON),
	})
	// KMS refuses a key policy naming a role that does not exist yet.
	props.Key.dependOn(jsii.String(*role.TerraformResourceType() + "." + *cdktf.TerraformStack_Of(role).GetLogicalId(role)))
	rolePolicy := iamrolepolicy.NewIamRolePolicy(node, jsii.String("RolePolicy"), &iamrolepolicy.IamRolePolicyConfig{
		Provider: props.SourceProvider,
		Name:     jsii.String("s3-replication"),
		Role:     role.Id(),
		Policy:   jsii.String(permsJSON),
	})
	var token *string
	if props.ObjectLockToken != "" {
		token = jsii.String(props.ObjectLockToken)
	}
	src, dst := props.Source.locked, props.Destination.locked
	s3bucketreplicationconfiguration.NewS3BucketReplicationConfigurationA(node, jsii.String("Configuration"), &s3bucketreplicationconfiguration.S3BucketReplicationConfigurationAConfig{
		Provider: props.SourceProvider,
		Bucket:   src.bucket.Id(),
		Role:     role.Arn(),
		Token:    token,
		Rule: &[]*s3bucketreplicationconfiguration.S3BucketReplicationConfigurationRule{{
			Id:       jsii.String("recovery-copy"),
			Status:   jsii.String("Enabled"),
			Priority: jsii.Number(1),
			Filter:   &s3bucketreplicationconfiguration.S3BucketReplicationConfigurationRuleFilter{Prefix: jsii.String("")},
			// Deliberate: lifecycle expirations and deletes in the home region
			// do not remove the recovery copy, which expires on its own lifecycle.
			DeleteMarkerReplication: &s3bucketreplicationconfiguration.S3BucketReplicationConfigurationRuleDeleteMarkerReplication{Status: jsii.String("Disabled")},
			// docs/aws-rules.md#replicate-sse-kms-objects: SSE-KMS objects are replicated only when opted in.
			SourceSelectionCriteria: &s3bucketreplicationconfiguration.S3BucketReplicationConfigurationRuleSourceSelectionCriteria{
				SseKmsEncryptedObjects: &s3bucketreplicationconfiguration.S3BucketReplicationConfigurationRuleSourceSelectionCriteriaSseKmsEncryptedObjects{Status: jsii.String("Enabled")},
			},
			Destination: &s3bucketreplicationconfiguration.S3BucketReplicationConfigurationRuleDestination{
				Bucket: dst.bucket.Arn(),
				EncryptionConfiguration: &s3bucketreplicationconfiguration.S3BucketReplicationConfigurationRuleDestinationEncryptionConfiguration{
					ReplicaKmsKeyId: destinationKey,
				},
			},
		}},
		// docs/aws-rules.md#replication-requirements: both buckets versioned first; Object Lock on the destination.
		DependsOn: &[]cdktf.ITerraformDependable{src.versioning, dst.versioning, dst.objectLock, rolePolicy},
	})
	return &Replication{node: node, role: role}, nil
}
