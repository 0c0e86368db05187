package constructs

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudtrail"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/policy"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/rules"
)

// TrailProps configures NewTrail. The trail's name, home region, owner
// account, key prefix and organization come from Bucket, which was built for
// exactly one trail: the trail cannot disagree with the policy that lets it
// deliver.
type TrailProps struct {
	// Bucket receives the logs: a TrailBucket, or a bucket made elsewhere
	// (TrailBucketFromName), whose owner must add its RequiredPolicy. A
	// TrailBucket made without a trail is given this one: its policy is
	// generated for it (the AWS CDK's way: the trail adds its statements to
	// the bucket it is given). Required.
	Bucket ITrailBucket
	// Key encrypts the logs; the trail uses its copy in the bucket's region.
	// A MultiRegionKey made without a policy gets the trail's statements
	// (policy.TrailKeyStatements) on every copy; a custom policy must let
	// this trail encrypt (see policy.KeyPolicy) and is not changed; the
	// owner of a key made elsewhere (KeyFromArns) must add
	// RequiredKeyStatements to the policy of that copy. Required.
	Key IKey
	// Name of the trail. Default: the name of the Bucket's trail; required
	// when the bucket has none yet.
	Name string
	// Account owns the trail: for an organization trail, the management
	// account. Default: the account of the Bucket's trail; when the bucket
	// has none yet, the account of Provider (or of the stack's default AWS
	// provider) when it allows exactly one (allowed_account_ids), else
	// required; always required then with MonitoringAccount (a delegated
	// administrator creates the trail, the management account owns it).
	Account string
	// OrganizationID makes the trail an organization trail of this
	// organization. Default: the Bucket's; it may be set only when the
	// bucket has no trail yet, or to the bucket's own value.
	OrganizationID string
	// Provider creates the trail; it must be configured for the trail's home
	// region in the account that creates it (the owner, or
	// MonitoringAccount). Its region is the trail's home region: a bucket
	// whose trail names another region is refused, as is a provider that
	// allows only another account.
	// Default: the stack's default AWS provider.
	Provider cdktf.TerraformProvider
	// MultiRegion logs events from every region. Default: true.
	MultiRegion *bool
	// IncludeGlobalServiceEvents logs IAM, STS and other global services;
	// it must be true for a multi-region trail. Default: true.
	IncludeGlobalServiceEvents *bool
	// EnableLogFileValidation writes signed digest files. Default: true.
	EnableLogFileValidation *bool
	// CloudWatchLogs also delivers events to an encrypted log group.
	// Default: none.
	CloudWatchLogs *CloudWatchLogsProps
	// Notifications announces every delivered log file on an encrypted SNS
	// topic that only this trail may publish to. Default: none.
	Notifications *NotificationProps
	// DataEvents logs S3 object-level and Lambda invoke events.
	// Default: none (management events and the log buckets' events only).
	DataEvents *DataEventsProps
	// LogBuckets are the other buckets that hold this trail's logs, their
	// copies or their access logs (a recovery bucket and its access-log
	// bucket). Every data event on their objects and on those of Bucket and
	// its access-log bucket is logged, whatever DataEvents says, except the
	// writes that deliver logs (policy.LogDeliveryEventNames), so that
	// reads, deletions and retention changes are recorded and nothing loops.
	// Default: none beyond Bucket and its access-log bucket.
	LogBuckets []string
	// ReplicationRoleARN is the role that replicates this trail's logs to a
	// recovery bucket (RecoveryBucket.ReplicationRoleARN). Changes to it and
	// to the CloudWatch Logs delivery role are alarmed, when the trail logs
	// its account (the pipeline-role-changes tampering alarm).
	// Default: none (no replication).
	ReplicationRoleARN string
	// Insights logs ApiCallRateInsight and ApiErrorRateInsight events.
	// Default: false.
	Insights bool
	// AllowDestroy drops prevent_destroy from the monitoring key and the log
	// group. Default: false.
	AllowDestroy bool
	// MonitoringAccount is the account of Provider, which creates the trail
	// and holds its log group, delivery role, topic and their key: a CloudTrail
	// delegated administrator's. The trail's ARN keeps naming its owner, the
	// management account (policy.MonitoringHolder cites why).
	// Default: the trail owner (the bucket's trail identity's account).
	MonitoringAccount string
	// MonitoringProtection guards the monitoring key and topics with their
	// own resource policies, which bind every principal of MonitoringAccount
	// (the management account's too, which no service control policy binds):
	// when its Deployer is set (the role that applies this stack), the key
	// policy denies policy.KeyDestructionActions and each topic policy
	// denies policy.TopicChangeActions to everyone but the Deployer and the
	// BreakGlass principals. Default: none (no such denies).
	MonitoringProtection *policy.Protection
	// MonitoringKeyTags are set on the monitoring key (the key of the log
	// group and the topics), for example policy.GuardTagKey, which a service
	// control policy can deny changes on (its id is known only after
	// apply). Default: none.
	MonitoringKeyTags map[string]string
	// Naming labels the Ids of the monitoring, alarm and watchdog policies
	// and the descriptions of the monitoring and watchdog keys
	// (Naming.Label), and prefixes the namespace of the alarms' metrics
	// (Naming.AlarmNamespacePrefix).
	// Default: Naming{} (no label, DefaultAlarmNamespacePrefix).
	Naming Naming
}

// Trail is an aws_cloudtrail resource wired to its bucket and key. It is a
// construct; the trail and its monitoring resources are its children.
type Trail struct {
	constructs.Construct
	identity policy.Trail
	trail    cloudtrail.Cloudtrail
	mon      monitoring
	// logGroupName and topicName as resolved (TrailProps.withDefaults).
	logGroupName, topicName string
}

func boolOr(v *bool, def bool) bool {
	if v == nil {
		return def
	}
	return *v
}

func (p *TrailProps) validate() (keyArn *string, err error) {
	var l rules.List
	if isNil(p.Bucket) {
		l.Addf("TrailProps.Bucket", "nil", "is required")
		p.Bucket = nil
	}
	if isNil(p.Key) {
		l.Addf("TrailProps.Key", "nil", "is required")
		p.Key = nil
	}
	if p.Bucket != nil && p.Key != nil {
		// docs/aws-rules.md#key-in-the-buckets-region: the key given to the trail must be in the bucket's region.
		if keyArn, err = p.Key.KeyArnIn(p.Bucket.Region()); err != nil {
			l.Add("TrailProps.Key", err)
		}
		// CloudTrail encrypts the log files with the trail's key, not the
		// bucket's default one: readers are granted on the bucket's key, so
		// the two must be one.
		if b, ok := ownedBucket(p.Bucket); ok && !sameKey(b.key, p.Key, b.region) {
			l.Addf("TrailProps.Key", keyName(p.Key), "must be the key of the bucket %s (TrailBucketProps.Key, %s): CloudTrail encrypts the log files with the trail's key, and the bucket's readers are granted the bucket's", b.name, keyName(b.key))
		}
		// A key made elsewhere has a policy we cannot see: its owner adds
		// RequiredKeyStatements. A key made without a policy gets the
		// trail's statements (NewTrail adds them); a custom one is checked.
		if k, ok := p.Key.(*MultiRegionKey); ok && !k.derived && !allowsTrail(keyPolicyIn(k, p.Bucket.Region()), p.Bucket.Trail().ARN()) {
			l.Addf("TrailProps.Key", p.Bucket.Trail().ARN(), "the key policy must let this trail encrypt: no statement allows kms:GenerateDataKey* to %s with aws:SourceArn equal to the trail ARN (build it with policy.KeyPolicy)", policy.CloudTrailService)
		}
	}
	trailName := ""
	if p.Bucket != nil {
		trailName = p.Bucket.Trail().Name
	}
	p.Naming.validate(&l, "TrailProps.Naming", trailName)
	if p.Bucket != nil {
		p.validateMonitoring(&l, p.Bucket.Trail())
		p.validateLogBuckets(&l)
	} else {
		p.DataEvents.validate(&l)
	}
	p.validateMonitoringAccount(&l)
	if p.Bucket != nil {
		l.Add("", p.MonitoringProtection.Validate("TrailProps.MonitoringProtection", p.Bucket.Trail().Partition))
	}
	// Sorted, so that the violations come in a stable order.
	for _, k := range slices.Sorted(maps.Keys(p.MonitoringKeyTags)) {
		l.Add(fmt.Sprintf("TrailProps.MonitoringKeyTags[%q]", k), rules.Tag(k, p.MonitoringKeyTags[k]))
	}
	if boolOr(p.MultiRegion, true) && !boolOr(p.IncludeGlobalServiceEvents, true) {
		// docs/aws-rules.md#global-service-events: InvalidParameterCombinationException otherwise.
		l.Addf("TrailProps.IncludeGlobalServiceEvents", false, "must be true when MultiRegion is true (CloudTrail rejects the combination)")
	}
	return keyArn, l.Err()
}

// keyPolicyIn is the policy of k's copy in region (the one the trail uses),
// or the primary's when k has none there (KeyArnIn reports that).
func keyPolicyIn(k *MultiRegionKey, region string) policy.Document {
	if doc, ok := k.PolicyIn(region); ok {
		return doc
	}
	return k.Policy()
}

// allowsTrail reports whether doc has an Allow statement giving CloudTrail
// kms:GenerateDataKey* on condition aws:SourceArn = trailArn.
func allowsTrail(doc policy.Document, trailArn string) bool {
	for _, s := range doc.Statement {
		if s.Effect != policy.Allow || !slices.Contains(s.Principal.Service, policy.CloudTrailService) || !slices.Contains(s.Action, "kms:GenerateDataKey*") {
			continue
		}
		if slices.Contains(s.Condition["StringEquals"]["aws:SourceArn"], trailArn) {
			return true
		}
	}
	return false
}

// NewTrail creates the trail: multi-region, global service events and log
// file validation on unless told otherwise, an organization trail when the
// bucket accepts an organization's logs, encrypted with the key copy in the
// bucket's region. The trail waits for the bucket policy and the key: in the
// same stack through depends_on, across stacks through a stack dependency.
func NewTrail(scope constructs.Construct, id string, props TrailProps) (*Trail, error) {
	if err := checkScope(scope, id, "NewTrail"); err != nil {
		return nil, err
	}
	var l rules.List
	facts := readProvider(scope, props.Provider)
	bind := props.resolveTrail(&l, facts)
	if l.Len() > 0 {
		return nil, l.Err()
	}
	props = props.withDefaults()
	keyArn, err := props.validate()
	if err != nil {
		return nil, err
	}
	identity := props.Bucket.Trail()
	plan, err := planMonitoring(&props, identity, props.Bucket.OrganizationID(), props.alarmTargets(keyArn))
	if err != nil {
		return nil, err
	}
	bindBucket, readerGrants, err := bind()
	if err != nil {
		return nil, err
	}
	addKeyStatements, err := props.planKeyStatements(identity, readerGrants)
	if err != nil {
		return nil, err
	}
	// Nothing can fail from here on: the bucket and the key learn of the
	// trail, then the trail's resources are created.
	bindBucket()
	addKeyStatements()
	requireProviderConstraint(scope)
	t := &Trail{identity: identity}
	constructs.NewConstruct_Override(t, scope, jsii.String(id))

	var dependsOn []cdktf.ITerraformDependable
	trailStack := cdktf.TerraformStack_Of(t)
	trailStackPath := *trailStack.Node().Path()
	type dependency struct {
		node  constructs.Construct
		items []cdktf.ITerraformDependable
	}
	// Only what we create can be waited for: a bucket or key made elsewhere
	// exists before this stack is deployed.
	var deps []dependency
	if b, ok := ownedBucket(props.Bucket); ok {
		deps = append(deps, dependency{b, []cdktf.ITerraformDependable{b.PolicyResource()}})
	}
	if k, ok := props.Key.(*MultiRegionKey); ok {
		deps = append(deps, dependency{k, k.dependablesIn(props.Bucket.Region())})
	}
	for _, dep := range deps {
		other := cdktf.TerraformStack_Of(dep.node)
		if *other.Node().Path() == trailStackPath {
			dependsOn = append(dependsOn, dep.items...)
		} else {
			// CloudTrail checks both policies at CreateTrail: the other stack
			// must be deployed first.
			trailStack.AddDependency(other)
		}
	}

	mon := addMonitoring(t, &props, identity, plan)
	dependsOn = append(dependsOn, mon.dependsOn...)

	var prefix *string
	if p := props.Bucket.KeyPrefix(); p != "" {
		prefix = jsii.String(p)
	}
	cfg := &cloudtrail.CloudtrailConfig{
		Provider:                   props.Provider,
		Name:                       jsii.String(identity.Name),
		S3BucketName:               jsii.String(props.Bucket.BucketName()),
		S3KeyPrefix:                prefix,
		KmsKeyId:                   keyArn, // docs/aws-rules.md#full-key-arn: a full key ARN, never an alias (permanent diff)
		EnableLogging:              jsii.Bool(true),
		IsMultiRegionTrail:         jsii.Bool(boolOr(props.MultiRegion, true)),
		IncludeGlobalServiceEvents: jsii.Bool(boolOr(props.IncludeGlobalServiceEvents, true)),
		EnableLogFileValidation:    jsii.Bool(boolOr(props.EnableLogFileValidation, true)),
		IsOrganizationTrail:        jsii.Bool(props.Bucket.OrganizationID() != ""),
		CloudWatchLogsGroupArn:     mon.logGroupArn,
		CloudWatchLogsRoleArn:      mon.roleArn,
		SnsTopicName:               mon.topicName,
	}
	cfg.AdvancedEventSelector = advancedEventSelectors(props.dataEventSelection())
	if sel := insightSelectors(props.Insights); sel != nil {
		cfg.InsightSelector = sel
	}
	if len(dependsOn) > 0 {
		cfg.DependsOn = &dependsOn
	}
	if mon.topicByArn {
		// docs/aws-rules.md#sns-topic-name: CreateTrail gets the ARN; the
		// provider reads back the bare name, which would show a change at
		// every plan and an UpdateTrail (and the CloudTrail-changes alarm)
		// at every apply. So later differences of sns_topic_name are
		// ignored, and a postcondition fails the plan or apply when the
		// trail's topic is not this topic.
		cfg.Lifecycle = &cdktf.TerraformResourceLifecycle{
			IgnoreChanges: &[]*string{jsii.String("sns_topic_name")},
			Postcondition: &[]*cdktf.Postcondition{{
				Condition:    jsii.String("${self.sns_topic_arn == " + *mon.topic.Arn() + "}"),
				ErrorMessage: jsii.String("the trail's SNS topic is not the notification topic this stack created: sns_topic_name changed outside Terraform"),
			}},
		}
	}
	t.mon = mon
	if c := props.CloudWatchLogs; c != nil {
		t.logGroupName = c.LogGroupName
	}
	if n := props.Notifications; n != nil {
		t.topicName = n.TopicName
	}
	cfg.Lifecycle = withPostcondition(cfg.Lifecycle, regionCheck(facts, trailRegionCondition, identity.Region, "the trail "+identity.Name))
	t.trail = cloudtrail.NewCloudtrail(t, jsii.String("Trail"), cfg)
	return t, nil
}

// RequiredKeyStatements are the statements the policy of the key copy the
// trail uses must hold so that the trail can encrypt with it (see
// policy.TrailKeyStatements): what the owner of a key made elsewhere must
// add. A MultiRegionKey's policy was checked for them already.
func (t *Trail) RequiredKeyStatements() ([]policy.Statement, error) {
	return policy.TrailKeyStatements(t.identity)
}

// TrailArn is the trail's ARN as composed from its identity; it equals the
// ARN AWS assigns, and is what every policy names.
func (t *Trail) TrailArn() string { return t.identity.ARN() }

// Identity is the trail's partition, home region, owner account and name.
func (t *Trail) Identity() policy.Trail { return t.identity }

// Resource is the aws_cloudtrail resource.
func (t *Trail) Resource() cloudtrail.Cloudtrail { return t.trail }

// TrailName is the trail's name.
func (t *Trail) TrailName() string { return t.identity.Name }

// LogGroupName is the name of the CloudWatch Logs log group, or "" without
// TrailProps.CloudWatchLogs.
func (t *Trail) LogGroupName() string { return t.logGroupName }

// LogGroupArn is the log group's ARN as a Terraform reference (without the
// ":*" suffix the trail's setting carries), or nil without
// TrailProps.CloudWatchLogs.
func (t *Trail) LogGroupArn() *string {
	if t.mon.group == nil {
		return nil
	}
	return t.mon.group.Arn()
}

// CloudWatchLogsRoleArn is the ARN of the role CloudTrail delivers to the log
// group with, or nil without TrailProps.CloudWatchLogs.
func (t *Trail) CloudWatchLogsRoleArn() *string {
	return t.mon.roleArn
}

// TopicArn is the notification topic's ARN, or nil without
// TrailProps.Notifications.
func (t *Trail) TopicArn() *string {
	if t.mon.topic == nil {
		return nil
	}
	return t.mon.topic.Arn()
}

// TopicName is the notification topic's name, or "" without
// TrailProps.Notifications.
func (t *Trail) TopicName() string { return t.topicName }

// AlarmTopicArn is the alarm topic's ARN, or nil without
// CloudWatchLogsProps.Alarms.
func (t *Trail) AlarmTopicArn() *string {
	if t.mon.alarmTopic == nil {
		return nil
	}
	return t.mon.alarmTopic.Arn()
}

// MonitoringKeyArn is the ARN of the single-region key that encrypts the log
// group and the topics, or nil when the trail has neither CloudWatchLogs nor
// Notifications.
func (t *Trail) MonitoringKeyArn() *string {
	if t.mon.key == nil {
		return nil
	}
	return t.mon.key.Arn()
}

// logBuckets are the bucket names whose data events the trail logs apart:
// the trail bucket, its access-log bucket and LogBuckets.
func (p *TrailProps) logBuckets() []string {
	out := append([]string(nil), p.LogBuckets...)
	if p.Bucket != nil {
		out = append(out, p.Bucket.BucketName())
		if a := p.Bucket.AccessLogBucketName(); a != "" {
			out = append(out, a)
		}
	}
	return out
}

// dataEventSelection is what the trail logs besides management events.
func (p *TrailProps) dataEventSelection() policy.DataEventSelection {
	sel := policy.DataEventSelection{Partition: p.Bucket.Trail().Partition, LogBuckets: p.logBuckets()}
	if d := p.DataEvents; d != nil {
		sel.S3Read, sel.S3Write, sel.S3Buckets, sel.Lambda = d.S3Read, d.S3Write, d.S3Buckets, d.Lambda
	}
	return sel
}

// validateLogBuckets refuses data event buckets that are log buckets: their
// events are logged apart, without the deliveries that would loop.
func (p *TrailProps) validateLogBuckets(l *rules.List) {
	for i, b := range p.LogBuckets {
		l.Add(fmt.Sprintf("TrailProps.LogBuckets[%d]", i), rules.BucketName(b))
	}
	if p.ReplicationRoleARN != "" {
		if _, err := rules.RoleARN(p.ReplicationRoleARN, p.Bucket.Trail().Partition); err != nil {
			l.Add("TrailProps.ReplicationRoleARN", err)
		}
	}
	if n := policy.CountSelectorValues(p.dataEventSelection().Selectors()); n > policy.MaxSelectorValues {
		l.Addf("TrailProps", n, "the event selectors need %d values, more than the %d CloudTrail allows per trail: name fewer buckets", n, policy.MaxSelectorValues)
	}
	if p.DataEvents == nil {
		return
	}
	own := map[string]bool{}
	for _, b := range p.logBuckets() {
		own[b] = true
	}
	for i, b := range p.DataEvents.S3Buckets {
		if own[b] {
			l.Addf(fmt.Sprintf("TrailProps.DataEvents.S3Buckets[%d]", i), b, "is one of the trail's log buckets, whose data events are always logged but for log deliveries; naming it here would log every delivery, recursively")
		}
	}
}

// alarmTargets names what the tampering alarms watch: the key the trail
// uses and its alias, and the log buckets. Their events reach the trail's
// log group only when the trail logs the key's account: an organization
// trail, or an account trail in that same account.
func (p *TrailProps) alarmTargets(keyArn *string) alarmTargets {
	var acct, alias string
	switch k := p.Key.(type) {
	case *MultiRegionKey:
		acct, alias = keyAccount(k.Policy()), k.Alias()
	case *ExistingKey:
		acct = k.Account()
	}
	t := p.Bucket.Trail()
	logged := func(account string) bool { return p.Bucket.OrganizationID() != "" || account == t.Account }
	// The pipeline roles: the replication role (the bucket's account) and
	// the delivery role, which the trail's creator holds and whose name
	// Terraform generates from its prefix (addMonitoring).
	var roles []string
	if r := p.ReplicationRoleARN; r != "" {
		if a, err := arn.Parse(r); err == nil && logged(a.AccountID) {
			roles = append(roles, r)
		}
	}
	if p.CloudWatchLogs != nil {
		holder := policy.MonitoringHolder(t, p.MonitoringAccount)
		roles = append(roles, fmt.Sprintf("arn:%s:iam::%s:role/%s*", t.Partition, holder.Account, cloudWatchRoleNamePrefix))
	}
	return alarmTargets{
		keyArn:        keyArn,
		keyAccount:    acct,
		keyAlias:      alias,
		keyRegions:    p.Key.Regions(),
		buckets:       p.logBuckets(),
		covered:       acct != "" && logged(acct),
		pipelineRoles: roles,
	}
}

// validateMonitoringAccount checks MonitoringAccount: an account id, and one
// apart from the trail owner only for an organization trail (only those have
// a delegated administrator).
func (p *TrailProps) validateMonitoringAccount(l *rules.List) {
	if p.MonitoringAccount == "" {
		return
	}
	l.Add("TrailProps.MonitoringAccount", rules.AccountID(p.MonitoringAccount))
	if p.Bucket != nil && p.MonitoringAccount != p.Bucket.Trail().Account && p.Bucket.OrganizationID() == "" {
		l.Addf("TrailProps.MonitoringAccount", p.MonitoringAccount, "differs from the trail owner %s, which only a delegated administrator of an organization trail may (the bucket has no organization)", p.Bucket.Trail().Account)
	}
}

// trailView is a TrailBucket made without a trail, seen with the trail
// NewTrail is about to give it: everything NewTrail checks and plans reads
// the trail from the bucket, before the bucket itself is changed.
type trailView struct {
	*TrailBucket
	trail policy.Trail
	org   string
}

func (v *trailView) Trail() policy.Trail    { return v.trail }
func (v *trailView) OrganizationID() string { return v.org }

// ownedBucket is the TrailBucket behind b, when this app creates it.
func ownedBucket(b ITrailBucket) (*TrailBucket, bool) {
	switch x := b.(type) {
	case *TrailBucket:
		return x, true
	case *trailView:
		return x.TrailBucket, true
	}
	return nil, false
}

// resolveTrail settles the trail's identity: the bucket's trail, checked
// against Name, Account, OrganizationID and the provider (f); or, for a
// TrailBucket made without a trail, one composed from Name, Account (or the
// provider's account) and the provider's region, which the bucket is then
// seen with (trailView). bind plans giving the bucket that trail; it is a
// no-op for a bucket that has one.
func (p *TrailProps) resolveTrail(l *rules.List, f providerFacts) (bind func() (func(), map[string][]policy.Statement, error)) {
	none := func() (func(), map[string][]policy.Statement, error) { return func() {}, nil, nil }
	if isNil(p.Bucket) {
		return none
	}
	t := p.Bucket.Trail()
	if t != (policy.Trail{}) {
		if p.Name != "" && p.Name != t.Name {
			l.Addf("TrailProps.Name", p.Name, "contradicts the name of the bucket's trail, %q: a trail bucket serves one trail", t.Name)
		}
		if p.Account != "" && p.Account != t.Account {
			l.Addf("TrailProps.Account", p.Account, "contradicts the account of the bucket's trail, %s", t.Account)
		}
		if p.OrganizationID != "" && p.OrganizationID != p.Bucket.OrganizationID() {
			l.Addf("TrailProps.OrganizationID", p.OrganizationID, "contradicts the bucket's organization %q", p.Bucket.OrganizationID())
		}
		if f.region != "" && f.region != t.Region {
			l.Addf("TrailProps.Provider", f.region, "its region contradicts the home region %s of the bucket's trail, which every policy names: the trail would be created elsewhere", t.Region)
		}
		p.checkProviderAccount(l, f, t.Account)
		return none
	}
	b, ok := p.Bucket.(*TrailBucket)
	if !ok {
		l.Addf("TrailProps.Bucket", p.Bucket.BucketName(), "names no trail: a bucket made elsewhere must name the trail it accepts")
		return none
	}
	t = policy.Trail{Partition: rules.Partition(f.region), Region: f.region, Account: p.Account, Name: p.Name}
	// The provider's account creates the trail; it owns it unless a
	// delegated administrator (MonitoringAccount) creates it for the
	// management account, which then owns it
	// (docs/aws-rules.md#trail-owner): that owner must be named.
	if t.Account == "" && p.MonitoringAccount == "" {
		t.Account = f.account
	}
	if f.region == "" {
		l.Addf("TrailProps.Provider", "", "must be an AWS provider whose region is known at synthesis: the bucket %s has no trail yet, and the trail's ARN names its home region", b.BucketName())
	}
	if p.Name == "" {
		l.Addf("TrailProps.Name", "", "is required: the bucket %s has no trail yet", b.BucketName())
	}
	switch {
	case t.Account == "" && p.MonitoringAccount != "":
		l.Addf("TrailProps.Account", "", "is required: the bucket %s has no trail yet, and a trail created by a delegated administrator (MonitoringAccount) is owned by the management account", b.BucketName())
	case t.Account == "":
		l.Addf("TrailProps.Account", "", "is required: the bucket %s has no trail yet, and the provider does not allow exactly one account", b.BucketName())
	}
	// The organization is the bucket's, unless the trail names it; never
	// two different ones.
	org := p.OrganizationID
	switch {
	case org == "":
		org = b.organizationID
	case b.organizationID != "" && org != b.organizationID:
		l.Addf("TrailProps.OrganizationID", org, "contradicts the bucket's organization %q (TrailBucketProps.OrganizationID)", b.organizationID)
	}
	if l.Len() > 0 {
		return none
	}
	l.Add("", t.Validate("TrailProps.Trail"))
	if p.OrganizationID != "" {
		l.Add("TrailProps.OrganizationID", rules.OrganizationID(p.OrganizationID))
	}
	p.checkProviderAccount(l, f, t.Account)
	p.Bucket = &trailView{TrailBucket: b, trail: t, org: org}
	return func() (func(), map[string][]policy.Statement, error) { return b.planBind("TrailProps.Bucket", t, org) }
}

// checkProviderAccount refuses a provider that allows only an account other
// than the one that creates the trail (MonitoringAccount, or the owner).
func (p *TrailProps) checkProviderAccount(l *rules.List, f providerFacts, owner string) {
	creator := owner
	if p.MonitoringAccount != "" {
		creator = p.MonitoringAccount
	}
	if f.account != "" && f.account != creator {
		l.Addf("TrailProps.Provider", f.account, "allows only account %s, but the trail is created by account %s (the trail's owner, or MonitoringAccount)", f.account, creator)
	}
}

// planKeyStatements plans, on every copy of a MultiRegionKey made without a
// policy, the trail's statements and readerGrants (the readers' grants of a
// bucket NewTrail gives its trail), in one change (a custom policy was
// checked by validate).
func (p *TrailProps) planKeyStatements(t policy.Trail, readerGrants map[string][]policy.Statement) (apply func(), err error) {
	k, ok := p.Key.(*MultiRegionKey)
	if !ok || !k.derived {
		return func() {}, nil
	}
	if err := k.servesOneTrail("TrailProps.Key", t); err != nil {
		return nil, err
	}
	want, err := policy.TrailKeyStatements(t)
	if err != nil {
		return nil, rules.At("TrailProps.Key", err)
	}
	return k.planMissing(func(region string) []policy.Statement {
		return append(append([]policy.Statement(nil), want...), readerGrants[region]...)
	})
}

// sameKey reports whether a and b are one key: the same construct, or keys
// made elsewhere whose copies in region have one ARN.
func sameKey(a, b IKey, region string) bool {
	if a == b {
		return true
	}
	_, am := a.(*MultiRegionKey)
	_, bm := b.(*MultiRegionKey)
	if am || bm {
		return false
	}
	x, errA := a.KeyArnIn(region)
	y, errB := b.KeyArnIn(region)
	return errA == nil && errB == nil && *x == *y
}

// keyName names a key in a message: a MultiRegionKey by its alias, another
// by its regions' ARNs.
func keyName(k IKey) string {
	if m, ok := k.(*MultiRegionKey); ok {
		return m.alias
	}
	var arns []string
	for _, r := range k.Regions() {
		if a, err := k.KeyArnIn(r); err == nil {
			arns = append(arns, *a)
		}
	}
	return strings.Join(arns, ", ")
}
