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
	// Naming labels the bucket policy's Id (Naming.Label).
	// Default: Naming{} (no label, DefaultAlarmNamespacePrefix).
	Naming Naming
}

// RecoveryBucket receives S3 replicas of the trail's log files in another
// region, with the same protections as the trail bucket. It is a construct;
// the bucket and its settings are its children.
type RecoveryBucket struct {
	constructs.Construct
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
	props.Naming.validate(&l, "RecoveryBucketProps.Naming", "")
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
	doc = props.Naming.document(doc)
	policyJSON, err := doc.JSON()
	if err != nil {
		return nil, err
	}
	// docs/aws-rules.md#replicas-are-re-encrypted: S3 re-encrypts replicas under the destination-region key.
	keyArn, _ := props.Key.KeyArnIn(props.Region)
	r := &RecoveryBucket{
		name:            props.BucketName,
		region:          props.Region,
		replicationRole: props.ReplicationRoleARN,
		policyDoc:       doc,
		accessLogBucket: accessLogName(props.AccessLogs),
	}
	constructs.NewConstruct_Override(r, scope, jsii.String(id))
	r.locked = newLockedBucket(r, lockedBucketSpec{
		name: props.BucketName, provider: props.Provider, keyArn: keyArn, policyJSON: policyJSON,
		lockMode: src.lockMode, lockDays: src.lockDays, lifecycle: src.lifecycle,
		accessLogs: props.AccessLogs, allowDestroy: props.AllowDestroy,
	})
	return r, nil
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
	role iamrole.IamRole
}

// RoleArn is the replication role's ARN as a Terraform reference.
func (r *Replication) RoleArn() *string { return r.role.Arn() }

// RoleName is the replication role's name (policy.Replication.RoleName).
func (r *Replication) RoleName() *string { return r.role.Name() }

func (p *ReplicationProps) validate() error {
	var l rules.List
	p.Naming.validate(&l, "ReplicationProps.Naming", "")
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
	if a, b := *cdktf.TerraformStack_Of(scope).Node().Path(), *cdktf.TerraformStack_Of(props.Key).Node().Path(); a != b {
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
	alarm, err := planReplicationAlarm(props)
	if err != nil {
		return nil, err
	}
	r := &Replication{}
	constructs.NewConstruct_Override(r, scope, jsii.String(id))
	role := iamrole.NewIamRole(r, jsii.String("Role"), &iamrole.IamRoleConfig{
		Provider:         props.SourceProvider,
		Name:             jsii.String(g.RoleName),
		Description:      jsii.String("S3 replication of CloudTrail logs from " + g.SourceBucket + " to " + g.DestinationBucket),
		AssumeRolePolicy: jsii.String(trustJSON),
	})
	// KMS refuses a key policy naming a role that does not exist yet.
	props.Key.dependOn(jsii.String(*role.TerraformResourceType() + "." + *cdktf.TerraformStack_Of(role).GetLogicalId(role)))
	rolePolicy := iamrolepolicy.NewIamRolePolicy(r, jsii.String("RolePolicy"), &iamrolepolicy.IamRolePolicyConfig{
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
	configuration := s3bucketreplicationconfiguration.NewS3BucketReplicationConfigurationA(r, jsii.String("Configuration"), &s3bucketreplicationconfiguration.S3BucketReplicationConfigurationAConfig{
		Provider: props.SourceProvider,
		Bucket:   src.bucket.Id(),
		Role:     role.Arn(),
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
		DependsOn: &[]cdktf.ITerraformDependable{src.versioning, dst.versioning, dst.objectLock, rolePolicy},
	})
	if alarm != nil {
		addReplicationAlarm(r, props, *alarm, configuration)
	}
	r.role = role
	return r, nil
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
