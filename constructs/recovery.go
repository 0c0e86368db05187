package constructs

import (
	"fmt"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatchmetricalarm"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrole"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrolepolicy"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketreplicationconfiguration"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/alarms"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/policy"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/rules"
)

// RecoveryBucketProps configures NewRecoveryBucket. The Object Lock mode and
// days, the lifecycle, the key prefix, the readers, the verifiers and the
// protection are those of Source, the trail bucket the recovery bucket copies, so that the
// copies are kept, expire and are readable exactly as the originals.
type RecoveryBucketProps struct {
	// Source is the trail bucket this bucket receives copies of. Required.
	Source *TrailBucket
	// BucketName of the recovery bucket. Required.
	BucketName string
	// Region of the recovery bucket: a region where Key has a replica, other
	// than Source's. Default: the region of Provider; refused when it
	// contradicts that region, required when that region is not known at
	// synthesis.
	Region string
	// Provider creates the bucket; it must be configured for Region.
	// Required in practice: the default provider is in the home region.
	Provider cdktf.TerraformProvider
	// Key encrypts the copies, with its replica in Region: a MultiRegionKey,
	// or a key made elsewhere (KeyFromArns). Required.
	Key IKey
	// AccessLogs receives this bucket's access logs; it must be in Region.
	// Default: none.
	AccessLogs *AccessLogBucket
	// AllowDestroy drops prevent_destroy from the bucket. Default: false.
	AllowDestroy bool
	// ReplicationRoleARN is the only role that may write the bucket, by
	// replication: the RoleARN() of the Grants given to NewReplication.
	// Default: none yet: NewReplication names its role when it is given this
	// bucket, and until then replication into the bucket is denied to every
	// principal.
	ReplicationRoleARN string
	// Naming labels the bucket policy's Id (Naming.Label).
	// Default: Naming{} (no label, DefaultAlarmNamespacePrefix).
	Naming Naming
}

// RecoveryBucket receives S3 replicas of the trail's log files in another
// region, with the same protections as the trail bucket. It is a construct;
// the bucket and its settings are its children.
type RecoveryBucket struct {
	constructs.Construct
	key          IKey
	name, region string
	// What its policy is generated from (the Source's).
	partition, keyPrefix string
	readers              []string
	protection           *policy.Protection
	// verifiers, and the trail account and organization whose paths they
	// verify: the Source's.
	verifiers                    []string
	trailAccount, organizationID string
	naming                       Naming
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
	props.Naming.validate(&l, "RecoveryBucketProps.Naming", "")
	facts := readProvider(scope, props.Provider)
	props.Region = resolveRegion(&l, "RecoveryBucketProps.Region", props.Region, facts)
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
	// The replication re-encrypts the copies with the source's key's replica
	// in this region: one multi-region key (NewReplication checks it too).
	if !isNil(props.Key) && !sameKey(props.Key, src.key, src.region) {
		l.Addf("RecoveryBucketProps.Key", keyName(props.Key), "must be the key of the bucket it copies (%s): the copies are encrypted with that key's replica in this region", keyName(src.key))
	}
	var verifiers []string
	if src.bound() {
		verifiers = src.verifiers
	} else if len(src.verifiers) > 0 {
		l.Addf("RecoveryBucketProps.Source", src.BucketName(), "has Verifiers but no trail yet, and the verifiers' grants name the trail's write paths: call NewTrail with the source bucket first, or name the trail in TrailBucketProps.Trail")
	}
	r := &RecoveryBucket{
		key:             props.Key,
		name:            props.BucketName,
		region:          props.Region,
		partition:       partitionOf(src.Region()),
		keyPrefix:       src.KeyPrefix(),
		readers:         src.allReaders(),
		protection:      src.protection,
		verifiers:       verifiers,
		trailAccount:    src.Trail().Account,
		organizationID:  src.OrganizationID(),
		replicationRole: props.ReplicationRoleARN,
		accessLogBucket: accessLogName(props.AccessLogs),
		naming:          props.Naming,
	}
	doc, err := r.render(props.ReplicationRoleARN)
	l.Add("", rules.Rename(err, "RecoveryBucketPolicyProps.", "RecoveryBucketProps."))
	if err := l.Err(); err != nil {
		return nil, err
	}
	policyJSON, err := doc.JSON()
	if err == nil {
		err = policySize(policyJSON, rules.MaxBucketPolicyBytes, "S3")
	}
	if err != nil {
		return nil, rules.At("RecoveryBucketProps", err)
	}
	r.policyDoc = doc
	// docs/aws-rules.md#replicas-are-re-encrypted: S3 re-encrypts replicas under the destination-region key.
	keyArn, _ := props.Key.KeyArnIn(props.Region)
	requireProviderConstraint(scope)
	constructs.NewConstruct_Override(r, scope, jsii.String(id))
	r.locked = newLockedBucket(r, lockedBucketSpec{
		name: props.BucketName, provider: props.Provider, keyArn: keyArn, policyJSON: policyJSON,
		lockMode: src.lockMode, lockDays: src.lockDays, lifecycle: src.lifecycle,
		accessLogs: props.AccessLogs, allowDestroy: props.AllowDestroy,
		regionCheck: regionCheck(facts, bucketRegionCondition, props.Region, "the recovery bucket "+props.BucketName),
	})
	if r.replicationRole == "" {
		// Deployed without its role, the bucket would refuse every copy.
		r.Node().AddValidation(&unboundValidation{check: func() string {
			if r.replicationRole != "" {
				return ""
			}
			return fmt.Sprintf("the recovery bucket %s has no replication role: its policy denies every replication. Call NewReplication with this bucket, or name the role in RecoveryBucketProps.ReplicationRoleARN", r.name)
		}})
	}
	return r, nil
}

// render generates the recovery bucket's policy for the replication role
// (none: replication denied to all).
func (r *RecoveryBucket) render(role string) (policy.Document, error) {
	doc, err := policy.RecoveryBucketPolicy(policy.RecoveryBucketPolicyProps{
		Partition: r.partition, BucketName: r.name, KeyPrefix: r.keyPrefix, Readers: r.readers,
		Protection: protectionOrDefault(r.protection), ReplicationRoleARN: role,
		Verifiers: r.verifiers, TrailAccount: r.trailAccount, OrganizationID: r.organizationID,
	})
	return r.naming.document(doc), err
}

// planRole names the only role that may replicate into the bucket
// (NewReplication, for a bucket made without one). A bucket that names a
// role accepts only that one.
func (r *RecoveryBucket) planRole(field, role string) (apply func(), err error) {
	if r.replicationRole != "" {
		if r.replicationRole != role {
			return nil, &rules.Violation{Field: field, Value: role, Rule: fmt.Sprintf("must name the role the destination's policy lets replicate, %s (RecoveryBucketProps.ReplicationRoleARN)", r.replicationRole)}
		}
		return func() {}, nil
	}
	doc, err := r.render(role)
	if err != nil {
		return nil, rules.At(field, err)
	}
	j, err := doc.JSON()
	if err != nil {
		return nil, rules.At("the bucket policy of "+r.name, err)
	}
	return func() {
		r.replicationRole, r.policyDoc = role, doc
		r.locked.policy.SetPolicy(jsii.String(j))
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

// ReplicationProps configures NewReplication.
type ReplicationProps struct {
	// Source is the trail bucket. Required.
	Source *TrailBucket
	// SourceProvider is the provider of Source's region.
	// Default: the stack's default AWS provider.
	SourceProvider cdktf.TerraformProvider
	// Destination is the recovery bucket. Required.
	Destination *RecoveryBucket
	// Key encrypts both buckets. A MultiRegionKey made without a policy gets
	// the role's statements (Grants.KeyStatements) on its copies in the
	// source and destination regions, and the Source's readers' grant on the
	// recovery copies; a custom policy must carry them (build it with
	// policy.KeyPolicyProps.Replication and Region) and is not changed; the
	// owner of a key made elsewhere (KeyFromArns) must add
	// Replication.RequiredKeyStatements. Required.
	Key IKey
	// Grants names the role and both buckets. Default: composed from Source
	// (its region, name and trail's account), Destination, the key's account
	// and RoleName.
	Grants policy.Replication
	// RoleName of the replication role, when Grants is not given.
	// Default: "<trail name>-replication", when that fits the 64 characters
	// of a role name; required otherwise.
	RoleName string
	// RoleARN is an existing replication role, named Grants.RoleName in
	// Grants.Account, made with Grants.RoleTrust and a policy no wider than
	// Grants.RolePolicy (the app's bootstrap makes it, so that the
	// deploying role needs no IAM write action: docs/bootstrap.md). When
	// set, NewReplication creates no role and no role policy. Default: ""
	// (NewReplication creates both).
	RoleARN string
	// ObjectLockToken is passed to S3 when it asks for one to replicate from
	// a bucket with Object Lock. Default: none.
	ObjectLockToken string
	// Alarms creates an alarm on failed replications and the encrypted SNS
	// topic it notifies (see ReplicationAlarmsProps). Default: none; the
	// app's configuration turns it on unless told otherwise.
	Alarms *ReplicationAlarmsProps
	// Naming labels the Ids of the alarm key's and topic's policies and the
	// alarm key's description (Naming.Label).
	// Default: Naming{} (no label, DefaultAlarmNamespacePrefix).
	Naming Naming
}

// ReplicationRuleID is the id of the replication rule: the RuleId dimension
// of its replication metrics (docs/aws-rules.md#replication-metrics).
const ReplicationRuleID = "recovery-copy"

// replicationAlarmPeriodSeconds: S3 aggregates failed replications per
// minute; the alarm sums them over five minutes, like the alarms on the log
// group.
const replicationAlarmPeriodSeconds = 300

// ReplicationAlarmsProps configures the alarm on the replication rule's
// failed operations (OperationsFailedReplication, which S3 publishes in the
// source bucket's region once the rule enables replication metrics) and the
// SNS topic it notifies: a standard topic in the buckets' account and the
// source region, encrypted with a customer managed key of its own that only
// this account's CloudWatch alarms in that region may use, and to which
// only they may publish (policy.Replication.AlarmKeyPolicy and
// AlarmTopicPolicy).
type ReplicationAlarmsProps struct {
	// TopicName of the alarm topic. Default: rules.DefaultReplicationAlarmTopicName
	// of the trail's name.
	TopicName string
	// Subscriptions receive the alarm's notifications. Default: none.
	Subscriptions []SubscriptionProps
	// KeyTags tag the key that encrypts the topic (the guardrails' tag, so
	// that their policy protects it). Default: none.
	KeyTags map[string]string
	// AllowDestroy drops prevent_destroy from that key. Default: false.
	AllowDestroy bool
	// Protection, when its Deployer is set (the role that applies the
	// log-archive stack), denies the key's destruction and the topic's
	// policy, attribute and deletion changes to everyone but that role and
	// the BreakGlass principals (policy.Replication.ProtectedAlarmKeyPolicy
	// and ProtectedAlarmTopicPolicy). Default: none.
	Protection *policy.Protection
}

// Replication copies every log file, as it arrives, from the trail bucket to
// the recovery bucket, re-encrypted with the key's replica there. It is a
// construct; the role, its policy, the replication configuration and the
// alarm are its children.
type Replication struct {
	constructs.Construct
	roleArn, roleName *string
	grants            policy.Replication
}

// RoleArn is the replication role's ARN: a Terraform reference, or
// ReplicationProps.RoleARN.
func (r *Replication) RoleArn() *string { return r.roleArn }

// RoleName is the replication role's name (policy.Replication.RoleName).
func (r *Replication) RoleName() *string { return r.roleName }

func (p *ReplicationProps) validate() (bind func(), err error) {
	var l rules.List
	p.Naming.validate(&l, "ReplicationProps.Naming", "")
	if p.Source == nil {
		l.Addf("ReplicationProps.Source", "nil", "is required")
	}
	if p.Destination == nil {
		l.Addf("ReplicationProps.Destination", "nil", "is required")
	}
	if isNil(p.Key) {
		l.Addf("ReplicationProps.Key", "nil", "is required")
	}
	if l.Len() == 0 && p.Grants == (policy.Replication{}) {
		p.Grants = p.defaultGrants(&l)
	}
	if l.Len() > 0 {
		return nil, l.Err()
	}
	l.Add("", p.Grants.Validate("ReplicationProps.Grants"))
	if p.RoleARN != "" && p.RoleARN != p.Grants.RoleARN() {
		l.Addf("ReplicationProps.RoleARN", p.RoleARN, "must be the role the grants name (%s): the key and recovery bucket policies name it", p.Grants.RoleARN())
	}
	if l.Len() > 0 {
		return nil, l.Err()
	}
	// The role decrypts with the key of the source objects and encrypts
	// with the destination's: one multi-region key, the buckets' own.
	if !sameKey(p.Key, p.Source.key, p.Source.region) {
		l.Addf("ReplicationProps.Key", keyName(p.Key), "must be the source bucket's key (TrailBucketProps.Key, %s), which encrypts the objects it replicates", keyName(p.Source.key))
	}
	if !sameKey(p.Key, p.Destination.key, p.Destination.region) {
		l.Addf("ReplicationProps.Key", keyName(p.Key), "must be the recovery bucket's key (RecoveryBucketProps.Key, %s), which encrypts the copies", keyName(p.Destination.key))
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
	if a := p.Alarms; a != nil {
		if a.TopicName != "" {
			l.Add("ReplicationProps.Alarms.TopicName", rules.TopicName(a.TopicName))
		}
		for i, s := range a.Subscriptions {
			if s.Protocol == "" || s.Endpoint == "" {
				l.Addf(fmt.Sprintf("ReplicationProps.Alarms.Subscriptions[%d]", i), s, "needs a protocol and an endpoint")
			}
		}
	}
	bindRole, err := p.Destination.planRole("ReplicationProps.Grants", g.RoleARN())
	l.Add("", err)
	addKeyStatements := func() {}
	if k, ok := p.Key.(*MultiRegionKey); ok {
		if k.derived {
			addKeyStatements, err = k.planMissing(p.keyStatements)
			l.Add("", err)
		} else {
			for _, region := range []string{g.SourceRegion, g.DestinationRegion} {
				doc, ok := k.PolicyIn(region)
				if ok && !keyPolicyHas(doc, g.KeyStatements(region)) {
					l.Addf("ReplicationProps.Key", g.RoleARN(), "the policy of the key copy in %s must allow the replication role (key policies of replicas are not synchronized): build it with policy.KeyPolicyProps.Replication and Region %q", region, region)
				}
			}
		}
	}
	if err := l.Err(); err != nil {
		return nil, err
	}
	return func() { bindRole(); addKeyStatements() }, nil
}

// defaultGrants composes the grants from the buckets, the key and RoleName.
func (p *ReplicationProps) defaultGrants(l *rules.List) policy.Replication {
	t := p.Source.Trail()
	if t == (policy.Trail{}) {
		l.Addf("ReplicationProps.Source", p.Source.BucketName(), "has no trail yet, and the replication role may decrypt under its trail's encryption context: call NewTrail with the source bucket first, or give Grants")
		return policy.Replication{}
	}
	var account string
	switch k := p.Key.(type) {
	case *MultiRegionKey:
		account = k.Account()
	case *ExistingKey:
		account = k.Account()
	}
	if account == "" {
		l.Addf("ReplicationProps.Grants", "", "is required: the key's account is not known")
	}
	role := p.RoleName
	if role == "" {
		role = t.Name + "-replication"
		if rules.RoleName(role) != nil {
			l.Addf("ReplicationProps.RoleName", "", "is required: the default %q is not a valid role name", role)
		}
	}
	return policy.Replication{
		Partition: t.Partition, Account: account, RoleName: role,
		SourceRegion: p.Source.Region(), SourceBucket: p.Source.BucketName(),
		DestinationRegion: p.Destination.Region(), DestinationBucket: p.Destination.BucketName(),
		TrailAccount: t.Account,
	}
}

// keyStatements are what the key copy in region needs for the replication:
// the role's grants and, on the destination copy, the readers' and the
// verifiers' grants on the recovery copies (as policy.KeyPolicy writes
// them).
func (p *ReplicationProps) keyStatements(region string) []policy.Statement {
	g := p.Grants
	out := g.KeyStatements(region)
	if readers := p.Destination.readers; region == g.DestinationRegion && len(readers) > 0 {
		// The recovery bucket's readers (its Source's when it was made)
		// were checked then.
		if s, err := g.RecoveryReaders(readers); err == nil {
			out = append(out, s)
		}
	}
	if v := p.Source.verification(p.Destination); v != nil && region == g.DestinationRegion {
		// Checked when the source bucket was made.
		if s, err := v.KeyStatements(region); err == nil {
			out = append(out, s...)
		}
	}
	return out
}

// RequiredKeyStatements are the statements the policy of the key copy in
// region must hold for the replication: what the owner of a key made
// elsewhere must add to its source and destination copies. A MultiRegionKey
// got them, or was checked for them.
func (r *Replication) RequiredKeyStatements(region string) []policy.Statement {
	return r.grants.KeyStatements(region)
}

// Grants are the role's and buckets' names the replication was made with.
func (r *Replication) Grants() policy.Replication { return r.grants }

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
	if props.Source != nil {
		// The replication configuration and its alarm are created by
		// SourceProvider, in the source bucket's region (where S3 publishes
		// the replication metrics, docs/aws-rules.md#replication-metrics).
		var l rules.List
		if f := readProvider(scope, props.SourceProvider); f.region != "" && f.region != props.Source.Region() {
			l.Addf("ReplicationProps.SourceProvider", f.region, "its region contradicts the source bucket's region %s: the replication configuration and its alarm must be created there", props.Source.Region())
		}
		if err := l.Err(); err != nil {
			return nil, err
		}
	}
	bind, err := props.validate()
	if err != nil {
		return nil, err
	}
	// The key must wait for the role (depends_on), which works within a stack.
	key, ownKey := props.Key.(*MultiRegionKey)
	if ownKey {
		if a, b := *cdktf.TerraformStack_Of(scope).Node().Path(), *cdktf.TerraformStack_Of(key).Node().Path(); a != b {
			return nil, &rules.Violation{Field: "ReplicationProps.Key", Rule: "must be in the stack of the replication (" + a + ")", Value: b}
		}
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
	alarm, err := planReplicationAlarm(props)
	if err != nil {
		return nil, err
	}
	bind()
	requireProviderConstraint(scope)
	r := &Replication{grants: g}
	constructs.NewConstruct_Override(r, scope, jsii.String(id))
	roleArn, roleName := jsii.String(props.RoleARN), jsii.String(g.RoleName)
	var waitFor cdktf.ITerraformDependable
	if props.RoleARN == "" {
		role := iamrole.NewIamRole(r, jsii.String("Role"), &iamrole.IamRoleConfig{
			Provider:         props.SourceProvider,
			Name:             jsii.String(g.RoleName),
			Description:      jsii.String("S3 replication of CloudTrail logs from " + g.SourceBucket + " to " + g.DestinationBucket),
			AssumeRolePolicy: jsii.String(trustJSON),
		})
		// KMS refuses a key policy naming a role that does not exist yet.
		if ownKey {
			key.dependOn(jsii.String(*role.TerraformResourceType() + "." + *cdktf.TerraformStack_Of(role).GetLogicalId(role)))
		}
		waitFor = iamrolepolicy.NewIamRolePolicy(r, jsii.String("RolePolicy"), &iamrolepolicy.IamRolePolicyConfig{
			Provider: props.SourceProvider,
			Name:     jsii.String("s3-replication"),
			Role:     role.Id(),
			Policy:   jsii.String(permsJSON),
		})
		roleArn, roleName = role.Arn(), role.Name()
	}
	var token *string
	if props.ObjectLockToken != "" {
		token = jsii.String(props.ObjectLockToken)
	}
	src, dst := props.Source.locked, props.Destination.locked
	configuration := s3bucketreplicationconfiguration.NewS3BucketReplicationConfigurationA(r, jsii.String("Configuration"), &s3bucketreplicationconfiguration.S3BucketReplicationConfigurationAConfig{
		Provider: props.SourceProvider,
		Bucket:   src.bucket.Id(),
		Role:     roleArn,
		Token:    token,
		Rule: &[]*s3bucketreplicationconfiguration.S3BucketReplicationConfigurationRule{{
			Id:       jsii.String(ReplicationRuleID),
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
				// docs/aws-rules.md#replication-metrics: failures are visible
				// (OperationsFailedReplication, failure events) only with
				// replication metrics on. No event_threshold: without
				// Replication Time Control S3 refuses one
				// (docs/aws-rules.md#replication-metrics-without-rtc).
				Metrics: &s3bucketreplicationconfiguration.S3BucketReplicationConfigurationRuleDestinationMetrics{
					Status: jsii.String("Enabled"),
				},
			},
		}},
		// docs/aws-rules.md#replication-requirements: both buckets versioned first; Object Lock on the destination.
		DependsOn: replicationDependsOn(src.versioning, dst.versioning, dst.objectLock, waitFor),
	})
	if alarm != nil {
		addReplicationAlarm(r, props, *alarm, configuration)
	}
	r.roleArn, r.roleName = roleArn, roleName
	return r, nil
}

// replicationDependsOn lists the dependencies that are set.
func replicationDependsOn(deps ...cdktf.ITerraformDependable) *[]cdktf.ITerraformDependable {
	var out []cdktf.ITerraformDependable
	for _, d := range deps {
		if d != nil {
			out = append(out, d)
		}
	}
	return &out
}

// replicationAlarmPlan is the replication alarm's topic name and policies,
// computed before the first construct is added.
type replicationAlarmPlan struct {
	topicName, keyJSON, topicJSON string
}

func planReplicationAlarm(props ReplicationProps) (*replicationAlarmPlan, error) {
	a := props.Alarms
	if a == nil {
		return nil, nil
	}
	plan := replicationAlarmPlan{topicName: a.TopicName}
	if plan.topicName == "" {
		plan.topicName = rules.DefaultReplicationAlarmTopicName(props.Source.Trail().Name)
	}
	var err error
	if err := a.Protection.Validate("ReplicationProps.Alarms.Protection", props.Grants.Partition); err != nil {
		return nil, err
	}
	if plan.keyJSON, err = props.Naming.document(props.Grants.ProtectedAlarmKeyPolicy(a.Protection)).JSON(); err != nil {
		return nil, err
	}
	if plan.topicJSON, err = props.Naming.document(props.Grants.ProtectedAlarmTopicPolicy(plan.topicName, a.Protection)).JSON(); err != nil {
		return nil, err
	}
	return &plan, nil
}

// addReplicationAlarm creates the key, the topic with its policy and
// subscriptions, and the alarm on the rule's failed operations, with the
// source provider: S3 publishes the metric in the source bucket's region
// (docs/aws-rules.md#replication-metrics).
func addReplicationAlarm(node constructs.Construct, props ReplicationProps, plan replicationAlarmPlan, configuration cdktf.ITerraformDependable) {
	a, g := props.Alarms, props.Grants
	trail := props.Source.Trail().Name
	// A single-region key of its own, in the discipline of the monitoring
	// key: SNS needs a key in the topic's region, and the AWS managed
	// aws/sns key's policy cannot let CloudWatch use it.
	key := newAlarmTopicKey(node, props.SourceProvider, "AlarmKey",
		props.Naming.describe(fmt.Sprintf("CloudTrail %s: replication alarm topic", trail)), plan.keyJSON, a.KeyTags, a.AllowDestroy)
	_, topicArn := newEncryptedTopic(node, props.SourceProvider, "Alarm", plan.topicName, key.Arn(), plan.topicJSON, a.Subscriptions)
	cloudwatchmetricalarm.NewCloudwatchMetricAlarm(node, jsii.String("FailureAlarm"), &cloudwatchmetricalarm.CloudwatchMetricAlarmConfig{
		Provider:         props.SourceProvider,
		AlarmName:        jsii.String(fmt.Sprintf("%s-%s", trail, alarms.ReplicationFailures)),
		AlarmDescription: jsii.String(alarms.ReplicationFailuresDescription(g.SourceBucket, g.DestinationBucket, ReplicationRuleID)),
		Namespace:        jsii.String(alarms.ReplicationNamespace),
		MetricName:       jsii.String(alarms.ReplicationMetric),
		Dimensions: &map[string]*string{
			alarms.ReplicationSourceDimension:      jsii.String(g.SourceBucket),
			alarms.ReplicationDestinationDimension: jsii.String(g.DestinationBucket),
			alarms.ReplicationRuleDimension:        jsii.String(ReplicationRuleID),
		},
		Statistic:          jsii.String("Sum"),
		Period:             jsii.Number(replicationAlarmPeriodSeconds),
		EvaluationPeriods:  jsii.Number(1),
		Threshold:          jsii.Number(1),
		ComparisonOperator: jsii.String("GreaterThanOrEqualToThreshold"),
		// docs/aws-rules.md#replication-metrics: S3 sends the metric only
		// while replication runs; a period without data had no failure.
		// Not "ignore" (AWS's suggestion for replication metrics,
		// docs/aws-rules.md#replication-alarm-missing-data): should S3 send
		// data points only for failures (UNCONFIRMED), "ignore" would hold
		// the alarm in ALARM and swallow every later failure.
		TreatMissingData: jsii.String("notBreaching"),
		// No ok_actions: a failed replication is not retried
		// (docs/aws-rules.md#failed-replication-is-not-retried), so a return
		// to OK does not mean the recovery copy is whole again.
		AlarmActions: jsii.Strings(*topicArn),
		// The rule must enable the metrics before the alarm watches them.
		DependsOn: &[]cdktf.ITerraformDependable{configuration},
	})
}
