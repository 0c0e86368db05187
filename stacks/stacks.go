package stacks

import (
	"fmt"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/provider"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/config"
	ctmrk "github.com/cloudtrail-mrk/cloudtrail-mrk/constructs"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/policy"
)

// Stack names. They are Terraform working directories and state file names:
// renaming one orphans deployed state.
const (
	CombinedStackName   = "cloudtrail-mrk"
	LogArchiveStackName = "log-archive"
	ManagementStackName = "management"
)

// ProviderSessionName is the assume-role session name of every provider, so
// that CloudTrail shows which changes this tool made.
const ProviderSessionName = "cloudtrail-mrk"

// naming is how this app labels what the constructs create, passed to every
// one of them: its label (config.AppLabel) on the Ids of the policies and on
// the descriptions of the keys and Athena resources, and "CloudTrailMrk/"
// before the trail's name in the namespace of the alarms' metrics. They are
// what the constructs wrote before the library got neutral defaults:
// another value would rewrite the policies and descriptions of every
// deployed stack and move the alarms to new, empty metrics.
var naming = ctmrk.Naming{Label: config.AppLabel, AlarmNamespacePrefix: "CloudTrailMrk/"}

// LogArchive is what the log-archive account owns.
type LogArchive struct {
	Stack cdktf.TerraformStack
	// Key is nil with key.existing_arns (ExistingKey), Bucket with
	// bucket.existing (ExistingBucket): see TrailKey and TrailBucket.
	Key            *ctmrk.MultiRegionKey
	Bucket         *ctmrk.TrailBucket
	ExistingKey    *ctmrk.ExistingKey         // nil unless key.existing_arns
	ExistingBucket *ctmrk.ExistingTrailBucket // nil unless bucket.existing
	AccessLogs     *ctmrk.AccessLogBucket     // nil when access logging is off
	Recovery       *ctmrk.RecoveryBucket      // nil when replication is off
	Athena         *ctmrk.AthenaQuery         // nil when athena is off
}

// TrailCreator is what the account that creates the trail owns
// (config.Config.TrailCreator): the trail and its monitoring. That account is
// the management account, or a delegated administrator; Stack is the
// management stack, the delegated administrator's stack, or the stack it
// shares with the log archive (one account in both roles, or the log-archive
// account as the delegated administrator).
type TrailCreator struct {
	Stack cdktf.TerraformStack
	Trail *ctmrk.Trail
	// Guardrails is nil unless guardrails.enabled without the bootstrap
	// (with it, Bootstrap.Guardrails) and the management account
	// creates the trail (NewManagementStack); with a delegated administrator
	// the registration stack holds them (Registration.Guardrails).
	Guardrails *Guardrails
}

// Stacks is the result of Build.
type Stacks struct {
	LogArchive *LogArchive
	// TrailCreator holds the trail: the management account's, or the
	// delegated administrator's when one is configured.
	TrailCreator *TrailCreator
	// Registration is the management account's stack when a delegated
	// administrator creates the trail; nil otherwise.
	Registration *Registration
	// Bootstraps are the bootstrap stacks (bootstrap.trusted_principals),
	// applied before all others with administrator credentials; none
	// otherwise.
	Bootstraps []*Bootstrap
}

// Names lists the stack names in deployment order, computed from the stacks'
// dependencies.
func (s *Stacks) Names() []string {
	all := []cdktf.TerraformStack{s.LogArchive.Stack, s.TrailCreator.Stack}
	if s.Registration != nil {
		all = append(all, s.Registration.Stack)
	}
	var names []string
	for _, b := range s.Bootstraps {
		names = append(names, *b.Stack.Node().Id())
	}
	return append(names, deploymentOrder(all)...)
}

// Build validates cfg, then adds its stacks to app: one combined stack when
// one account plays both roles, otherwise a log-archive and a management
// stack (and a registration stack with a delegated administrator). Build is
// where validation is enforced: a Config can be written by hand or changed
// after config.Load, so Build validates whatever it is given, before the
// first jsii call; an invalid cfg adds nothing to app and returns
// cfg.Validate's error, every violation with its field (rules.Errors).
func Build(app constructs.Construct, cfg *config.Config) (*Stacks, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	built, err := buildTrailStacks(app, cfg)
	if err != nil {
		return nil, err
	}
	if built.Bootstraps, err = addBootstraps(app, cfg); err != nil {
		return nil, err
	}
	return built, nil
}

func buildTrailStacks(app constructs.Construct, cfg *config.Config) (*Stacks, error) {
	if _, ok := cfg.DelegatedAdmin(); ok {
		return buildDelegated(app, cfg)
	}
	if cfg.SingleAccount() {
		archive, creator, err := NewCombinedStack(app, CombinedStackName, cfg)
		if err != nil {
			return nil, err
		}
		return &Stacks{LogArchive: archive, TrailCreator: creator}, nil
	}
	archive, err := NewLogArchiveStack(app, LogArchiveStackName, cfg)
	if err != nil {
		return nil, err
	}
	creator, err := NewManagementStack(app, ManagementStackName, cfg, archive)
	if err != nil {
		return nil, err
	}
	return &Stacks{LogArchive: archive, TrailCreator: creator}, nil
}

// NewLogArchiveStack creates the log-archive account's stack: providers for
// the home region and every replica region, the multi-region key and the
// trail bucket.
func NewLogArchiveStack(scope constructs.Construct, id string, cfg *config.Config) (*LogArchive, error) {
	stack := newStack(scope, id, cfg)
	replicas, err := addProviders(stack, cfg, cfg.Accounts.LogArchive, cfg.Key.ReplicaRegions)
	if err != nil {
		return nil, err
	}
	return addLogArchive(stack, cfg, replicas)
}

// NewManagementStack creates the management account's stack: a provider for
// the home region and the trail, which reads the key ARN from the log-archive
// stack through a cdktf cross-stack reference (an output there, remote state
// here). Deploy the log-archive stack first; cdktn deploy orders them.
func NewManagementStack(scope constructs.Construct, id string, cfg *config.Config, archive *LogArchive) (*TrailCreator, error) {
	stack := newStack(scope, id, cfg)
	if _, err := addProviders(stack, cfg, cfg.Accounts.Management, nil); err != nil {
		return nil, err
	}
	creator, err := addTrail(stack, cfg, archive)
	if err != nil {
		return nil, err
	}
	// Guardrails need a management account apart from the log-archive
	// account (config refuses them otherwise): this stack, or the
	// registration stack with a delegated administrator, has them; with the
	// bootstrap, the management account's bootstrap stack has them instead
	// (config.Config.GuardrailsInBootstrap).
	if !cfg.GuardrailsInBootstrap() {
		if creator.Guardrails, err = addGuardrails(stack, cfg); err != nil {
			return nil, err
		}
	}
	return creator, nil
}

// NewCombinedStack creates one stack for an account that both holds the log
// archive and creates the trail: one account in both roles, or the
// log-archive account as the delegated administrator.
func NewCombinedStack(scope constructs.Construct, id string, cfg *config.Config) (*LogArchive, *TrailCreator, error) {
	stack := newStack(scope, id, cfg)
	replicas, err := addProviders(stack, cfg, cfg.Accounts.LogArchive, cfg.Key.ReplicaRegions)
	if err != nil {
		return nil, nil, err
	}
	archive, err := addLogArchive(stack, cfg, replicas)
	if err != nil {
		return nil, nil, err
	}
	creator, err := addTrail(stack, cfg, archive)
	if err != nil {
		return nil, nil, err
	}
	return archive, creator, nil
}

func newStack(scope constructs.Construct, id string, cfg *config.Config) cdktf.TerraformStack {
	stack := cdktf.NewTerraformStack(scope, jsii.String(id))
	addBackend(stack, id, cfg.Backend)
	return stack
}

// providerConfig is an AWS provider's configuration for region (aliased,
// unless alias is nil), pinned to the account: credentials for the wrong
// account fail before anything changes
// (docs/aws-rules.md#allowed-account-ids); the configuration's tags are
// its default tags.
func providerConfig(cfg *config.Config, accountID, region string, alias *string) *provider.AwsProviderConfig {
	pc := &provider.AwsProviderConfig{
		Region:            jsii.String(region),
		Alias:             alias,
		AllowedAccountIds: jsii.Strings(accountID),
	}
	if len(cfg.Tags) > 0 {
		tags := make(map[string]*string, len(cfg.Tags))
		for k, v := range cfg.Tags {
			tags[k] = jsii.String(v)
		}
		pc.DefaultTags = &[]*provider.AwsProviderDefaultTags{{Tags: &tags}}
	}
	return pc
}

// addProviders adds the default AWS provider for the home region and one
// provider aliased to each of regions, all pinned to the account.
func addProviders(stack cdktf.TerraformStack, cfg *config.Config, account config.Account, regions []string) ([]ctmrk.ReplicaRegion, error) {
	newProvider := func(id, region string, alias *string) provider.AwsProvider {
		pc := providerConfig(cfg, account.ID, region, alias)
		if account.RoleARN != "" {
			pc.AssumeRole = &[]*provider.AwsProviderAssumeRole{{
				RoleArn:     jsii.String(account.RoleARN),
				SessionName: jsii.String(ProviderSessionName),
			}}
		}
		return provider.NewAwsProvider(stack, jsii.String(id), pc)
	}
	newProvider("Aws", cfg.HomeRegion, nil)
	// The bindings pin the exact provider version they were generated from;
	// the constructs widen it to a range so that Terraform can use any later
	// 5.x (the lock file that cdktn deploy writes pins the exact version per
	// user). Declared here for every stack, the registration stack too,
	// which holds none of the constructs; theirs then leave it alone.
	if err := ctmrk.DeclareProviderConstraint(stack); err != nil {
		return nil, err
	}
	// No terraform.required_version (rules.MinTerraformVersion): cdktf
	// 0.20's HCL rendering (cdktn synth --hcl) writes that override as
	// `0 = "required_version"`, which is not HCL; docs/deploying.md
	// states the Terraform version instead, and make validate checks it.
	var out []ctmrk.ReplicaRegion
	for _, r := range regions {
		// docs/aws-rules.md#replica-provider: a replica is created with a provider for its region.
		out = append(out, ctmrk.ReplicaRegion{Region: r, Provider: newProvider("Aws"+ctmrk.RegionID(r), r, jsii.String(r))})
	}
	return out, nil
}

func addLogArchive(stack cdktf.TerraformStack, cfg *config.Config, replicas []ctmrk.ReplicaRegion) (*LogArchive, error) {
	trail := cfg.TrailIdentity()
	grants := cfg.ReplicationGrants()
	// Each copy of the key gets its own policy: the same trail, administrator
	// and reader statements, and only the replication grants used on it.
	// The configuration renders it (and checks its size) the same way.
	keyPolicyIn := func(region string) (policy.Document, error) {
		doc, err := policy.KeyPolicy(cfg.KeyPolicyProps(region))
		if err != nil {
			return policy.Document{}, fmt.Errorf("key policy in %s: %w", region, err)
		}
		return doc.Labeled(naming.Label), nil
	}
	keyPolicy, err := keyPolicyIn(cfg.HomeRegion)
	if err != nil {
		return nil, err
	}
	replicaPolicies := map[string]policy.Document{}
	for _, r := range replicas {
		if replicaPolicies[r.Region], err = keyPolicyIn(r.Region); err != nil {
			return nil, err
		}
	}
	archive := &LogArchive{Stack: stack}
	if cfg.ExistingKey() {
		// A key made elsewhere: nothing created (docs/adopting.md).
		if archive.ExistingKey, err = existingKey(cfg); err != nil {
			return nil, err
		}
	} else {
		archive.Key, err = ctmrk.NewMultiRegionKey(stack, "TrailKey", ctmrk.MultiRegionKeyProps{
			PrimaryRegion:      cfg.HomeRegion,
			Replicas:           replicas,
			Alias:              cfg.Key.Alias,
			Policy:             keyPolicy,
			ReplicaPolicies:    replicaPolicies,
			RotationPeriodDays: cfg.Key.RotationPeriodDays,
			DeletionWindowDays: cfg.Key.DeletionWindowDays,
			AllowDestroy:       cfg.AllowDestroy,
			Tags:               keyGuardTags(cfg),
			Naming:             naming,
		})
		if err != nil {
			return nil, err
		}
		// An existing multi-region key taken over (docs/adopting.md).
		if a := cfg.Key.ImportARN; a != "" {
			if err := archive.Key.ImportPrimary(a); err != nil {
				return nil, err
			}
		}
	}
	var accessLogs *ctmrk.AccessLogBucket
	if a := cfg.Bucket.AccessLogs; a.Enabled {
		accessLogs, err = ctmrk.NewAccessLogBucket(stack, "AccessLogBucket", ctmrk.AccessLogBucketProps{
			BucketName:     a.BucketName,
			Partition:      cfg.Partition(),
			Account:        cfg.Accounts.LogArchive.ID,
			SourceBuckets:  append([]string{cfg.Bucket.Name}, athenaResultsBuckets(cfg)...),
			ExpirationDays: a.ExpirationDays,
			AllowDestroy:   cfg.AllowDestroy,
			Protection:     logBucketProtection(cfg),
			Naming:         naming,
		})
		if err != nil {
			return nil, err
		}
	}
	var lifecycle *ctmrk.LifecycleProps
	if l := cfg.Bucket.Lifecycle; l != nil {
		lc := ctmrk.LifecycleProps(*l)
		lifecycle = &lc
	}
	if cfg.Bucket.Existing {
		// A bucket made elsewhere: nothing created (docs/adopting.md).
		if archive.ExistingBucket, err = existingBucket(cfg); err != nil {
			return nil, err
		}
	} else {
		archive.Bucket, err = ctmrk.NewTrailBucket(stack, "TrailBucket", ctmrk.TrailBucketProps{
			BucketName:     cfg.Bucket.Name,
			Region:         cfg.HomeRegion,
			Key:            archive.TrailKey(),
			Trail:          trail,
			OrganizationID: cfg.OrganizationID,
			KeyPrefix:      cfg.Trail.S3KeyPrefix,
			Readers:        cfg.Key.Readers,
			Verifiers:      cfg.Key.Verifiers,
			ObjectLockMode: cfg.Bucket.ObjectLock.Mode,
			ObjectLockDays: cfg.Bucket.ObjectLock.Days,
			Lifecycle:      lifecycle,
			AccessLogs:     accessLogs,
			AllowDestroy:   cfg.AllowDestroy,
			Protection:     logBucketProtection(cfg),
			Naming:         naming,
			// The trail being replaced, during a cutover (docs/adopting.md).
			AdditionalTrails: cfg.AdditionalTrails(),
		})
		if err != nil {
			return nil, err
		}
		// An existing bucket taken over (docs/adopting.md).
		if cfg.ImportsBucket() {
			archive.Bucket.ImportExisting()
		}
	}
	archive.AccessLogs = accessLogs
	if grants != nil {
		if err := addRecovery(archive, cfg, *grants, replicas); err != nil {
			return nil, err
		}
	}
	if err := addAthena(archive, cfg); err != nil {
		return nil, err
	}
	return archive, nil
}

// addRecovery adds the recovery bucket (with its own access-log bucket) in
// the replication region and the replication from the trail bucket.
func addRecovery(a *LogArchive, cfg *config.Config, grants policy.Replication, replicas []ctmrk.ReplicaRegion) error {
	r := cfg.Replication
	var provider cdktf.TerraformProvider
	for _, rp := range replicas {
		if rp.Region == r.Region {
			provider = rp.Provider
		}
	}
	if provider == nil {
		return fmt.Errorf("replication.region %q has no provider: it must be one of key.replica_regions", r.Region)
	}
	var accessLogs *ctmrk.AccessLogBucket
	if cfg.Bucket.AccessLogs.Enabled {
		var err error
		accessLogs, err = ctmrk.NewAccessLogBucket(a.Stack, "RecoveryAccessLogBucket", ctmrk.AccessLogBucketProps{
			BucketName:     r.AccessLogBucketName,
			Partition:      cfg.Partition(),
			Account:        cfg.Accounts.LogArchive.ID,
			Provider:       provider,
			SourceBuckets:  []string{r.BucketName},
			ExpirationDays: cfg.Bucket.AccessLogs.ExpirationDays,
			AllowDestroy:   cfg.AllowDestroy,
			Protection:     logBucketProtection(cfg),
			Naming:         naming,
		})
		if err != nil {
			return err
		}
	}
	// Lock, lifecycle, key prefix, readers, verifiers and protection: the
	// trail bucket's.
	recovery, err := ctmrk.NewRecoveryBucket(a.Stack, "RecoveryBucket", ctmrk.RecoveryBucketProps{
		Source:       a.Bucket,
		BucketName:   r.BucketName,
		Region:       r.Region,
		Provider:     provider,
		Key:          a.Key,
		AccessLogs:   accessLogs,
		AllowDestroy: cfg.AllowDestroy,
		// Only this role may write the recovery bucket.
		ReplicationRoleARN: grants.RoleARN(),
		Naming:             naming,
	})
	if err != nil {
		return err
	}
	_, err = ctmrk.NewReplication(a.Stack, "Replication", ctmrk.ReplicationProps{
		Source:          a.Bucket,
		Destination:     recovery,
		Key:             a.Key,
		Grants:          grants,
		RoleARN:         serviceRole(cfg, cfg.Accounts.LogArchive.ID, grants.RoleName),
		ObjectLockToken: r.ObjectLockToken,
		Alarms:          replicationAlarmsProps(cfg),
		Naming:          naming,
	})
	if err != nil {
		return err
	}
	a.Recovery = recovery
	return nil
}

func addTrail(stack cdktf.TerraformStack, cfg *config.Config, archive *LogArchive) (*TrailCreator, error) {
	props := ctmrk.TrailProps{
		Bucket:                     archive.TrailBucket(),
		Key:                        archive.TrailKey(),
		MultiRegion:                jsii.Bool(cfg.Trail.MultiRegion),
		IncludeGlobalServiceEvents: jsii.Bool(cfg.Trail.IncludeGlobalServiceEvents),
		EnableLogFileValidation:    jsii.Bool(cfg.Trail.EnableLogFileValidation),
		Insights:                   cfg.Trail.Insights,
		AllowDestroy:               cfg.AllowDestroy,
		MonitoringAccount:          cfg.TrailCreator().ID,
		MonitoringProtection:       cfg.MonitoringProtection(),
		MonitoringKeyTags:          monitoringKeyGuardTags(cfg),
		Naming:                     naming,
	}
	if w := cfg.Trail.CloudWatchLogs; w.Enabled {
		props.CloudWatchLogs = &ctmrk.CloudWatchLogsProps{LogGroupName: w.LogGroupName, RetentionDays: w.RetentionDays, Alarms: alarmsProps(cfg),
			RoleArn: serviceRole(cfg, cfg.TrailCreator().ID, cfg.DeliveryRoleName())}
	}
	if n := cfg.Trail.Notifications; n.Enabled {
		props.Notifications = &ctmrk.NotificationProps{TopicName: n.TopicName}
	}
	if d := cfg.Trail.DataEvents; d.S3Read || d.S3Write || d.Lambda {
		props.DataEvents = &ctmrk.DataEventsProps{S3Read: d.S3Read, S3Write: d.S3Write, S3Buckets: d.S3Buckets, Lambda: d.Lambda}
	}
	if archive.Recovery != nil {
		props.LogBuckets = archive.Recovery.LogBuckets()
		props.ReplicationRoleARN = archive.Recovery.ReplicationRoleARN()
	}
	trail, err := ctmrk.NewTrail(stack, "Trail", props)
	if err != nil {
		return nil, err
	}
	return &TrailCreator{Stack: stack, Trail: trail}, nil
}

// addBackend configures where the stack keeps its state: a local file by
// default, S3 with locking when configured.
func addBackend(stack cdktf.TerraformStack, name string, b config.Backend) {
	if b.S3 == nil {
		// Relative to the stack's working directory (cdktf.out/stacks/<name>):
		// the state file lands in the project root, as with cdktf's default,
		// without writing this machine's path into the synthesized JSON.
		cdktf.NewLocalBackend(stack, &cdktf.LocalBackendConfig{
			Path: jsii.String(fmt.Sprintf("../../../terraform.%s.tfstate", name)),
		})
		return
	}
	s := b.S3
	bc := &cdktf.S3BackendConfig{
		Bucket:  jsii.String(s.Bucket),
		Key:     jsii.String(fmt.Sprintf("%s/%s.tfstate", s.KeyPrefix, name)),
		Region:  jsii.String(s.Region),
		Encrypt: jsii.Bool(true),
	}
	if s.DynamoDBTable != "" {
		bc.DynamodbTable = jsii.String(s.DynamoDBTable)
	}
	if s.RoleARN != "" {
		bc.AssumeRole = &cdktf.S3BackendAssumeRoleConfig{
			RoleArn:     jsii.String(s.RoleARN),
			SessionName: jsii.String(ProviderSessionName),
		}
	}
	cdktf.NewS3Backend(stack, bc)
	if s.LocksWithLockfile() {
		// cdktf 0.20 has no field for it; Terraform 1.10 reads it.
		stack.AddOverride(jsii.String("terraform.backend.s3.use_lockfile"), true)
	}
}

// logBucketProtection is what the trail and recovery bucket policies deny:
// deleting log objects to all but the break-glass principals and, when the
// log-archive account's role_arn names the role Terraform assumes there,
// protection changes to all but that role and them.
func logBucketProtection(cfg *config.Config) *policy.Protection {
	return cfg.LogBucketProtection()
}

// alarmsProps are the metric filters and alarms on the trail's log group
// that cfg asks for, or nil.
func alarmsProps(cfg *config.Config) *ctmrk.AlarmsProps {
	if !cfg.AlarmsEnabled() {
		return nil
	}
	a := cfg.Trail.CloudWatchLogs.Alarms
	// The trail's creator holds the monitoring path; its role_arn, when set,
	// is the deploying role whose changes the monitoring alarms tell apart.
	props := &ctmrk.AlarmsProps{TopicName: a.TopicName, WatchdogTopicName: a.WatchdogTopicName, Disabled: a.Disabled, DeployerRoleARN: cfg.MonitoringDeployer(),
		Heartbeat: &ctmrk.HeartbeatProps{PeriodSeconds: a.Heartbeat.PeriodSeconds, EvaluationPeriods: a.Heartbeat.EvaluationPeriods}}
	// The guardrail SCPs protect every key with the guard tag: its
	// appearance on a key after creation is alarmed
	// (docs/bootstrap.md#not-closed).
	if cfg.Guardrails.Enabled {
		props.GuardTagKey = policy.GuardTagKey
	}
	for _, s := range a.Subscriptions {
		props.Subscriptions = append(props.Subscriptions, ctmrk.SubscriptionProps{Protocol: s.Protocol, Endpoint: s.Endpoint})
	}
	return props
}

// replicationAlarmsProps is the alarm on failed replications that cfg asks
// for, or nil. Its key carries the guardrails' tag, so that their policy's
// statement on the tagged keys of the log-archive account protects it too.
func replicationAlarmsProps(cfg *config.Config) *ctmrk.ReplicationAlarmsProps {
	if !cfg.ReplicationAlarmsEnabled() {
		return nil
	}
	a := cfg.Replication.Alarms
	props := &ctmrk.ReplicationAlarmsProps{TopicName: a.TopicName, KeyTags: keyGuardTags(cfg), AllowDestroy: cfg.AllowDestroy,
		Protection: cfg.LogBucketProtection()}
	for _, s := range a.Subscriptions {
		props.Subscriptions = append(props.Subscriptions, ctmrk.SubscriptionProps{Protocol: s.Protocol, Endpoint: s.Endpoint})
	}
	return props
}
