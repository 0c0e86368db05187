package config

import (
	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/policy"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/rules"
)

// EnvVar names the environment variable that selects the configuration file.
// cdktn synth and cdktn deploy run the app without arguments, so the file is
// chosen through the environment.
const EnvVar = "CLOUDTRAIL_MRK_CONFIG"

// Config is the validated configuration with every default filled in.
type Config struct {
	// HomeRegion is the trail's home region; the log-archive bucket and the
	// primary key live there too.
	HomeRegion string `yaml:"home_region"`
	// Accounts are the two roles; both may name the same account.
	Accounts Accounts `yaml:"accounts"`
	// OrganizationID makes the trail an organization trail. Default: none (an
	// account trail).
	OrganizationID string `yaml:"organization_id,omitempty"`
	// Trail configures the trail.
	Trail Trail `yaml:"trail"`
	// Key configures the multi-region key.
	Key Key `yaml:"key"`
	// Bucket configures the trail bucket.
	Bucket Bucket `yaml:"bucket"`
	// Replication copies the logs to a recovery bucket in a replica region.
	Replication Replication `yaml:"replication"`
	// AllowDestroy removes prevent_destroy from the key, its replicas and the
	// bucket so that cdktn destroy can tear them down. Default: false.
	AllowDestroy bool `yaml:"allow_destroy"`
	// Backend selects where Terraform keeps state. Default: local files.
	Backend Backend `yaml:"backend"`
	// Tags are applied to every taggable resource, through the AWS
	// providers' default_tags. Default: none.
	Tags map[string]string `yaml:"tags,omitempty"`
	// Guardrails attaches a service control policy that protects the trail,
	// the key and the log buckets across the organization. Default: off.
	Guardrails Guardrails `yaml:"guardrails"`
	// Athena queries the trail's log files, in the log-archive account and
	// home region. Default: off.
	Athena Athena `yaml:"athena"`
	// Bootstrap adds, for each account whose role_arn is set (and the
	// account of backend.s3.role_arn), a stack applied once with
	// administrator credentials that creates the deploying roles, the
	// state bucket and the state role (docs/bootstrap.md). Default: none.
	Bootstrap Bootstrap `yaml:"bootstrap"`
}

// Bootstrap configures the bootstrap stacks (docs/bootstrap.md).
type Bootstrap struct {
	// TrustedPrincipals are the IAM role or user ARNs (not accounts, not
	// root) that may assume the deploying roles and the state role: the
	// identities that run Terraform. Setting it turns the bootstrap on.
	// Default: none (no bootstrap stack).
	TrustedPrincipals []string `yaml:"trusted_principals,omitempty"`
}

// BootstrapEnabled reports whether the configuration asks for bootstrap
// stacks.
func (c *Config) BootstrapEnabled() bool { return len(c.Bootstrap.TrustedPrincipals) > 0 }

// Replication configures the second-region copy of the logs.
type Replication struct {
	// Enabled turns replication on. Default: false.
	Enabled bool `yaml:"enabled"`
	// Region of the recovery bucket: one of key.replica_regions. Required
	// when enabled.
	Region string `yaml:"region,omitempty"`
	// BucketName of the recovery bucket. Default: "<bucket.name>-recovery".
	BucketName string `yaml:"bucket_name,omitempty"`
	// AccessLogBucketName receives the recovery bucket's access logs (when
	// bucket.access_logs.enabled). Default: "<bucket_name>-access-logs".
	AccessLogBucketName string `yaml:"access_log_bucket_name,omitempty"`
	// RoleName of the replication role. Default: "cloudtrail-mrk-replication".
	RoleName string `yaml:"role_name,omitempty"`
	// ObjectLockToken is passed to S3 if it asks for one to replicate from a
	// bucket with Object Lock. Default: none.
	ObjectLockToken string `yaml:"object_lock_token,omitempty"`
	// Alarms notify failed replications to the recovery bucket. They exist
	// only while replication is on.
	Alarms ReplicationAlarms `yaml:"alarms"`
}

// ReplicationAlarms configures the alarm on the replication rule's failed
// operations (S3 replication metrics, turned on with it) and the encrypted
// SNS topic it notifies, in the log-archive account and the home region.
type ReplicationAlarms struct {
	// Enabled creates the alarm, its topic and the key that encrypts the
	// topic. Default: true.
	Enabled bool `yaml:"enabled"`
	// TopicName of the topic. Default: "<trail.name>-replication-alarms"
	// with periods replaced by dashes.
	TopicName string `yaml:"topic_name,omitempty"`
	// Subscriptions receive the alarm's notifications; the same protocols
	// and endpoints as trail.cloudwatch_logs.alarms.subscriptions.
	// Default: none.
	Subscriptions []Subscription `yaml:"subscriptions,omitempty"`
}

// Accounts names the management (trail owner) and log-archive (bucket and
// key owner) accounts.
type Accounts struct {
	Management Account `yaml:"management"`
	LogArchive Account `yaml:"log_archive"`
	// DelegatedAdministrator is the CloudTrail delegated administrator that
	// creates and manages the organization trail; the management account
	// then only registers it. It may be the log-archive account or a third
	// account; never the management account. Requires organization_id.
	// Default: none (the management account creates the trail).
	DelegatedAdministrator *Account `yaml:"delegated_administrator,omitempty"`
}

// Account is one AWS account and, optionally, the role to assume in it.
type Account struct {
	// ID is the 12-digit account id. Required.
	ID string `yaml:"id"`
	// RoleARN is assumed by the account's providers. Default: none (use the
	// ambient credentials).
	RoleARN string `yaml:"role_arn,omitempty"`
}

// Trail configures the CloudTrail trail.
type Trail struct {
	// Name of the trail. Default: "cloudtrail-mrk".
	Name string `yaml:"name"`
	// S3KeyPrefix goes before AWSLogs/ in every object key. Default: none.
	S3KeyPrefix string `yaml:"s3_key_prefix,omitempty"`
	// MultiRegion logs every region. Default: true.
	MultiRegion bool `yaml:"multi_region"`
	// IncludeGlobalServiceEvents logs IAM, STS and other global services.
	// Default: true.
	IncludeGlobalServiceEvents bool `yaml:"include_global_service_events"`
	// EnableLogFileValidation writes signed digest files. Default: true.
	EnableLogFileValidation bool `yaml:"enable_log_file_validation"`
	// CloudWatchLogs also delivers events to an encrypted log group in the
	// management account's home region.
	CloudWatchLogs CloudWatchLogs `yaml:"cloudwatch_logs"`
	// Notifications announces delivered log files on an encrypted SNS topic.
	Notifications Notifications `yaml:"notifications"`
	// DataEvents selects data events (billed per event).
	DataEvents DataEvents `yaml:"data_events"`
	// Insights logs ApiCallRateInsight and ApiErrorRateInsight events
	// (billed per event analyzed). Default: false.
	Insights bool `yaml:"insights"`
}

// CloudWatchLogs configures delivery to CloudWatch Logs.
type CloudWatchLogs struct {
	// Enabled turns delivery on. Default: true.
	Enabled bool `yaml:"enabled"`
	// LogGroupName of the log group. Default: "cloudtrail/<trail.name>".
	LogGroupName string `yaml:"log_group_name,omitempty"`
	// RetentionDays is a CloudWatch Logs retention period. Default: 365.
	RetentionDays int `yaml:"retention_days"`
	// Alarms watch the log group: CIS monitoring controls and tampering
	// alerts. They exist only while delivery to CloudWatch Logs is on.
	Alarms Alarms `yaml:"alarms"`
}

// Alarms configures the metric filters and alarms on the trail's log group
// and the encrypted SNS topic they notify.
type Alarms struct {
	// Enabled creates the filters, alarms and topic. Default: true.
	Enabled bool `yaml:"enabled"`
	// TopicName of the alarm topic. Default: "<trail.name>-alarms" with
	// periods replaced by dashes.
	TopicName string `yaml:"topic_name,omitempty"`
	// WatchdogTopicName of the watchdog topic: a second topic, encrypted
	// with a key of its own, that the heartbeat and the monitoring-path
	// alarms notify too, so that a broken alarm topic or monitoring key
	// still gets reported. Default: "<trail.name>-watchdog" with periods
	// replaced by dashes.
	WatchdogTopicName string `yaml:"watchdog_topic_name,omitempty"`
	// Disabled names alarms to leave out (see alarms.Names: CIS controls such
	// as "unauthorized-api-calls", tampering alarms such as "key-changes").
	// Default: none.
	Disabled []string `yaml:"disabled,omitempty"`
	// Subscriptions receive every alarm notification, from the alarm topic
	// and from the watchdog topic. Default: none (the alarms change state,
	// visible in the console, but tell nobody).
	Subscriptions []Subscription `yaml:"subscriptions,omitempty"`
	// Heartbeat is the window of the heartbeat alarm, which fires when no
	// event reaches the log group for that long (left out when disabled
	// names "heartbeat").
	Heartbeat Heartbeat `yaml:"heartbeat"`
}

// Heartbeat is the heartbeat alarm's window: evaluation_periods consecutive
// periods of period_seconds in which no event reached the log group.
// CloudWatch evaluates at most seven days, and at most one day when the
// period is shorter than an hour.
type Heartbeat struct {
	// PeriodSeconds is a whole number of minutes, in seconds. Default: 3600.
	PeriodSeconds int `yaml:"period_seconds"`
	// EvaluationPeriods is how many periods in a row must see no event.
	// Default: 24 (with the default period, one day).
	EvaluationPeriods int `yaml:"evaluation_periods"`
}

// Subscription is one SNS subscription of the alarm topic.
type Subscription struct {
	// Protocol is one of email, email-json, https, lambda, sms, sqs.
	Protocol string `yaml:"protocol"`
	// Endpoint is an email address, an https URL, a Lambda function or SQS
	// queue ARN, or a phone number in E.164 form (+ and digits).
	Endpoint string `yaml:"endpoint"`
}

// Notifications configures the SNS topic.
type Notifications struct {
	// Enabled creates the topic. Default: false.
	Enabled bool `yaml:"enabled"`
	// TopicName of the topic. Default: "<trail.name>-notifications".
	TopicName string `yaml:"topic_name,omitempty"`
}

// DataEvents selects S3 object-level and Lambda invoke events.
type DataEvents struct {
	// S3Read logs object-level reads (CIS 3.9). Default: true.
	S3Read bool `yaml:"s3_read"`
	// S3Write logs object-level writes (CIS 3.8). Default: true.
	S3Write bool `yaml:"s3_write"`
	// S3Buckets limits S3 data events to these buckets. Default: all buckets.
	S3Buckets []string `yaml:"s3_buckets,omitempty"`
	// Lambda logs Invoke events of every function. Default: false.
	Lambda bool `yaml:"lambda"`
}

// Key configures the multi-region KMS key.
type Key struct {
	// Alias is created in the primary region and in every replica region.
	// Default: "alias/cloudtrail-mrk".
	Alias string `yaml:"alias"`
	// ReplicaRegions get a replica of the key. Default: none.
	ReplicaRegions []string `yaml:"replica_regions"`
	// RotationPeriodDays is the automatic rotation period, 90 to 2560.
	// Default: 365.
	RotationPeriodDays int `yaml:"rotation_period_days"`
	// DeletionWindowDays is the waiting period before deletion, 7 to 30.
	// Default: 30.
	DeletionWindowDays int `yaml:"deletion_window_days"`
	// Administrators are IAM principal ARNs that may manage, not use, the
	// key. Default: none.
	Administrators []string `yaml:"administrators"`
	// Readers are account ids or IAM principal ARNs that may read and decrypt
	// the log files. Default: none.
	Readers []string `yaml:"readers"`
	// Verifiers are IAM role or user ARNs (not accounts, not root) that
	// may list, read and decrypt this trail's log and digest files and
	// their earlier versions, in the trail bucket and the recovery bucket,
	// for the verify command (docs/verify.md#permissions). The stacks grant
	// them in the bucket and key policies; cmd/required-policy writes the
	// identity policy each needs in its own account. No role is created.
	// Default: none.
	Verifiers []string `yaml:"verifiers,omitempty"`
	// ExistingARNs names a key made elsewhere, in the log-archive account,
	// by the ARNs of its copies: the home region's, and each other region's
	// if any. No key resource is created; its owner adds the statements
	// cmd/required-policy writes (docs/adopting.md). Default: none (the
	// configuration creates the multi-region key).
	ExistingARNs []string `yaml:"existing_arns,omitempty"`
	// ImportARN names an existing multi-region primary key, in the
	// log-archive account and the home region, that this configuration
	// takes over as its primary key: the stack adds a Terraform import block
	// for that one aws_kms_key, and a precondition that fails the plan unless
	// the key is a symmetric encryption multi-region PRIMARY key with key
	// material from KMS. From the first apply its key policy, description,
	// rotation, enabled state and tags are this configuration's (each
	// replaced as a whole: ImportReplacesPolicyAndSettings); its grants stay
	// as they are. Its replicas in key.replica_regions and its aliases are
	// created, not imported; replicas in other regions are left alone
	// (docs/adopting.md). Default: none (the primary key is created).
	ImportARN string `yaml:"import_arn,omitempty"`
	// ImportReplacesPolicyAndSettings acknowledges what key.import_arn
	// replaces as a whole at the first apply: the key policy (every
	// principal it allowed that this configuration's does not loses its
	// access), the description, the rotation settings, the enabled state
	// and the tags.
	// Required true with ImportARN, refused without it. Default: false.
	ImportReplacesPolicyAndSettings bool `yaml:"import_replaces_policy_and_settings,omitempty"`
}

// Bucket configures the trail bucket.
type Bucket struct {
	// Name of the bucket. Required.
	Name string `yaml:"name"`
	// Existing: the bucket named Name exists, in the home region and the
	// log-archive account, and is managed elsewhere: no bucket resource is
	// created; its owner adds the statements cmd/required-policy writes
	// (docs/adopting.md). Default: false (the configuration creates it).
	Existing bool `yaml:"existing,omitempty"`
	// Import: the bucket named Name exists, with Object Lock enabled, in the
	// home region and the log-archive account, and this configuration takes
	// it over. The stack adds Terraform import blocks for three resources
	// only: the bucket (whose tags become this configuration's), its
	// versioning and its Object Lock configuration (whose default retention
	// becomes ObjectLock's). It creates the other settings it writes over
	// whatever the bucket has, each replacing it as a whole at the first
	// apply: the bucket policy, default encryption, public access block,
	// ownership controls, access logging (with access_logs.enabled), the
	// lifecycle configuration (with Lifecycle) and the replication
	// configuration (with replication.enabled); see
	// ImportReplacesPolicyAndSettings. What it does not write stays as it
	// is, unmanaged: event notifications, CORS, website, inventory,
	// analytics, metrics, Intelligent-Tiering, transfer acceleration,
	// Requester Pays, the lifecycle configuration when Lifecycle is unset,
	// the replication configuration when replication.enabled is unset (its
	// rule copies the new SSE-KMS log files only if it opts in to SSE-KMS
	// objects: docs/aws-rules.md#replicate-sse-kms-objects), and the objects
	// already stored, with their own retention. The bucket ACL must grant
	// only the owner, or BucketOwnerEnforced is refused
	// (docs/aws-rules.md#bucket-acl-before-owner-enforced); key.import_arn
	// is refused with AdditionalDeliveringTrails (docs/adopting.md).
	// Default: false (the bucket is created).
	Import bool `yaml:"import,omitempty"`
	// ImportReplacesPolicyAndSettings acknowledges that the first apply
	// after bucket.import replaces, each as a whole, the bucket's policy and
	// every other setting Import lists as written by this configuration:
	// whatever the bucket had there, other writers' policy statements (AWS
	// Config, another trail) and the owner's tags included, is gone.
	// Required true with Import, refused without it. Default: false.
	ImportReplacesPolicyAndSettings bool `yaml:"import_replaces_policy_and_settings,omitempty"`
	// ObjectLock is the default retention of every log object.
	ObjectLock ObjectLock `yaml:"object_lock"`
	// Lifecycle is optional. Default: none (objects are kept forever).
	Lifecycle *Lifecycle `yaml:"lifecycle,omitempty"`
	// AccessLogs configures S3 server access logging of the trail bucket
	// (CIS 3.4) into a separate bucket.
	AccessLogs AccessLogs `yaml:"access_logs"`
	// BreakGlassPrincipals are IAM principal ARNs that may still delete log
	// objects, bypass governance retention and change the trail and recovery
	// buckets' protections; every other principal is denied. Default: none.
	BreakGlassPrincipals []string `yaml:"break_glass_principals,omitempty"`
	// AdditionalDeliveringTrails may deliver to the trail bucket too: the
	// trail being replaced, while both run during a cutover
	// (docs/adopting.md). Each gets CloudTrail's ACL check and writes on
	// its own aws:SourceArn, and is exempt from the deny of forged writes.
	// Default: none (only this configuration's trail writes log files).
	AdditionalDeliveringTrails []DeliveringTrail `yaml:"additional_delivering_trails,omitempty"`
}

// DeliveringTrail is another trail that delivers to the trail bucket.
type DeliveringTrail struct {
	// ARN of the trail, in the home region's partition. Required.
	ARN string `yaml:"arn"`
	// S3KeyPrefix of that trail. Default: none.
	S3KeyPrefix string `yaml:"s3_key_prefix,omitempty"`
}

// AdditionalTrails are bucket.additional_delivering_trails as the bucket
// policy takes them.
func (c *Config) AdditionalTrails() []policy.DeliveringTrail {
	var out []policy.DeliveringTrail
	for _, t := range c.Bucket.AdditionalDeliveringTrails {
		out = append(out, policy.DeliveringTrail{ARN: t.ARN, KeyPrefix: t.S3KeyPrefix})
	}
	return out
}

// AccessLogs configures the access-log bucket.
type AccessLogs struct {
	// Enabled turns access logging of the trail bucket on. Default: true.
	Enabled bool `yaml:"enabled"`
	// BucketName of the access-log bucket. Default: "<bucket.name>-access-logs".
	BucketName string `yaml:"bucket_name,omitempty"`
	// ExpirationDays expires access logs after this many days. Default: 365.
	ExpirationDays int `yaml:"expiration_days"`
}

// ObjectLock is the bucket's default retention.
type ObjectLock struct {
	// Mode is GOVERNANCE or COMPLIANCE. Default: GOVERNANCE.
	Mode string `yaml:"mode"`
	// Days is the retention period, 1 to 36500. Default: 365.
	Days int `yaml:"days"`
}

// Lifecycle configures storage transition and expiration of log objects.
type Lifecycle struct {
	// TransitionDays moves objects to TransitionStorageClass after this many
	// days. Default: 0 (no transition).
	TransitionDays int `yaml:"transition_days,omitempty"`
	// TransitionStorageClass is the target storage class.
	// Default: GLACIER_IR.
	TransitionStorageClass string `yaml:"transition_storage_class,omitempty"`
	// ExpirationDays expires current objects after this many days; it must
	// not be shorter than the Object Lock retention. Default: 0 (never).
	ExpirationDays int `yaml:"expiration_days,omitempty"`
	// NoncurrentExpirationDays deletes noncurrent versions after this many
	// days; it must not be shorter than the Object Lock retention.
	// Default: 0 (never).
	NoncurrentExpirationDays int `yaml:"noncurrent_expiration_days,omitempty"`
}

// Backend selects the Terraform backend of every stack.
type Backend struct {
	// S3 stores state in S3 with locking. Default: none (local state files).
	S3 *S3Backend `yaml:"s3,omitempty"`
}

// S3Backend stores each stack's state at <key_prefix>/<stack>.tfstate.
type S3Backend struct {
	// Bucket holds the state files. Required.
	Bucket string `yaml:"bucket"`
	// Region of the state bucket. Required.
	Region string `yaml:"region"`
	// KeyPrefix of the state objects. Default: "cloudtrail-mrk".
	KeyPrefix string `yaml:"key_prefix"`
	// DynamoDBTable also locks state with a DynamoDB table, for teams that
	// still run Terraform older than 1.10. Terraform 1.11 deprecates it (a
	// warning at every plan). Default: none.
	DynamoDBTable string `yaml:"dynamodb_table,omitempty"`
	// UseLockfile locks state with an S3 lock file next to the state object
	// (Terraform 1.10 or later). Default: true. Setting it to false needs
	// DynamoDBTable: state is never left unlocked.
	UseLockfile *bool `yaml:"use_lockfile,omitempty"`
	// RoleARN is assumed to reach the state bucket. Default: none.
	RoleARN string `yaml:"role_arn,omitempty"`
}

// LocksWithLockfile reports whether the backend locks state with an S3 lock
// file (use_lockfile, on unless set to false).
func (s *S3Backend) LocksWithLockfile() bool { return s.UseLockfile == nil || *s.UseLockfile }

// Partition returns the partition of the home region.
func (c *Config) Partition() string { return rules.Partition(c.HomeRegion) }

// SingleAccount reports whether one account plays both roles.
func (c *Config) SingleAccount() bool {
	return c.Accounts.Management.ID == c.Accounts.LogArchive.ID
}

// TrailIdentity returns the one trail identity every policy is built from.
// The trail owner is the management account, also for organization trails.
func (c *Config) TrailIdentity() policy.Trail {
	return policy.Trail{
		Partition: c.Partition(),
		Region:    c.HomeRegion,
		Account:   c.Accounts.Management.ID,
		Name:      c.Trail.Name,
	}
}
