package access

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The organization example's bootstrap: every expectation is there, and
// holds.
func TestBootstrapExpectationsRun(t *testing.T) {
	cfg, stacks := golden(t, "organization")
	results, err := Check(cfg, stacks)
	require.NoError(t, err)
	assert.Empty(t, failures(results))
	all := resultLines(results)
	la := "arn:aws:iam::444455556666:role/CloudTrailLogArchiveDeployer"
	mg := "arn:aws:iam::111122223333:role/CloudTrailDeployer"
	for _, want := range []string{
		"the deploying role " + la + " (its bootstrap policies) s3:GetObject on an object of example-org-cloudtrail-444455556666 must be denied",
		"the deploying role " + la + " (its bootstrap policies) s3:DeleteObject on an object of example-org-cloudtrail-444455556666-usw2 must be denied",
		"the deploying role " + la + " (its bootstrap policies) kms:Decrypt with the key copy in us-west-2 must be denied",
		"the deploying role " + la + " (its bootstrap policies) kms:GenerateDataKey with the key copy in us-east-1 must be denied",
		"the deploying role " + la + " (its bootstrap policies) kms:ReEncryptFrom with the key copy in eu-west-1 must be denied",
		"the deploying role " + la + " (its bootstrap policies) s3:PutBucketPolicy on example-org-cloudtrail-444455556666 must be allowed (got Allow)",
		"the deploying role " + la + " (its bootstrap policies) kms:PutKeyPolicy on the key copy in us-east-1 must be allowed (got Allow)",
		"the deploying role " + la + " iam:PutRolePolicy on itself must be denied",
		"the deploying role " + la + " iam:PutRolePolicy on arn:aws:iam::444455556666:role/cloudtrail-mrk-replication must be denied",
		"the deploying role " + la + " iam:CreateRole on arn:aws:iam::444455556666:role/CloudTrailToCloudWatchLogs-backdoor must be denied",
		"the deploying role " + mg + " iam:CreateRole on arn:aws:iam::111122223333:role/CloudTrailToCloudWatchLogs-backdoor must be denied",
		"the deploying role " + mg + " iam:UpdateAssumeRolePolicy on arn:aws:iam::111122223333:role/CloudTrailToCloudWatchLogs-organization-trail must be denied",
		"the deploying role " + la + " kms:PutKeyPolicy on an unrelated key without the bootstrap's tag (AWS's default key policy) must be denied",
		"the deploying role " + la + " kms:ScheduleKeyDeletion on an unrelated key without the bootstrap's tag (AWS's default key policy) must be denied",
		// Review 6, B1: the tag it may add gives it nothing on that key.
		"the deploying role " + la + " kms:PutKeyPolicy on an unrelated key it tagged with the bootstrap's tag (AWS's default key policy) must be denied",
		"the deploying role " + la + " kms:ReplicateKey on an unrelated key it tagged with the bootstrap's tag (AWS's default key policy) must be denied",
		"the deploying role " + la + " kms:Decrypt on an unrelated key it tagged with the bootstrap's tag (AWS's default key policy) must be denied",
		"the deploying role " + mg + " kms:ScheduleKeyDeletion on an unrelated key with another value of the bootstrap's tag (AWS's default key policy) must be denied",
		"the deploying role " + la + " kms:CreateKey of a replica in ap-south-1, a region the configuration does not use must be denied",
		"the deploying role " + la + " kms:CreateKey of a replica in us-west-2 without request tags must be allowed (got Allow)",
		"the deploying role " + la + " kms:CreateKey with the bootstrap's tag in ap-south-1, a region the configuration does not use must be denied",
		// Every key policy the stacks write manages the key through the
		// deploying role of its stack.
		"the deploying role " + la + " (its key policy statement and bootstrap policies) kms:PutKeyPolicy on aws_kms_key.TrailKey_PrimaryKey_980DB91A in us-east-1 must be allowed (got Allow)",
		"the deploying role " + la + " (its key policy statement and bootstrap policies) kms:ReplicateKey on aws_kms_key.TrailKey_PrimaryKey_980DB91A in us-east-1 must be allowed (got Allow)",
		// Review 7, B4: no deletion without allow_destroy, no lockout
		// bypass, nothing destroyed even through a key policy it rewrote.
		"the deploying role " + la + " (its key policy statement and bootstrap policies) kms:ScheduleKeyDeletion on aws_kms_key.Replication_AlarmKey_3531FF19 in us-east-1 must be denied (got ExplicitDeny)",
		"the deploying role " + la + " (its key policy statement and bootstrap policies) kms:ScheduleKeyDeletion on aws_kms_key.TrailKey_PrimaryKey_980DB91A in us-east-1 must be denied (got ExplicitDeny)",
		"the deploying role " + la + " (its key policy statement and bootstrap policies) kms:PutKeyPolicy with the lockout safety check bypassed on aws_kms_replica_key.TrailKey_ReplicaEuWest1_E7FD3946 in eu-west-1 must be denied (got ExplicitDeny)",
		"the deploying role " + la + " (its key policy statement and bootstrap policies) kms:PutKeyPolicy with the lockout safety check on aws_kms_key.TrailKey_PrimaryKey_980DB91A in us-east-1 must be allowed (got Allow)",
		"the deploying role " + la + " (its bootstrap policies, with a key policy it rewrote to allow it kms:*) kms:ScheduleKeyDeletion on aws_kms_key.TrailKey_PrimaryKey_980DB91A in us-east-1 must be denied (got ExplicitDeny)",
		"the deploying role " + la + " (its bootstrap policies, with a key policy it rewrote to allow it kms:*) kms:Decrypt on aws_kms_replica_key.TrailKey_ReplicaUsWest2_BB0D5B89 in us-west-2 must be denied (got ExplicitDeny)",
		"the deploying role " + mg + " (its bootstrap policies, with a key policy it rewrote to allow it kms:*) kms:DisableKey on aws_kms_key.Trail_WatchdogKey_878FCA5F in us-east-1 must be denied (got ExplicitDeny)",
		"the deploying role " + la + " kms:CreateKey with the lockout safety check bypassed must be denied (got ExplicitDeny)",
		"the deploying role " + mg + " cloudtrail:StopLogging on the trail must be denied (got ExplicitDeny)",
		// Review 7, B3: the configured tags only.
		"the deploying role " + la + " kms:TagResource of a new key with the tags the stacks give keys must be allowed (got Allow)",
		"the deploying role " + la + " kms:TagResource adding another tag key along with the bootstrap's tag must be denied (got ImplicitDeny)",
		"the deploying role " + mg + " kms:TagResource setting the configured tag owner to another value must be denied (got ImplicitDeny)",
		// Review 7, S3: no subscription of the account to remove.
		"the deploying role " + mg + " sns:Unsubscribe on the subscription arn:aws:sns:us-east-1:111122223333:guardduty-findings:0b4f5c1e-1111-2222-3333-444455556666 must be denied (got ExplicitDeny)",
		"the deploying role " + mg + " sns:SetSubscriptionAttributes on the subscription arn:aws:sns:us-east-1:111122223333:guardduty-findings:0b4f5c1e-1111-2222-3333-444455556666 must be denied (got ExplicitDeny)",
		"the deploying role " + la + " (its key policy statement and bootstrap policies) kms:PutKeyPolicy on aws_kms_replica_key.TrailKey_ReplicaEuWest1_E7FD3946 in eu-west-1 must be allowed (got Allow)",
		"the deploying role " + mg + " (its key policy statement and bootstrap policies) kms:PutKeyPolicy on aws_kms_key.Trail_MonitoringKey_707AC834 in us-east-1 must be allowed (got Allow)",
		"the deploying role " + mg + " (its key policy statement and bootstrap policies) kms:PutKeyPolicy on aws_kms_key.Trail_WatchdogKey_878FCA5F in us-east-1 must be allowed (got Allow)",
		"the deploying role " + mg + " (its key policy statement and bootstrap policies) kms:Decrypt on aws_kms_key.Trail_MonitoringKey_707AC834 in us-east-1 must be denied",
		"the deploying role " + la + " (its key policy statement and bootstrap policies) kms:ReplicateKey on aws_kms_key.TrailKey_PrimaryKey_980DB91A in us-east-1 must be denied",
		"the deploying role " + la + " (its key policy statement and bootstrap policies) kms:ReplicateKey on aws_kms_replica_key.TrailKey_ReplicaUsWest2_BB0D5B89 in us-west-2 must be denied",
		"the stacks that " + la + " deploys write 4 key policies, each checked for it must hold (holds)",
		"the stacks that " + mg + " deploys write 2 key policies, each checked for it must hold (holds)",
		// Review 6, B2: the management deploying role writes no SCP.
		"the deploying role " + mg + " organizations:CreatePolicy on * with the bootstrap's tag must be denied",
		"the deploying role " + mg + " organizations:TagResource on * with the bootstrap's tag must be denied",
		"the deploying role " + mg + " organizations:CreatePolicy on arn:aws:organizations::111122223333:policy/o-exampleorg1/service_control_policy/p-newpolicy with the bootstrap's tag must be denied",
		"the deploying role " + mg + " organizations:UpdatePolicy on an SCP with the bootstrap's tag must be denied",
		"the deploying role " + mg + " organizations:DetachPolicy on an SCP without the bootstrap's tag must be denied",
		"the deploying role " + mg + " organizations:DetachPolicy on the target r-abcd must be denied",
		"the deploying role " + mg + " organizations:DetachPolicy on the target 999999999999 must be denied",
		"the deploying role " + mg + " organizations:DeletePolicy on an SCP with the bootstrap's tag must be denied",
		"the deploying role " + mg + " organizations:AttachPolicy on the target ou-exam-ple12345 must be denied",
		"stack bootstrap-management holds 4 SCPs and attachments, which only the management account's bootstrap may hold must hold (holds)",
		"the deploying role " + mg + " iam:PassRole of arn:aws:iam::111122223333:role/CloudTrailToCloudWatchLogs-backdoor to CloudTrail must be denied",
		"the deploying role " + mg + " (its bootstrap policies) kms:Decrypt with the key copy in us-east-1 must be denied",
		"the deploying role " + mg + " (its bootstrap policies) s3:GetObject on an object of example-org-cloudtrail-444455556666 must be denied",
		"trusted principal arn:aws:iam::111122223333:role/TerraformRunner assuming " + la + " must be allowed (got Allow)",
		"an administrator of 444455556666 allowed everything by IAM assuming " + la + " must be denied",
		"the state role s3:GetObject on a state object must be allowed (got Allow)",
		"the state role s3:DeleteObject on a lock file must be allowed (got Allow)",
		"the state role s3:DeleteObject on a state object must be denied",
		// Review 6: recovery as documented.
		"the state role s3:ListBucketVersions on the state bucket must be allowed (got Allow)",
		"the state role s3:GetObjectVersion on a state object must be allowed (got Allow)",
		"the state role s3:DeleteObjectVersion on a state object must be denied",
		"the state role s3:GetObject on a log object must be denied",
		"an administrator of 444455556666 allowed everything by IAM reading a state object without TLS must be denied (got ExplicitDeny)",
		// N4: the state objects only to the state role and break-glass.
		"an administrator of 444455556666 allowed everything by IAM s3:GetObject on a state object must be denied (got ExplicitDeny)",
		"an administrator of 444455556666 allowed everything by IAM s3:DeleteObjectVersion on a state object must be denied (got ExplicitDeny)",
		"the deploying role " + la + " allowed everything by IAM s3:GetObject on a state object must be denied (got ExplicitDeny)",
		"an administrator of 444455556666 allowed everything by IAM s3:PutBucketPolicy on the state bucket must be allowed (got Allow)",
	} {
		assert.Contains(t, all, want)
	}
}

// editPolicy rewrites the policy attribute (attr) of the resources of type
// typ whose construct id starts with prefix.
func editPolicy(t *testing.T, typ, prefix, attr string, change func(doc map[string]any)) func(string) string {
	return func(s string) string {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(s), &m))
		n := 0
		for id, body := range m["resource"].(map[string]any)[typ].(map[string]any) {
			if !strings.HasPrefix(id, prefix) {
				continue
			}
			res := body.(map[string]any)
			var doc map[string]any
			require.NoError(t, json.Unmarshal([]byte(res[attr].(string)), &doc))
			change(doc)
			b, err := json.Marshal(doc)
			require.NoError(t, err)
			res[attr] = string(b)
			n++
		}
		require.NotZero(t, n, "no %s %s*", typ, prefix)
		b, err := json.Marshal(m)
		require.NoError(t, err)
		return string(b)
	}
}

func addStatement(st map[string]any) func(map[string]any) {
	return func(doc map[string]any) { doc["Statement"] = append(doc["Statement"].([]any), st) }
}

// dropStatement removes the statement with Sid sid; it must exist.
func dropStatement(sid string) func(map[string]any) {
	return func(doc map[string]any) {
		var kept []any
		for _, st := range doc["Statement"].([]any) {
			if st.(map[string]any)["Sid"] != sid {
				kept = append(kept, st)
			}
		}
		if len(kept) == len(doc["Statement"].([]any)) {
			panic("no statement " + sid)
		}
		doc["Statement"] = kept
	}
}

func TestBootstrapSeededDefectsAreCaught(t *testing.T) {
	la := "arn:aws:iam::444455556666:role/CloudTrailLogArchiveDeployer"
	mg := "arn:aws:iam::111122223333:role/CloudTrailDeployer"
	dropCondition := func(sid string) func(map[string]any) {
		return func(doc map[string]any) {
			for _, st := range doc["Statement"].([]any) {
				if m := st.(map[string]any); m["Sid"] == sid {
					delete(m, "Condition")
				}
			}
		}
	}
	requireEachCaught(t, []seededDefect{
		{
			// Review 9, B-2: one DeleteAlarms call silences every alarm.
			"a deploying role that may delete the alarms", "organization", "bootstrap-management",
			editPolicy(t, "aws_iam_role_policy", "DeployingRole_CloudTrailDeployer_monitoring", "policy", dropStatement("DenyMonitoringRemoval")),
			"the deploying role " + mg + " cloudwatch:DeleteAlarms on arn:aws:cloudwatch:us-east-1:111122223333:alarm:organization-trail-monitoring-alarm-changes must be denied (got Allow)",
		},
		{
			// Review 9, B-2: the log buckets deletable without allow_destroy.
			"a deploying role that may delete the log bucket", "organization", "bootstrap-log-archive",
			editPolicy(t, "aws_iam_role_policy", "DeployingRole_CloudTrailLogArchiveDeployer_storage", "policy", dropStatement("DenyBucketDeletion")),
			"the deploying role " + la + " s3:DeleteBucket on arn:aws:s3:::example-org-cloudtrail-444455556666 must be denied (got Allow)",
		},
		{
			// Review 9, B-1: the data deny without its CloudWatch Logs
			// carve-out: the first apply stops at the log group.
			"a deploying role denied the monitoring key even through CloudWatch Logs", "organization", "bootstrap-management",
			editPolicy(t, "aws_iam_role_policy", "DeployingRole_CloudTrailDeployer_keys", "policy", dropCondition("DenyKeyDataUseExceptViaLogs")),
			"the deploying role " + mg + " (its key policy statement and bootstrap policies) kms:GenerateDataKey via CloudWatch Logs for the log group cloudtrail/organization-trail on aws_kms_key.Trail_MonitoringKey_707AC834 in us-east-1 must be allowed (got ExplicitDeny)",
		},
		{
			// Review 9, B-1: the monitoring key policy without the role's
			// CloudWatch Logs statement.
			"a monitoring key policy without the deploying role's CloudWatch Logs statement", "organization", "management",
			editPolicy(t, "aws_kms_key", "Trail_MonitoringKey", "policy", dropStatement("DeployingRoleUsesKeyViaLogs")),
			"the deploying role " + mg + " (its key policy statement and bootstrap policies) kms:GenerateDataKey via CloudWatch Logs for the log group cloudtrail/organization-trail on aws_kms_key.Trail_MonitoringKey_707AC834 in us-east-1 must be allowed (got ImplicitDeny)",
		},
		{
			// Review 9, B-1: the carve-out for any log group.
			"a deploying role that may use any key through CloudWatch Logs for any log group", "organization", "bootstrap-management",
			editPolicy(t, "aws_iam_role_policy", "DeployingRole_CloudTrailDeployer_keys", "policy", func(doc map[string]any) {
				dropStatement("DenyKeyDataUseExceptOurLogGroups")(doc)
			}),
			"the deploying role " + mg + " (its bootstrap policies, with a key policy it rewrote to allow it kms:*) kms:Decrypt via CloudWatch Logs for another log group on aws_kms_key.Trail_MonitoringKey_707AC834 in us-east-1 must be denied (got Allow)",
		},
		{
			// Review 9, S-1: another team's configured tag overwritten.
			"a deploying role that may overwrite another team's owner tag", "organization", "bootstrap-log-archive",
			editPolicy(t, "aws_iam_role_policy", "DeployingRole_CloudTrailLogArchiveDeployer_keys", "policy", dropStatement("KeepConfiguredTag1Owner")),
			"the deploying role " + la + " kms:TagResource overwriting owner=another-team on an unrelated key with the configured value security-engineering must be denied (got Allow)",
		},
		{
			// Review 7, B4: the deploying role's deny of key destruction gone
			// (the key policies' DeployingRoleManagesKey given
			// ScheduleKeyDeletion back, as before).
			"a deploying role that may schedule the trail key's deletion", "organization", "bootstrap-log-archive",
			editPolicy(t, "aws_iam_role_policy", "DeployingRole_CloudTrailLogArchiveDeployer_keys", "policy", dropStatement("DenyKeyDestructionAndUse")),
			"the deploying role " + la + " (its bootstrap policies, with a key policy it rewrote to allow it kms:*) kms:ScheduleKeyDeletion on aws_kms_key.TrailKey_PrimaryKey_980DB91A in us-east-1 must be denied (got Allow)",
		},
		{
			// Review 7, B4: the lockout-bypass deny gone.
			"a deploying role that may bypass the lockout safety check", "organization", "bootstrap-log-archive",
			editPolicy(t, "aws_iam_role_policy", "DeployingRole_CloudTrailLogArchiveDeployer_keys", "policy", dropStatement("DenyLockoutBypass")),
			"the deploying role " + la + " (its key policy statement and bootstrap policies) kms:PutKeyPolicy with the lockout safety check bypassed on aws_kms_key.TrailKey_PrimaryKey_980DB91A in us-east-1 must be denied (got Allow)",
		},
		{
			// Review 7, B4: ScheduleKeyDeletion back in a key policy's
			// deploying-role statement, with the IAM deny gone too.
			"a key policy letting the deploying role schedule its deletion", "organization", "log-archive",
			editPolicy(t, "aws_kms_key", "TrailKey_PrimaryKey", "policy", func(doc map[string]any) {
				for _, st := range doc["Statement"].([]any) {
					if m := st.(map[string]any); m["Sid"] == "DeployingRoleManagesKey" {
						m["Action"] = append(m["Action"].([]any), "kms:ScheduleKeyDeletion")
					}
				}
			}),
			"the deploying role " + la + " (its key policy statement alone) kms:ScheduleKeyDeletion on aws_kms_key.TrailKey_PrimaryKey_980DB91A in us-east-1 must be denied (got Allow)",
		},
		{
			// Review 7, B3: aws:TagKeys no longer pinned.
			"a deploying role that may add any tag key with the bootstrap's tag", "organization", "bootstrap-log-archive",
			editPolicy(t, "aws_iam_role_policy", "DeployingRole_CloudTrailLogArchiveDeployer_keys", "policy", dropCondition("TagKeysAtCreation")),
			"the deploying role " + la + " kms:TagResource adding another tag key along with the bootstrap's tag must be denied (got Allow)",
		},
		{
			// Review 7, S3: Unsubscribe on * back, its deny gone.
			"a deploying role that may unsubscribe any subscription", "organization", "bootstrap-management",
			editPolicy(t, "aws_iam_role_policy", "DeployingRole_CloudTrailDeployer_monitoring", "policy", func(doc map[string]any) {
				dropStatement("DenySubscriptionChanges")(doc)
				addStatement(map[string]any{"Sid": "Seeded", "Effect": "Allow", "Action": []any{"sns:Unsubscribe", "sns:SetSubscriptionAttributes"}, "Resource": "*"})(doc)
			}),
			"the deploying role " + mg + " sns:Unsubscribe on the subscription arn:aws:sns:us-east-1:111122223333:guardduty-findings:0b4f5c1e-1111-2222-3333-444455556666 must be denied (got Allow)",
		},
		{
			// B1: the management deploying role may again create roles
			// named like the CloudWatch Logs delivery role.
			"a deploying role that may create delivery-role-named roles", "organization", "bootstrap-management",
			editPolicy(t, "aws_iam_role_policy", "DeployingRole_CloudTrailDeployer_roles", "policy", addStatement(map[string]any{
				"Sid": "Seeded", "Effect": "Allow", "Action": []any{"iam:CreateRole", "iam:PutRolePolicy"}, "Resource": "arn:aws:iam::111122223333:role/CloudTrailToCloudWatchLogs-*"})),
			"the deploying role " + mg + " iam:CreateRole on arn:aws:iam::111122223333:role/CloudTrailToCloudWatchLogs-backdoor must be denied (got Allow)",
		},
		{
			// B1: the log-archive deploying role may again rewrite the
			// replication role's trust.
			"a deploying role that may rewrite the replication role's trust", "organization", "bootstrap-log-archive",
			editPolicy(t, "aws_iam_role_policy", "DeployingRole_CloudTrailLogArchiveDeployer_roles", "policy", addStatement(map[string]any{
				"Sid": "Seeded", "Effect": "Allow", "Action": "iam:UpdateAssumeRolePolicy", "Resource": "arn:aws:iam::444455556666:role/cloudtrail-mrk-replication"})),
			"the deploying role " + la + " iam:UpdateAssumeRolePolicy on arn:aws:iam::444455556666:role/cloudtrail-mrk-replication must be denied (got Allow)",
		},
		{
			// Review 6, B1: the tag-scoped IAM key statement back: a key the
			// role tagged (TagKeysAtCreation) becomes its own.
			"a deploying role with the tag-scoped key statement of before", "organization", "bootstrap-log-archive",
			editPolicy(t, "aws_iam_role_policy", "DeployingRole_CloudTrailLogArchiveDeployer_keys", "policy", addStatement(map[string]any{
				"Sid": "Keys", "Effect": "Allow", "Action": []any{"kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:ReplicateKey"}, "Resource": "arn:aws:kms:us-east-1:444455556666:key/*",
				"Condition": map[string]any{"StringEquals": map[string]any{"aws:ResourceTag/cloudtrail-mrk-guardrail": "organization-trail"}}})),
			"the deploying role " + la + " kms:PutKeyPolicy on an unrelated key it tagged with the bootstrap's tag (AWS's default key policy) must be denied (got Allow)",
		},
		{
			// Review 6: another trail's key re-tagged with ours.
			"a deploying role that may re-tag another trail's key", "organization", "bootstrap-log-archive",
			editPolicy(t, "aws_iam_role_policy", "DeployingRole_CloudTrailLogArchiveDeployer_keys", "policy", dropStatement("KeepKeyTagOthers")),
			"the deploying role " + la + " kms:TagResource giving the bootstrap's tag to a key with another value of it (another trail's) must be denied (got Allow)",
		},
		{
			// B1: the primary's ReplicateKey grant without kms:ReplicaRegion.
			"a primary key policy letting the deploying role replicate anywhere", "organization", "log-archive",
			editPolicy(t, "aws_kms_key", "TrailKey_PrimaryKey", "policy", dropCondition("DeployingRoleReplicatesKey")),
			"the deploying role " + la + " (its key policy statement and bootstrap policies) kms:ReplicateKey on aws_kms_key.TrailKey_PrimaryKey_980DB91A in us-east-1 must be denied (got Allow)",
		},
		{
			// B1: a key policy without the deploying role's statement: the
			// role could no longer manage that key (apply would fail).
			"a monitoring key policy without the deploying role's statement", "organization", "management",
			editPolicy(t, "aws_kms_key", "Trail_MonitoringKey", "policy", dropStatement("DeployingRoleManagesKey")),
			"the deploying role " + mg + " (its key policy statement and bootstrap policies) kms:PutKeyPolicy on aws_kms_key.Trail_MonitoringKey_707AC834 in us-east-1 must be allowed (got ImplicitDeny)",
		},
		{
			// B1: replicas in any region.
			"a deploying role's replica CreateKey grant without its region", "organization", "bootstrap-log-archive",
			editPolicy(t, "aws_iam_role_policy", "DeployingRole_CloudTrailLogArchiveDeployer_keys", "policy", func(doc map[string]any) {
				for _, st := range doc["Statement"].([]any) {
					if m := st.(map[string]any); m["Sid"] == "CreateReplicaKeys" {
						delete(m["Condition"].(map[string]any)["StringEquals"].(map[string]any), "aws:RequestedRegion")
					}
				}
			}),
			"the deploying role " + la + " kms:CreateKey of a replica in ap-south-1, a region the configuration does not use must be denied (got Allow)",
		},
		{
			// S2: the tag may be removed.
			"a deploying role that may remove the key tag", "organization", "bootstrap-log-archive",
			editPolicy(t, "aws_iam_role_policy", "DeployingRole_CloudTrailLogArchiveDeployer_keys", "policy", dropStatement("KeepKeyTagUntag")),
			"the deploying role " + la + " (its key policy statement and bootstrap policies) kms:UntagResource of the bootstrap's tag on aws_kms_key.TrailKey_PrimaryKey_980DB91A in us-east-1 must be denied (got Allow)",
		},
		{
			// The replica CreateKey grant without kms:MultiRegionKeyType
			// would let the role create any key without the tag.
			"a deploying role's replica CreateKey grant without its condition", "organization", "bootstrap-log-archive",
			editPolicy(t, "aws_iam_role_policy", "DeployingRole_CloudTrailLogArchiveDeployer_keys", "policy", dropCondition("CreateReplicaKeys")),
			"the deploying role " + la + " kms:CreateKey of a primary without request tags must be denied (got Allow)",
		},
		{
			// The creation-time tag grant without its request-tag condition
			// would let the role tag any key with anything.
			"a deploying role's creation-time tag grant without its condition", "organization", "bootstrap-log-archive",
			editPolicy(t, "aws_iam_role_policy", "DeployingRole_CloudTrailLogArchiveDeployer_keys", "policy", dropCondition("TagKeysAtCreation")),
			"the deploying role " + la + " kms:TagResource of a key without the bootstrap's tag, other tags only must be denied (got Allow)",
		},
		{
			// N4: the state bucket without its object deny lets any
			// administrator of the account read (and rewrite) the state.
			"a state bucket policy without the object deny", "organization", "bootstrap-log-archive",
			editPolicy(t, "aws_s3_bucket_policy", "StateBucketPolicy", "policy", dropStatement("DenyStateObjectsExceptStateRole")),
			"an administrator of 444455556666 allowed everything by IAM s3:GetObject on a state object must be denied (got Allow)",
		},
		{
			// Review 6, B2: the tag-scoped SCP statement of before.
			"a management deploying role with the tag-scoped SCP statement of before", "organization", "bootstrap-management",
			editPolicy(t, "aws_iam_role_policy", "DeployingRole_CloudTrailDeployer_monitoring", "policy", addStatement(map[string]any{
				"Sid": "Seeded", "Effect": "Allow", "Action": []any{"organizations:UpdatePolicy", "organizations:DeletePolicy"}, "Resource": "arn:aws:organizations::111122223333:policy/o-exampleorg1/service_control_policy/*",
				"Condition": map[string]any{"StringEquals": map[string]any{"aws:ResourceTag/cloudtrail-mrk-guardrail": "organization-trail"}}})),
			"the deploying role " + mg + " organizations:UpdatePolicy on an SCP with the bootstrap's tag must be denied (got Allow)",
		},
		{
			// Review 6, B2: the widening the review warned against.
			"a management deploying role that may create and tag any SCP", "organization", "bootstrap-management",
			editPolicy(t, "aws_iam_role_policy", "DeployingRole_CloudTrailDeployer_monitoring", "policy", addStatement(map[string]any{
				"Sid": "Seeded", "Effect": "Allow", "Action": []any{"organizations:CreatePolicy", "organizations:TagResource"}, "Resource": "*"})),
			"the deploying role " + mg + " organizations:CreatePolicy on * with the bootstrap's tag must be denied (got Allow)",
		},
		{
			// Every target of the organization.
			"a deploying role that may detach from any target", "organization", "bootstrap-management",
			editPolicy(t, "aws_iam_role_policy", "DeployingRole_CloudTrailDeployer_monitoring", "policy", addStatement(map[string]any{
				"Sid": "Seeded", "Effect": "Allow", "Action": "organizations:DetachPolicy", "Resource": "arn:aws:organizations::111122223333:root/o-exampleorg1/*"})),
			"the deploying role " + mg + " organizations:DetachPolicy on the target r-abcd must be denied (got Allow)",
		},
		{
			// Review 6, B2: an SCP back in a stack the deploying role applies.
			"a guardrail SCP in the management stack", "organization", "management",
			func(s string) string {
				var m map[string]any
				require.NoError(t, json.Unmarshal([]byte(s), &m))
				m["resource"].(map[string]any)["aws_organizations_policy"] = map[string]any{"Seeded": map[string]any{
					"name": "seeded", "type": "SERVICE_CONTROL_POLICY", "content": `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:GetObject","Resource":"*"}]}`}}
				b, err := json.Marshal(m)
				require.NoError(t, err)
				return string(b)
			},
			"stack management holds 1 SCPs and attachments, which only the management account's bootstrap may hold must hold (does not hold)",
		},
		{
			// S3: registration for any service.
			"a deploying role that may register a delegated administrator for any service", "delegated-admin", "bootstrap-management",
			editPolicy(t, "aws_iam_role_policy", "DeployingRole_CloudTrailDeployer_organizations", "policy", dropCondition("RegisterCloudTrailDelegatedAdministrator")),
			"the deploying role " + mg + " organizations:RegisterDelegatedAdministrator of 222233334444 for another service must be denied (got Allow)",
		},
		{
			// S1: the bootstrap's replication role may encrypt with any key.
			"a replication role encrypting with untagged keys", "organization", "bootstrap-log-archive",
			editPolicy(t, "aws_iam_role_policy", "ReplicationRolePolicy", "policy", func(doc map[string]any) {
				for _, st := range doc["Statement"].([]any) {
					if m := st.(map[string]any); m["Sid"] == "EncryptReplicas" {
						delete(m["Condition"].(map[string]any)["StringEquals"].(map[string]any), "aws:ResourceTag/cloudtrail-mrk-guardrail")
					}
				}
			}),
			"encrypting with a key without the bootstrap's tag through S3 in the recovery region must be denied (got Allow)",
		},
		{
			"a deploying policy with s3:GetObject on the log bucket", "organization", "bootstrap-log-archive",
			editPolicy(t, "aws_iam_role_policy", "DeployingRole_CloudTrailLogArchiveDeployer_storage", "policy", addStatement(map[string]any{
				"Sid": "Seeded", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::example-org-cloudtrail-444455556666/*"})),
			"the deploying role " + la + " (its bootstrap policies) s3:GetObject on an object of example-org-cloudtrail-444455556666 must be denied (got Allow)",
		},
		{
			"a deploying policy with kms:Decrypt on the account's keys", "organization", "bootstrap-log-archive",
			editPolicy(t, "aws_iam_role_policy", "DeployingRole_CloudTrailLogArchiveDeployer_keys", "policy", func(doc map[string]any) {
				dropStatement("DenyKeyDestructionAndUse")(doc)
				addStatement(map[string]any{
					"Sid": "Seeded", "Effect": "Allow", "Action": []any{"kms:Decrypt", "kms:GenerateDataKey"}, "Resource": "arn:aws:kms:*:444455556666:key/*"})(doc)
			}),
			"the deploying role " + la + " (its bootstrap policies) kms:Decrypt with the key copy in us-east-1 must be denied (got Allow)",
		},
		{
			"a deploying role that may rewrite its own policies", "organization", "bootstrap-log-archive",
			editPolicy(t, "aws_iam_role_policy", "DeployingRole_CloudTrailLogArchiveDeployer_roles", "policy", addStatement(map[string]any{
				"Sid": "Seeded", "Effect": "Allow", "Action": "iam:PutRolePolicy", "Resource": "arn:aws:iam::444455556666:role/*"})),
			"the deploying role " + la + " iam:PutRolePolicy on itself must be denied (got Allow)",
		},
		{
			"a deploying role trusting its whole account", "organization", "bootstrap-log-archive",
			editPolicy(t, "aws_iam_role", "DeployingRole_CloudTrailLogArchiveDeployer", "assume_role_policy", func(doc map[string]any) {
				doc["Statement"].([]any)[0].(map[string]any)["Principal"] = map[string]any{"AWS": "arn:aws:iam::444455556666:root"}
			}),
			"an administrator of 444455556666 allowed everything by IAM assuming " + la + " must be denied (got Allow)",
		},
		{
			"the state bucket's TLS deny removed", "organization", "bootstrap-log-archive",
			editPolicy(t, "aws_s3_bucket_policy", "StateBucketPolicy", "policy", func(doc map[string]any) {
				doc["Statement"] = []any{map[string]any{"Sid": "Nothing", "Effect": "Deny", "Principal": "*", "Action": "s3:PutBucketAcl", "Resource": "arn:aws:s3:::example-terraform-state-444455556666"}}
			}),
			"reading a state object without TLS must be denied (got Allow)",
		},
		{
			// Review 6: the documented recovery without version reads.
			"a state role that may not read previous versions", "organization", "bootstrap-log-archive",
			editPolicy(t, "aws_iam_role_policy", "StateRolePolicy", "policy", func(doc map[string]any) {
				for _, st := range doc["Statement"].([]any) {
					if m := st.(map[string]any); m["Sid"] == "ReadWriteState" {
						m["Action"] = []any{"s3:GetObject", "s3:PutObject"}
					}
				}
			}),
			"the state role s3:GetObjectVersion on a state object must be allowed (got ImplicitDeny)",
		},
		{
			"a state role that may delete the state", "organization", "bootstrap-log-archive",
			editPolicy(t, "aws_iam_role_policy", "StateRolePolicy", "policy", addStatement(map[string]any{
				"Sid": "Seeded", "Effect": "Allow", "Action": "s3:DeleteObject", "Resource": "arn:aws:s3:::example-terraform-state-444455556666/cloudtrail-mrk/*"})),
			"the state role s3:DeleteObject on a state object must be denied (got Allow)",
		},
	})
}

// A deploying policy that allowed deleting every object would still be
// refused by the log buckets' own deletion deny: the check shows the
// layers, each on its own (docs/protections.md).
func TestBootstrapDeletesStayDeniedByTheBucketPolicy(t *testing.T) {
	cfg, stacks := mutate(t, "organization", "bootstrap-log-archive",
		editPolicy(t, "aws_iam_role_policy", "DeployingRole_CloudTrailLogArchiveDeployer_storage", "policy", addStatement(map[string]any{
			"Sid": "Seeded", "Effect": "Allow", "Action": "s3:Delete*", "Resource": "*"})))
	results, err := Check(cfg, stacks)
	require.NoError(t, err)
	assert.Empty(t, failures(results))
	assert.Contains(t, resultLines(results), "s3:DeleteObjectVersion on an object of example-org-cloudtrail-444455556666 must be denied (got ExplicitDeny)")
}
