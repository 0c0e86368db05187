package policy

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Deployer is what one account's stacks create, by name: the deploying
// role's policies (DeployerPolicies) allow the calls the Terraform AWS
// provider makes to create, read, update and delete exactly those
// resources, and nothing on the objects or with the data keys of the logs
// (docs/bootstrap.md#what-the-deploying-roles-may-do).
type Deployer struct {
	// Partition and Account of the resources.
	Partition, Account string
	// Regions are every region where the stacks create resources in this
	// account (the home region first).
	Regions []string
	// HomeRegion holds the trail, its log group, alarms and topics.
	HomeRegion string
	// Buckets are the S3 buckets the stacks create.
	Buckets []string
	// Keys: the stacks create KMS keys (multi-region or not) in Regions.
	Keys bool
	// KeyAliases are the alias names ("alias/...") the stacks create, in
	// every one of Regions.
	KeyAliases []string
	// KeyTag is the value of the tag GuardTagKey that every key the stacks
	// create carries (the trail's name): the deploying role may create keys
	// only with it, and neither remove it nor change its value. It manages
	// the keys through their key policies, not by this tag
	// (docs/bootstrap.md#keys-by-key-policy). Required with Keys.
	KeyTag string
	// KeyTags are the other tags every key the stacks create carries (the
	// providers' default_tags): with GuardTagKey, the only tag keys and
	// values the role may give a key (TagKeysAtCreation; security review
	// 7, B3). Default: none.
	KeyTags map[string]string
	// AllowDestroy (allow_destroy): the role may schedule the deletion of
	// keys (Terraform destroys them). Default: false, denied
	// (DeployerDeniedKeyActions; security review 7, B4).
	AllowDestroy bool
	// ServiceRoles are the names of the roles the stacks use but the
	// bootstrap creates (the replication role, the CloudWatch Logs
	// delivery role, the Athena query role): the deploying role may read
	// them (iam:GetRole) and pass those in PassRoles, and has no IAM write
	// action at all (docs/bootstrap.md#service-roles).
	ServiceRoles []string
	// PassRoles maps a role name to the service it is passed to.
	PassRoles map[string]string
	// TrailARN is the trail the stacks create in this account; "" none.
	TrailARN string
	// OrganizationTrail: the trail is an organization trail.
	OrganizationTrail bool
	// LogGroups, Topics: names in HomeRegion; AlarmPrefixes: alarm names
	// start with one of them.
	LogGroups, Topics, AlarmPrefixes []string
	// TopicRegions lists topics created in another region than
	// HomeRegion: name to region.
	TopicRegions map[string]string
	// Registration: the stack registers a CloudTrail delegated
	// administrator.
	Registration bool
	// OrganizationID of the organization, with Registration.
	OrganizationID string
	// DelegatedAdministrator is the account registered as CloudTrail's
	// delegated administrator, with Registration.
	DelegatedAdministrator string
	// Athena names the workgroup, database and table the stacks create.
	Athena *DeployerAthena
}

// DeployerAthena names the Athena and Glue resources of the query side.
type DeployerAthena struct {
	Workgroup, Database, Table string
}

// DeployerPolicyPrefix begins the name of every inline policy of a
// deploying role.
const DeployerPolicyPrefix = "cloudtrail-mrk-deploy-"

// Provider calls per resource type, read from the Terraform AWS provider's
// source (internal/service/<service>/<resource>.go: Create, Read, Update,
// Delete) and its documentation; docs/aws-rules.md#deploying-role-actions
// cites them. Sufficiency is not provable offline: a missing action shows
// as AccessDenied naming it at apply (docs/bootstrap.md#when-an-action-is-missing).
var (
	// DeployerS3BucketActions: aws_s3_bucket (CreateBucket, HeadBucket,
	// which needs s3:ListBucket, the Get* of its Read, tagging, DeleteBucket)
	// and the split resources, each one Put/Get (their delete calls use the
	// Put permission: docs/aws-rules.md#delete-apis-use-put-permissions).
	DeployerS3BucketActions = []string{
		"s3:CreateBucket", "s3:DeleteBucket", "s3:ListBucket", "s3:GetBucketLocation",
		"s3:GetBucketAcl", "s3:GetBucketCORS", "s3:GetBucketWebsite", "s3:GetAccelerateConfiguration",
		"s3:GetBucketRequestPayment", "s3:GetBucketTagging", "s3:PutBucketTagging",
		"s3:GetBucketVersioning", "s3:PutBucketVersioning",
		"s3:GetEncryptionConfiguration", "s3:PutEncryptionConfiguration",
		"s3:GetBucketObjectLockConfiguration", "s3:PutBucketObjectLockConfiguration",
		"s3:GetBucketPublicAccessBlock", "s3:PutBucketPublicAccessBlock",
		"s3:GetBucketOwnershipControls", "s3:PutBucketOwnershipControls",
		"s3:GetBucketPolicy", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy",
		"s3:GetLifecycleConfiguration", "s3:PutLifecycleConfiguration",
		"s3:GetBucketLogging", "s3:PutBucketLogging",
		"s3:GetReplicationConfiguration", "s3:PutReplicationConfiguration",
	}
	// DeployerAliasActions: an alias call is authorized on the alias and on
	// its key; the key half is in the key policy (DeployerKeyPolicyActions).
	DeployerAliasActions = []string{"kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias"}
	// KMSMultiRegionService is the service principal of KMS's service-linked
	// role for multi-Region keys.
	KMSMultiRegionService = "mrk.kms.amazonaws.com"
	// DeployerRoleActions: reading the service roles the bootstrap
	// created. No IAM write action: a deploying role that could create a
	// role, or rewrite a role's trust or policies, could make itself a role
	// with any permission (docs/bootstrap.md#service-roles).
	DeployerRoleActions = []string{"iam:GetRole"}
	// DeployerIAMWriteActions are the IAM actions no deploying role is
	// granted on any resource; the access check proves each denied.
	DeployerIAMWriteActions = []string{
		"iam:CreateRole", "iam:DeleteRole", "iam:UpdateRole", "iam:UpdateAssumeRolePolicy",
		"iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:AttachRolePolicy", "iam:DetachRolePolicy",
		"iam:PutRolePermissionsBoundary", "iam:DeleteRolePermissionsBoundary", "iam:TagRole", "iam:UntagRole",
		"iam:CreatePolicy", "iam:CreatePolicyVersion", "iam:CreateUser", "iam:CreateAccessKey",
	}
	// DeployerTrailActions: aws_cloudtrail.
	DeployerTrailActions = []string{
		"cloudtrail:CreateTrail", "cloudtrail:DeleteTrail", "cloudtrail:UpdateTrail", "cloudtrail:GetTrail",
		"cloudtrail:GetTrailStatus", "cloudtrail:StartLogging",
		"cloudtrail:GetEventSelectors", "cloudtrail:PutEventSelectors",
		"cloudtrail:GetInsightSelectors", "cloudtrail:PutInsightSelectors",
		"cloudtrail:AddTags", "cloudtrail:RemoveTags", "cloudtrail:ListTags",
	}
	// DeployerLogGroupActions: aws_cloudwatch_log_group and
	// aws_cloudwatch_log_metric_filter.
	DeployerLogGroupActions = []string{
		"logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:PutRetentionPolicy", "logs:DeleteRetentionPolicy",
		"logs:AssociateKmsKey", "logs:DisassociateKmsKey", "logs:TagResource", "logs:UntagResource",
		"logs:ListTagsForResource", "logs:TagLogGroup", "logs:UntagLogGroup", "logs:ListTagsLogGroup",
		"logs:PutMetricFilter", "logs:DeleteMetricFilter",
	}
	// DeployerAlarmActions: aws_cloudwatch_metric_alarm.
	DeployerAlarmActions = []string{
		"cloudwatch:PutMetricAlarm", "cloudwatch:DeleteAlarms", "cloudwatch:DescribeAlarms",
		"cloudwatch:TagResource", "cloudwatch:UntagResource", "cloudwatch:ListTagsForResource",
	}
	// DeployerTopicActions: aws_sns_topic, aws_sns_topic_policy and
	// aws_sns_topic_subscription (Subscribe and ListSubscriptionsByTopic on
	// the topic).
	DeployerTopicActions = []string{
		"sns:CreateTopic", "sns:DeleteTopic", "sns:GetTopicAttributes", "sns:SetTopicAttributes",
		"sns:TagResource", "sns:UntagResource", "sns:ListTagsForResource",
		"sns:Subscribe", "sns:ListSubscriptionsByTopic",
	}
	// DeployerSubscriptionActions take no resource type: "*". Only the read
	// of aws_sns_topic_subscription: its Create is Subscribe (on the
	// topic, with the attributes) and then GetSubscriptionAttributes; only
	// its Update calls SetSubscriptionAttributes and only its Delete
	// Unsubscribe, which on "*" would reach every subscription of the
	// account (security review 7, S3). Changing or removing a subscription
	// is an administrator's task (docs/bootstrap.md#subscriptions).
	DeployerSubscriptionActions = []string{"sns:GetSubscriptionAttributes"}
	// DeployerDeniedSubscriptionActions are denied to the deploying role
	// on every subscription (DeployerSubscriptionActions).
	DeployerDeniedSubscriptionActions = []string{"sns:Unsubscribe", "sns:SetSubscriptionAttributes"}
	// DeployerDeniedKeyActions are denied to the deploying role on every
	// key, whatever a key policy allows it (a key policy it may rewrite
	// cannot lift a deny in its own IAM policy, which the administrator's
	// bootstrap writes): the provider never calls them for the keys the
	// stacks make (docs/bootstrap.md#what-a-compromised-deploying-role-can-still-do).
	// Disabling, moving the primary, turning rotation off, retiring or
	// revoking grants, and every use of a key for data or grants.
	DeployerDeniedKeyActions = []string{
		"kms:DisableKey", "kms:UpdatePrimaryRegion", "kms:DisableKeyRotation",
		"kms:RetireGrant", "kms:RevokeGrant", "kms:CreateGrant", "kms:ReEncrypt*",
	}
	// DeployerKeyDataActions are denied to the deploying role on every
	// key, except, where the stacks create a log group, when CloudWatch
	// Logs makes the call on its behalf (kms:ViaService logs.<home>) for
	// one of those log groups (kms:EncryptionContext:aws:logs:arn): the
	// log group is created with its key by the role's credentials
	// (security review 9, B-1; docs/aws-rules.md#log-group-key-via-logs).
	DeployerKeyDataActions = []string{"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*"}
	// DeployerDeniedMonitoringActions are denied to the deploying role on
	// every resource: the provider never calls them for what the stacks
	// create (DeleteRetentionPolicy only for retention_in_days 0,
	// DisassociateKmsKey only for a log group losing its kms_key_id, which
	// the stacks never set; no alarm is disabled or set by hand), and each
	// silences the monitoring (security review 9, B-2;
	// docs/bootstrap.md#what-a-compromised-deploying-role-can-still-do).
	DeployerDeniedMonitoringActions = []string{
		"logs:DeleteRetentionPolicy", "logs:DisassociateKmsKey", "logs:DeleteSubscriptionFilter",
		"cloudwatch:DisableAlarmActions", "cloudwatch:SetAlarmState",
	}
	// DeployerDestroyActions are the deletions of what the stacks create,
	// denied to the deploying role unless allow_destroy (Terraform
	// destroys them then), by what the account's stacks hold: one
	// DeleteAlarms call removes every alarm, the ones that watch alarm
	// changes and the heartbeat included, before its CloudTrail record
	// reaches the log group (security review 9, B-2). Removing an alarm, a
	// metric filter or a topic from the configuration is therefore an
	// administrator's task (docs/bootstrap.md#removing-monitoring).
	DeployerDestroyActions = map[string][]string{
		"trail":   {"cloudtrail:DeleteTrail"},
		"logs":    {"logs:DeleteLogGroup", "logs:DeleteMetricFilter"},
		"alarms":  {"cloudwatch:DeleteAlarms"},
		"topics":  {"sns:DeleteTopic"},
		"buckets": {"s3:DeleteBucket"},
	}
	// DeployerLockoutBypassActions are denied with
	// kms:BypassPolicyLockoutSafetyCheck true
	// (docs/aws-rules.md#lockout-safety-check-bypass).
	DeployerLockoutBypassActions = []string{"kms:CreateKey", "kms:PutKeyPolicy", "kms:ReplicateKey"}
	// DeployerDeniedTrailActions: the provider calls StopLogging only for
	// enable_logging = false, which the stacks never set.
	DeployerDeniedTrailActions = []string{"cloudtrail:StopLogging"}
	// DeployerListActions take no resource type: "*".
	DeployerListActions = []string{"kms:ListAliases", "logs:DescribeLogGroups", "logs:DescribeMetricFilters", "cloudtrail:DescribeTrails"}
	// DeployerOrganizationTrailActions: an organization trail's
	// prerequisites (docs/aws-rules.md#organization-prerequisites).
	DeployerOrganizationTrailActions = []string{"organizations:DescribeOrganization", "organizations:ListAWSServiceAccessForOrganization"}
	// No Organizations policy action: the guardrail SCPs are the
	// management account's bootstrap's (docs/bootstrap.md#guardrails-in-the-bootstrap).
	// DeployerRegistrationActions:
	// aws_cloudtrail_organization_delegated_admin_account
	// (docs/aws-rules.md#registration).
	// The CloudTrail calls and the reads take no resource type ("*"); the
	// Organizations registration (DeployerDelegationActions) is on the
	// delegated account only, for CloudTrail only.
	DeployerRegistrationActions = []string{
		"cloudtrail:RegisterOrganizationDelegatedAdmin", "cloudtrail:DeregisterOrganizationDelegatedAdmin",
		"organizations:ListDelegatedAdministrators", "organizations:ListDelegatedServicesForAccount",
		"organizations:DescribeOrganization", "organizations:ListAWSServiceAccessForOrganization",
	}
	// DeployerDelegationActions: conditioned on organizations:ServicePrincipal.
	DeployerDelegationActions = []string{"organizations:RegisterDelegatedAdministrator", "organizations:DeregisterDelegatedAdministrator"}
	// DeployerAthenaActions: aws_athena_workgroup and aws_athena_named_query.
	DeployerAthenaActions = []string{
		"athena:CreateWorkGroup", "athena:GetWorkGroup", "athena:UpdateWorkGroup", "athena:DeleteWorkGroup",
		"athena:TagResource", "athena:UntagResource", "athena:ListTagsForResource",
		"athena:CreateNamedQuery", "athena:GetNamedQuery", "athena:DeleteNamedQuery",
	}
	// DeployerGlueActions: aws_glue_catalog_database and
	// aws_glue_catalog_table.
	DeployerGlueActions = []string{
		"glue:CreateDatabase", "glue:GetDatabase", "glue:UpdateDatabase", "glue:DeleteDatabase",
		"glue:CreateTable", "glue:GetTable", "glue:UpdateTable", "glue:DeleteTable",
		"glue:GetTags", "glue:TagResource", "glue:UntagResource",
	}
)

// DeployerPolicies returns the deploying role's inline policies by name:
// one per group of services, so that each stays readable; IAM limits
// their total (docs/aws-rules.md#role-policy-size), which the
// configuration checks. Groups with nothing to allow are left out.
func DeployerPolicies(d Deployer) map[string]Document {
	p, a := d.Partition, d.Account
	out := map[string]Document{}
	add := func(name string, st ...Statement) {
		if len(st) > 0 {
			out[DeployerPolicyPrefix+name] = Document{Version: Version, ID: "deploy-" + name, Statement: st}
		}
	}
	var storage []Statement
	if len(d.Buckets) > 0 {
		var res []string
		for _, b := range d.Buckets {
			res = append(res, fmt.Sprintf("arn:%s:s3:::%s", p, b))
		}
		// Bucket ARNs only: no object of any bucket is a resource here.
		storage = append(storage, allow("Buckets", DeployerS3BucketActions, res))
	}
	if len(d.Buckets) > 0 && !d.AllowDestroy {
		storage = append(storage, Statement{Sid: "DenyBucketDeletion", Effect: Deny, Action: Values(DeployerDestroyActions["buckets"]), Resource: Values{"*"}})
	}
	add("storage", storage...)

	var keys []Statement
	if d.Keys {
		var keyRes, aliasRes []string
		for _, r := range d.Regions {
			keyRes = append(keyRes, fmt.Sprintf("arn:%s:kms:%s:%s:key/*", p, r, a))
			for _, al := range d.KeyAliases {
				aliasRes = append(aliasRes, fmt.Sprintf("arn:%s:kms:%s:%s:%s", p, r, a, al))
			}
		}
		// docs/bootstrap.md#keys-by-key-policy: no IAM grant on the
		// account's keys. The key policies the stacks write name this role
		// (policy.KeyManagerStatements), so it manages those keys and no
		// other, whatever tags a key carries.
		// Primary keys only in the home region, with the bootstrap's tag.
		create := allow("CreateTaggedKeys", []string{"kms:CreateKey"}, []string{"*"})
		create.Condition = Conditions{}.Add("StringEquals", "aws:RequestTag/"+GuardTagKey, d.KeyTag).
			Add("StringEquals", "aws:RequestedRegion", d.HomeRegion)
		keys = append(keys, create)
		if replicaRegions := d.replicaRegions(); len(replicaRegions) > 0 {
			// docs/aws-rules.md#replicatekey-authorization: a replica is
			// created by ReplicateKey (authorized by the primary's key policy,
			// into the configured regions only) and kms:CreateKey in the
			// replica's region, whose request tags no page says the CreateKey
			// check sees; kms:MultiRegionKeyType limits this one to replicas,
			// aws:RequestedRegion to the configured replica regions.
			replica := allow("CreateReplicaKeys", []string{"kms:CreateKey"}, []string{"*"})
			replica.Condition = Conditions{}.Add("StringEquals", "kms:MultiRegionKeyType", "REPLICA").
				Add("StringEquals", "aws:RequestedRegion", replicaRegions...)
			keys = append(keys, replica)
		}
		// docs/aws-rules.md#tags-at-key-creation: tags given to CreateKey or
		// ReplicateKey need kms:TagResource in an IAM policy covering every
		// key of the account and region, so this grant cannot require the
		// resource tag; it may add only the bootstrap's tag with its value.
		// It lets the role tag another key of the account too, which gives
		// it nothing on that key: no other grant here names a key.
		// Review 7, B3: only the tags the stacks put on keys, each with its
		// value, and no other tag key (aws:TagKeys, ForAllValues), so that
		// no tag of another team's key can be added or overwritten
		// (docs/aws-rules.md#tags-at-key-creation). IfExists: the provider
		// sends only the tags that change when it updates them.
		tags := d.keyTags()
		tagNew := allow("TagKeysAtCreation", []string{"kms:TagResource"}, keyRes)
		tagNew.Condition = Conditions{}
		for _, k := range slices.Sorted(maps.Keys(tags)) {
			tagNew.Condition = tagNew.Condition.Add("StringEqualsIfExists", "aws:RequestTag/"+k, tags[k])
		}
		tagNew.Condition = tagNew.Condition.Add("ForAllValues:StringEquals", "aws:TagKeys", slices.Sorted(maps.Keys(tags))...)
		// docs/aws-rules.md#multi-region-key-service-linked-role: creating a
		// multi-Region primary key makes KMS create (or re-create) its
		// service-linked role.
		mrkSLR := allow("KMSMultiRegionServiceLinkedRole", []string{"iam:CreateServiceLinkedRole"},
			[]string{fmt.Sprintf("arn:%s:iam::%s:role/aws-service-role/%s/*", p, a, KMSMultiRegionService)})
		mrkSLR.Condition = Conditions{}.Add("StringEquals", "iam:AWSServiceName", KMSMultiRegionService)
		keys = append(keys, tagNew, mrkSLR)
		keys = append(keys, keepTag("KeepKeyTag", []string{"kms:TagResource", "kms:UntagResource", "kms:CreateKey"}, keyRes, d.KeyTag)...)
		// Review 9, S-1: TagKeysAtCreation would let the role overwrite a
		// configured tag key that another team's key already carries with
		// another value (owner=payments to owner=<ours>). One deny per
		// configured key (the conditions of one statement are ANDed): the
		// request names that key and the key carries it with another
		// value. A key being created carries no tag yet, so creation is
		// unaffected (docs/bootstrap.md#not-closed).
		for i, k := range slices.Sorted(maps.Keys(d.KeyTags)) {
			if k == GuardTagKey {
				continue
			}
			keys = append(keys, Statement{Sid: fmt.Sprintf("KeepConfiguredTag%d%s", i+1, sidWord(k)), Effect: Deny,
				Action: Values{"kms:TagResource"}, Resource: Values{"*"},
				Condition: Conditions{}.Add("ForAnyValue:StringEquals", "aws:TagKeys", k).
					Add("Null", "aws:ResourceTag/"+k, "false").
					Add("StringNotEquals", "aws:ResourceTag/"+k, d.KeyTags[k])})
		}
		// Review 7, B4 (docs/bootstrap.md#what-a-compromised-deploying-role-can-still-do):
		// denies in the role's own policy, which no key policy it writes
		// can lift.
		denied := append([]string{}, DeployerDeniedKeyActions...)
		if !d.AllowDestroy {
			denied = append(denied, DeployerKeyDeletionAction)
		}
		var dataUse []Statement
		if len(d.LogGroups) > 0 {
			// Review 9, B-1: CloudWatch Logs calls KMS with the caller's
			// permissions (kms:ViaService) when the role creates the log
			// group with its key; a deny here no key policy could lift.
			// Denied unless via CloudWatch Logs in the home region AND for
			// one of our log groups: two statements, since the conditions
			// of one are ANDed; a direct call carries no kms:ViaService and
			// a negated operator matches an absent key
			// (docs/aws-rules.md#log-group-key-via-logs).
			var groups []string
			for _, g := range d.LogGroups {
				groups = append(groups, fmt.Sprintf("arn:%s:logs:%s:%s:log-group:%s", p, d.HomeRegion, a, g))
			}
			dataUse = []Statement{
				{Sid: "DenyKeyDataUseExceptViaLogs", Effect: Deny, Action: Values(DeployerKeyDataActions), Resource: Values{"*"},
					Condition: Conditions{}.Add("StringNotEquals", "kms:ViaService", LogsViaService(p, d.HomeRegion))},
				{Sid: "DenyKeyDataUseExceptOurLogGroups", Effect: Deny, Action: Values(DeployerKeyDataActions), Resource: Values{"*"},
					Condition: Conditions{}.Add("ArnNotEquals", logsEncryptionContextKey, groups...)},
			}
		} else {
			denied = append(denied, DeployerKeyDataActions...)
		}
		keys = append(keys, Statement{Sid: "DenyKeyDestructionAndUse", Effect: Deny, Action: Values(denied), Resource: Values{"*"}})
		keys = append(keys, dataUse...)
		keys = append(keys,
			Statement{Sid: "DenyLockoutBypass", Effect: Deny, Action: Values(DeployerLockoutBypassActions), Resource: Values{"*"},
				Condition: Conditions{}.Add("Bool", "kms:BypassPolicyLockoutSafetyCheck", "true")})
		if len(aliasRes) > 0 {
			keys = append(keys, allow("Aliases", DeployerAliasActions, aliasRes))
		}
	}
	add("keys", keys...)

	var roles []Statement
	if len(d.ServiceRoles) > 0 {
		var res []string
		for _, r := range d.ServiceRoles {
			res = append(res, fmt.Sprintf("arn:%s:iam::%s:role/%s", p, a, r))
		}
		roles = append(roles, allow("ReadServiceRoles", DeployerRoleActions, res))
	}
	services := map[string][]string{}
	for _, r := range slices.Sorted(maps.Keys(d.PassRoles)) {
		services[d.PassRoles[r]] = append(services[d.PassRoles[r]], fmt.Sprintf("arn:%s:iam::%s:role/%s", p, a, r))
	}
	for _, svc := range slices.Sorted(maps.Keys(services)) {
		st := allow("PassRoleTo"+sidWord(svc), []string{"iam:PassRole"}, services[svc])
		st.Condition = Conditions{}.Add("StringEquals", "iam:PassedToService", svc)
		roles = append(roles, st)
	}
	if d.OrganizationTrail || d.Registration {
		// CloudTrail creates its service-linked role for an organization
		// trail (docs/aws-rules.md#organization-prerequisites).
		slr := fmt.Sprintf("arn:%s:iam::%s:role/aws-service-role/%s/*", p, a, CloudTrailService)
		st := allow("CloudTrailServiceLinkedRole", []string{"iam:CreateServiceLinkedRole"}, []string{slr})
		st.Condition = Conditions{}.Add("StringEquals", "iam:AWSServiceName", CloudTrailService)
		roles = append(roles, st, allow("ReadCloudTrailServiceLinkedRole", []string{"iam:GetRole"}, []string{slr}))
	}
	add("roles", roles...)

	var trail []Statement
	if d.TrailARN != "" {
		trail = append(trail, allow("Trail", DeployerTrailActions, []string{d.TrailARN}),
			Statement{Sid: "DenyStopLogging", Effect: Deny, Action: Values(DeployerDeniedTrailActions), Resource: Values{"*"}})
	}
	if len(d.LogGroups) > 0 {
		var res []string
		for _, g := range d.LogGroups {
			base := fmt.Sprintf("arn:%s:logs:%s:%s:log-group:%s", p, d.HomeRegion, a, g)
			// docs/aws-rules.md#log-group-arn-suffix: both forms.
			res = append(res, base, base+":*")
		}
		trail = append(trail, allow("LogGroups", DeployerLogGroupActions, res))
	}
	if len(d.AlarmPrefixes) > 0 {
		var res []string
		for _, r := range d.Regions {
			for _, pre := range d.AlarmPrefixes {
				res = append(res, fmt.Sprintf("arn:%s:cloudwatch:%s:%s:alarm:%s*", p, r, a, pre))
			}
		}
		trail = append(trail, allow("Alarms", DeployerAlarmActions, res))
	}
	if len(d.Topics) > 0 {
		var res []string
		for _, t := range d.Topics {
			region := d.HomeRegion
			if r, ok := d.TopicRegions[t]; ok {
				region = r
			}
			res = append(res, fmt.Sprintf("arn:%s:sns:%s:%s:%s", p, region, a, t))
		}
		trail = append(trail, allow("Topics", DeployerTopicActions, res),
			allow("Subscriptions", DeployerSubscriptionActions, []string{"*"}),
			Statement{Sid: "DenySubscriptionChanges", Effect: Deny, Action: Values(DeployerDeniedSubscriptionActions), Resource: Values{"*"}})
	}
	if d.OrganizationTrail && d.TrailARN != "" {
		trail = append(trail, allow("OrganizationTrail", DeployerOrganizationTrailActions, []string{"*"}))
	}
	// Review 9, B-2: nothing that silences the monitoring; deletions only
	// with allow_destroy.
	var silence []string
	if len(d.LogGroups) > 0 || len(d.AlarmPrefixes) > 0 {
		silence = append(silence, DeployerDeniedMonitoringActions...)
	}
	if !d.AllowDestroy {
		for _, g := range []struct {
			present bool
			name    string
		}{{d.TrailARN != "", "trail"}, {len(d.LogGroups) > 0, "logs"}, {len(d.AlarmPrefixes) > 0, "alarms"}, {len(d.Topics) > 0, "topics"}} {
			if g.present {
				silence = append(silence, DeployerDestroyActions[g.name]...)
			}
		}
	}
	if len(silence) > 0 {
		trail = append(trail, Statement{Sid: "DenyMonitoringRemoval", Effect: Deny, Action: Values(silence), Resource: Values{"*"}})
	}
	add("monitoring", trail...)

	var org []Statement
	if d.Registration {
		org = append(org, allow("DelegatedAdministrator", DeployerRegistrationActions, []string{"*"}))
		st := allow("RegisterCloudTrailDelegatedAdministrator", DeployerDelegationActions, []string{
			OrganizationTargetARN(p, a, d.OrganizationID, d.DelegatedAdministrator),
		})
		st.Condition = Conditions{}.Add("StringEquals", "organizations:ServicePrincipal", CloudTrailService)
		org = append(org, st)
	}
	add("organizations", org...)

	var athena []Statement
	if at := d.Athena; at != nil {
		athena = append(athena,
			allow("Workgroup", DeployerAthenaActions, []string{fmt.Sprintf("arn:%s:athena:%s:%s:workgroup/%s", p, d.HomeRegion, a, at.Workgroup)}),
			allow("Catalog", DeployerGlueActions, []string{
				fmt.Sprintf("arn:%s:glue:%s:%s:catalog", p, d.HomeRegion, a),
				fmt.Sprintf("arn:%s:glue:%s:%s:database/%s", p, d.HomeRegion, a, at.Database),
				fmt.Sprintf("arn:%s:glue:%s:%s:table/%s/%s", p, d.HomeRegion, a, at.Database, at.Table),
			}))
	}
	add("athena", athena...)

	var lists []string
	for _, l := range DeployerListActions {
		switch {
		case l == "kms:ListAliases":
			if d.Keys {
				lists = append(lists, l)
			}
		case l == "cloudtrail:DescribeTrails":
			if d.TrailARN != "" {
				lists = append(lists, l)
			}
		default:
			if len(d.LogGroups) > 0 {
				lists = append(lists, l)
			}
		}
	}
	if len(lists) > 0 {
		// No resource type: ListAliases, DescribeLogGroups,
		// DescribeMetricFilters, DescribeTrails.
		add("list", allow("NoResourceType", lists, []string{"*"}))
	}
	return out
}

// LogsViaService is the kms:ViaService value of CloudWatch Logs in region:
// logs.<region>.amazonaws.com (KMS developer guide, "kms:ViaService"; the
// aws-cn form with the .com.cn suffix, like the service principal, is
// UNCONFIRMED: docs/aws-rules.md#log-group-key-via-logs).
func LogsViaService(partition, region string) string {
	return logsServicePrincipal(Trail{Partition: partition, Region: region})
}

// keyTags are the tags every key the stacks create carries: KeyTags and
// GuardTagKey = KeyTag (a resource's own tag wins over a provider default).
func (d Deployer) keyTags() map[string]string {
	out := map[string]string{}
	for k, v := range d.KeyTags {
		out[k] = v
	}
	out[GuardTagKey] = d.KeyTag
	return out
}

// replicaRegions are Regions but the home region: where replicas of the
// multi-Region key are created.
func (d Deployer) replicaRegions() []string {
	var out []string
	for _, r := range d.Regions {
		if r != d.HomeRegion {
			out = append(out, r)
		}
	}
	return out
}

// keepTag denies removing the tag GuardTagKey, setting it to another value
// than tag, and tagging a resource whose GuardTagKey is another value: the
// service roles and the guardrails find this trail's keys by the tag, and
// another trail's by its own value (docs/bootstrap.md#keys-by-key-policy).
func keepTag(sid string, actions, resources []string, tag string) []Statement {
	var untag, retag []string
	for _, a := range actions {
		if strings.HasSuffix(a, ":UntagResource") {
			untag = append(untag, a)
		} else {
			retag = append(retag, a)
		}
	}
	var tagging []string
	for _, a := range actions {
		if strings.HasSuffix(a, ":TagResource") || strings.HasSuffix(a, ":UntagResource") {
			tagging = append(tagging, a)
		}
	}
	return []Statement{
		{Sid: sid + "Untag", Effect: Deny, Action: Values(untag), Resource: Values{"*"},
			Condition: Conditions{}.Add("ForAnyValue:StringEquals", "aws:TagKeys", GuardTagKey)},
		{Sid: sid + "Value", Effect: Deny, Action: Values(retag), Resource: Values{"*"},
			Condition: Conditions{}.Add("Null", "aws:RequestTag/"+GuardTagKey, "false").
				Add("StringNotEquals", "aws:RequestTag/"+GuardTagKey, tag)},
		// Review 6: no tagging of a resource that carries another value of
		// the tag (another trail's): re-tagging it would take it from that
		// trail's service roles and guardrails. A resource being created
		// carries no tag yet, so this never refuses tags at creation.
		{Sid: sid + "Others", Effect: Deny, Action: Values(tagging), Resource: Values{"*"},
			Condition: Conditions{}.Add("Null", resourceTagKey, "false").
				Add("StringNotEquals", resourceTagKey, tag)},
	}
}

// OrganizationTargetARN is the ARN of an SCP target id (r-..., ou-...,
// or an account id) in the organization whose management account is
// account.
func OrganizationTargetARN(partition, account, organizationID, id string) string {
	kind := "account"
	switch {
	case strings.HasPrefix(id, "r-"):
		kind = "root"
	case strings.HasPrefix(id, "ou-"):
		kind = "ou"
	}
	return fmt.Sprintf("arn:%s:organizations::%s:%s/%s/%s", partition, account, kind, organizationID, id)
}

// CompactSize is the length of d without white space, as IAM measures
// policies against its quotas (docs/aws-rules.md#role-policy-size); -1
// when d cannot be rendered.
func CompactSize(d Document) int {
	s, err := d.CompactJSON()
	if err != nil {
		return -1
	}
	return len(s)
}

func allow(sid string, actions, resources []string) Statement {
	return Statement{Sid: sid, Effect: Allow, Action: Values(actions), Resource: Values(resources)}
}

// sidWord turns a service principal into letters and digits for a Sid.
func sidWord(s string) string {
	var out []rune
	up := true
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z':
			if up {
				r -= 'a' - 'A'
			}
			out = append(out, r)
			up = false
		case r >= 'A' && r <= 'Z' || r >= '0' && r <= '9':
			out = append(out, r)
			up = false
		default:
			up = true
		}
	}
	return string(out)
}

// StateAccess is what the state role may do: the S3 backend's calls on
// the state objects under one prefix, and on the lock table when there is
// one (docs/aws-rules.md#s3-backend-permissions), and reading their
// previous versions, to recover one.
type StateAccess struct {
	Partition, Bucket, KeyPrefix string
	// LockTableARN is the DynamoDB lock table's ARN; "" none.
	LockTableARN string
}

// StatePolicy returns the state role's policy.
func StatePolicy(s StateAccess) Document {
	bucket := fmt.Sprintf("arn:%s:s3:::%s", s.Partition, s.Bucket)
	st := []Statement{
		// s3:ListBucketVersions and s3:GetObjectVersion: recovering a
		// previous state version (docs/bootstrap.md#the-state-bucket:
		// list-object-versions, get-object --version-id, or a copy of that
		// version over the current one).
		allow("ListStateBucket", []string{"s3:ListBucket", "s3:ListBucketVersions"}, []string{bucket}),
		allow("ReadWriteState", []string{"s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"}, []string{bucket + "/" + s.KeyPrefix + "/*"}),
		allow("DeleteLockFile", []string{"s3:DeleteObject"}, []string{bucket + "/" + s.KeyPrefix + "/*.tflock"}),
	}
	if s.LockTableARN != "" {
		st = append(st, allow("LockTable", []string{"dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"}, []string{s.LockTableARN}))
	}
	return Document{Version: Version, ID: "terraform-state", Statement: st}
}

// TrustPolicy lets principals assume a role (sts:AssumeRole).
func TrustPolicy(principals []string) Document {
	return Document{Version: Version, Statement: []Statement{{
		Sid: "TrustedPrincipals", Effect: Allow, Principal: AWSPrincipals(principals...), Action: Values{"sts:AssumeRole"},
	}}}
}

// StateObjectActions are the object actions the state bucket policy denies
// to every principal not exempt (docs/bootstrap.md#the-state-bucket).
var StateObjectActions = []string{"s3:GetObject*", "s3:PutObject*", "s3:DeleteObject*", "s3:RestoreObject"}

// StateNoncurrentDays is how long the state bucket keeps a state file's
// previous versions (docs/bootstrap.md#the-state-bucket).
const StateNoncurrentDays = 90

// StateBucketPolicy refuses every request without TLS and every object
// read, write or delete by a principal other than exempt (the state role
// and the break-glass principals). Bucket-level actions, PutBucketPolicy
// included, are not denied: an administrator of the account can always
// change this policy, so nobody is locked out.
func StateBucketPolicy(partition, bucket string, exempt []string) Document {
	arn := fmt.Sprintf("arn:%s:s3:::%s", partition, bucket)
	return Document{Version: Version, ID: "state-bucket-policy", Statement: []Statement{{
		Sid: "DenyInsecureTransport", Effect: Deny, Principal: Principal{Any: true}, Action: Values{"s3:*"},
		Resource: Values{arn, arn + "/*"}, Condition: Conditions{}.Add("Bool", "aws:SecureTransport", "false"),
	}, {
		Sid: "DenyStateObjectsExceptStateRole", Effect: Deny, Principal: Principal{Any: true}, Action: Values(StateObjectActions),
		Resource: Values{arn + "/*"}, Condition: Conditions{}.Add("ArnNotLike", "aws:PrincipalArn", exempt...),
	}}}
}
