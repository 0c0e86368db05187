package alarms

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/policy"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/rules"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/internal/proof/filterpattern"
)

// records are CloudTrail records in the shape of the examples of the
// CloudTrail user guide ("CloudTrail record contents"), the AWS KMS
// developer guide ("AWS KMS log file entries": ScheduleKeyDeletion,
// CreateGrant, DeleteAlias...), the S3 user guide ("Example: CloudTrail log
// file entries for Amazon S3"), the IAM user guide ("Logging IAM and AWS
// STS API calls with AWS CloudTrail": CreateRole, DeleteRole,
// UpdateAssumeRolePolicy...) and the sign-in guide ("ConsoleLogin event
// examples"), one log file's worth, by eventID. The names are those of
// testDeployment.
func records(t *testing.T) map[string][]byte {
	t.Helper()
	data, err := os.ReadFile("../../testdata/cloudtrail/records.json")
	require.NoError(t, err)
	var file struct{ Records []json.RawMessage }
	require.NoError(t, json.Unmarshal(data, &file))
	out := map[string][]byte{}
	for _, r := range file.Records {
		var id struct{ EventID string }
		require.NoError(t, json.Unmarshal(r, &id))
		out[id.EventID] = r
	}
	require.Len(t, out, len(file.Records), "eventIDs are unique")
	return out
}

var testDeployment = Tampering{
	Partition: "aws",
	TrailName: "organization-trail", TrailARN: "arn:aws:cloudtrail:us-east-1:111122223333:trail/organization-trail",
	KeyAccount: "444455556666", KeyID: "mrk-1234abcd12ab34cd56ef1234567890ab", KeyAlias: "alias/organization-trail",
	KeyRegions: []string{"us-east-1", "us-west-2", "eu-west-1"},
	Buckets:    []string{"example-org-cloudtrail-444455556666", "example-org-cloudtrail-444455556666-access-logs"},
	PipelineRoles: []string{
		"arn:aws:iam::444455556666:role/cloudtrail-mrk-replication",
		"arn:aws:iam::111122223333:role/CloudTrailToCloudWatchLogs-*",
	},
	Organization: true,
}

// matches returns the ids of the records that any of the alarm's patterns
// matches, sorted.
func matches(t *testing.T, a Alarm, recs map[string][]byte) []string {
	t.Helper()
	var out []string
	for id, r := range recs {
		for _, p := range a.Patterns {
			ok, err := filterpattern.MustParse(p).Match(r)
			require.NoError(t, err, "alarm %s on record %s", a.Name, id)
			if ok {
				out = append(out, id)
				break
			}
		}
	}
	sort.Strings(out)
	return out
}

// TestEachAlarmMatchesItsEventsOnly runs every filter over every record:
// each alarm counts the records of its events and no other.
func TestEachAlarmMatchesItsEventsOnly(t *testing.T) {
	recs := records(t)
	tampering, err := TamperingAlarms(testDeployment, nil)
	require.NoError(t, err)
	want := map[string][]string{
		"unauthorized-api-calls": {"ec2-run-instances-unauthorized", "s3-list-buckets-access-denied"},
		// The benchmark's pattern also counts failed sign-ins without MFA.
		"console-sign-in-without-mfa": {"console-login-failed", "console-login-iam-user-without-mfa"},
		"root-usage":                  {"console-login-root-with-mfa", "cw-disable-alarm-actions-heartbeat-by-root", "logs-put-retention-policy-our-group-by-root"},
		// CIS 4.4 misses UpdateAssumeRolePolicy, PutRolePermissionsBoundary,
		// DeleteRole and CreateRole: pipeline-role-changes counts them.
		"iam-policy-changes":                 {"iam-attach-role-policy-delivery-role", "iam-put-role-policy", "organizations-create-policy"},
		"cloudtrail-changes":                 {"cloudtrail-create-other-trail", "cloudtrail-stop-logging-other-trail", "cloudtrail-stop-logging-our-trail-by-arn", "cloudtrail-update-trail-our-trail"},
		"console-authentication-failures":    {"console-login-failed"},
		"cmk-disabled-or-scheduled-deletion": {"kms-disable-key-other-key", "kms-mon-schedule-key-deletion-monitoring-key", "kms-schedule-key-deletion-our-replica-by-alias"},
		"s3-bucket-policy-changes":           {"s3-put-bucket-policy-other-bucket", "s3-put-bucket-policy-our-bucket"},
		"config-changes":                     {"config-stop-configuration-recorder"},
		"security-group-changes":             {"ec2-authorize-security-group-ingress"},
		"nacl-changes":                       {"ec2-create-network-acl-entry"},
		"network-gateway-changes":            {"ec2-attach-internet-gateway"},
		"route-table-changes":                {"ec2-create-route"},
		"vpc-changes":                        {"ec2-create-vpc"},
		"organizations-changes":              {"organizations-create-policy", "organizations-leave-organization"},
		TrailChanges:                         {"cloudtrail-put-event-selectors-our-trail", "cloudtrail-stop-logging-our-trail-by-arn", "cloudtrail-update-trail-our-trail"},
		KeyChanges:                           {"kms-create-grant-our-key", "kms-delete-alias-our-alias", "kms-put-key-policy-our-key", "kms-schedule-key-deletion-our-replica-by-alias", "kms-update-alias-our-alias-to-other-key"},
		LogBucketChanges:                     {"s3-put-bucket-policy-our-bucket", "s3-put-bucket-request-payment-our-bucket", "s3-put-bucket-versioning-our-access-log-bucket", "s3-put-object-lock-configuration-our-bucket"},
		LogObjectDeletions:                   {"s3-delete-object-our-bucket", "s3-put-object-retention-our-bucket"},
		// Organizations API Reference, DisableAWSServiceAccess and
		// RegisterDelegatedAdministrator (ServicePrincipal); not the same
		// call for another service.
		OrganizationTrustChanges: {"cloudtrail-register-organization-delegated-admin", "organizations-disable-aws-service-access-cloudtrail",
			"organizations-register-delegated-administrator-cloudtrail"},
		PipelineRoleChanges: {"iam-attach-role-policy-delivery-role", "iam-create-role-replication-role-name", "iam-delete-role-delivery-role",
			"iam-put-role-permissions-boundary-replication-role", "iam-update-assume-role-policy-replication-role"},
	}
	for name, ids := range monitoringWant {
		want[name] = ids
	}
	monitoring, err := MonitoringAlarms(testMonitoring, nil)
	require.NoError(t, err)
	all := append(append(CIS(nil), tampering...), monitoring...)
	require.Len(t, all, len(want))
	for _, a := range all {
		t.Run(a.Name, func(t *testing.T) {
			w, ok := want[a.Name]
			require.True(t, ok, "no expectation for %s", a.Name)
			for _, id := range w {
				require.Contains(t, recs, id)
			}
			assert.Equal(t, w, matches(t, a, recs))
		})
	}
}

func TestCISControls(t *testing.T) {
	require.Len(t, CISControls, 15)
	for i, c := range CISControls {
		assert.Equal(t, fmt.Sprintf("4.%d", i+1), c.CIS)
		_, err := filterpattern.Parse(c.Pattern)
		assert.NoError(t, err, c.Name)
	}
	assert.Len(t, CIS([]string{"root-usage", "vpc-changes"}), 13)
	// 15 CIS controls, 6 tampering alarms, 4 monitoring alarms and the
	// heartbeat.
	assert.Len(t, Names(), 26)
	assert.Contains(t, Names(), Heartbeat)
	assert.NotContains(t, Names(), ReplicationFailures, "replication.alarms.enabled switches it, not the log group's disabled list")
}

func TestWindow(t *testing.T) {
	for seconds, want := range map[int]string{60: "1 minute", 300: "5 minutes", 3600: "1 hour", 86400: "24 hours", 5400: "90 minutes"} {
		assert.Equal(t, want, Window(seconds), seconds)
	}
	assert.Contains(t, HeartbeatDescription("cloudtrail/x", 86400), "No event reached the log group cloudtrail/x for 24 hours")
}

// TestPatternsFitAndSplit: with the longest names AWS allows, every
// pattern stays within 1,024 characters, split into several filters, and
// the split filters together match what one would.
func TestPatternsFitAndSplit(t *testing.T) {
	assert.Len(t, KeyIDPlaceholder, len("mrk-1234abcd12ab34cd56ef1234567890ab"))
	long := Tampering{
		Partition: "aws-us-gov",
		TrailName: strings.Repeat("t", 128), TrailARN: "arn:aws-us-gov:cloudtrail:us-gov-west-1:111122223333:trail/" + strings.Repeat("t", 128),
		KeyAccount: "444455556666", KeyID: KeyIDPlaceholder, KeyAlias: "alias/" + strings.Repeat("a", 250),
		// Every region of the partition: the longest key alarm there is.
		KeyRegions: []string{"us-gov-west-1", "us-gov-east-1"},
		Buckets:    []string{strings.Repeat("a", 63), strings.Repeat("b", 63), strings.Repeat("c", 63), strings.Repeat("d", 63)},
		// The longest role name IAM allows (docs/aws-rules.md#iam-role-names).
		PipelineRoles: []string{"arn:aws-us-gov:iam::444455556666:role/" + strings.Repeat("r", 64), "arn:aws-us-gov:iam::111122223333:role/CloudTrailToCloudWatchLogs-*"},
	}
	alarms, err := TamperingAlarms(long, nil)
	require.NoError(t, err)
	require.Len(t, alarms, 5)
	for _, a := range alarms {
		for _, p := range a.Patterns {
			assert.LessOrEqual(t, len(p), rules.FilterPatternMaxLength, a.Name)
			_, err := filterpattern.Parse(p)
			assert.NoError(t, err)
		}
	}
	byName := map[string]Alarm{}
	for _, a := range alarms {
		byName[a.Name] = a
	}
	require.Greater(t, len(byName[LogBucketChanges].Patterns), 1, "18 events on 4 long bucket names do not fit one pattern")
	require.Len(t, byName[PipelineRoleChanges].Patterns, 1, "10 events on the two longest role names fit one pattern")
	// Every event on every bucket is matched by exactly one of the split patterns.
	for _, b := range long.Buckets {
		for _, e := range BucketEvents {
			rec := []byte(`{"eventSource": "s3.amazonaws.com", "eventName": "` + e + `", "requestParameters": {"bucketName": "` + b + `"}}`)
			n := 0
			for _, p := range byName[LogBucketChanges].Patterns {
				ok, err := filterpattern.MustParse(p).Match(rec)
				require.NoError(t, err)
				if ok {
					n++
				}
			}
			assert.Equal(t, 1, n, "%s on %s", e, b)
		}
	}
}

func TestTamperingAlarmsCanBeSwitchedOff(t *testing.T) {
	a, err := TamperingAlarms(testDeployment, []string{KeyChanges, LogObjectDeletions, PipelineRoleChanges})
	require.NoError(t, err)
	var names []string
	for _, x := range a {
		names = append(names, x.Name)
	}
	assert.Equal(t, []string{TrailChanges, LogBucketChanges, OrganizationTrustChanges}, names)
	a, err = TamperingAlarms(testDeployment, []string{OrganizationTrustChanges})
	require.NoError(t, err)
	for _, x := range a {
		assert.NotEqual(t, OrganizationTrustChanges, x.Name)
	}
	a, err = TamperingAlarms(Tampering{Partition: "aws", TrailName: "t", TrailARN: "arn:aws:cloudtrail:us-east-1:111122223333:trail/t"}, nil)
	require.NoError(t, err)
	require.Len(t, a, 1, "no key account, no buckets and no roles: the trail alarm only")
	a, err = TamperingAlarms(Tampering{Partition: "aws", TrailName: "t", TrailARN: "arn:aws:cloudtrail:us-east-1:111122223333:trail/t", PipelineRoles: []string{"arn:aws:iam::111122223333:policy/p"}}, nil)
	assert.ErrorContains(t, err, "is not a role ARN")
	assert.Nil(t, a)
}

// TestRoleEventsAreTheGuardedActions: the alarm watches what the guardrail
// SCP denies on the pipeline roles (policy.GuardedRoleActions), no more and
// no less.
func TestRoleEventsAreTheGuardedActions(t *testing.T) {
	var guarded []string
	for _, a := range policy.GuardedRoleActions {
		guarded = append(guarded, strings.TrimPrefix(a, "iam:"))
	}
	assert.ElementsMatch(t, guarded, RoleEvents)
}

// TestPipelineRoleAlarmMatchesEveryActionOnOurRolesOnly puts each role event
// in a record of the documented shape (the UpdateAssumeRolePolicy record of
// records.json) on each pipeline role, in its account: each is counted; the
// same event on another role of that account, on the role's name in another
// account, and a read of the role are not.
func TestPipelineRoleAlarmMatchesEveryActionOnOurRolesOnly(t *testing.T) {
	tampering, err := TamperingAlarms(testDeployment, nil)
	require.NoError(t, err)
	alarm := named(tampering, PipelineRoleChanges)
	require.Len(t, alarm.Patterns, 1)
	t.Logf("pattern (%d characters): %s", len(alarm.Patterns[0]), alarm.Patterns[0])
	var template map[string]any
	require.NoError(t, json.Unmarshal(records(t)["iam-update-assume-role-policy-replication-role"], &template))
	record := func(event, role, account string) []byte {
		r := map[string]any{}
		for k, v := range template {
			r[k] = v
		}
		r["eventName"], r["recipientAccountId"] = event, account
		r["requestParameters"] = map[string]any{"roleName": role}
		b, err := json.Marshal(r)
		require.NoError(t, err)
		return b
	}
	count := func(rec []byte) bool {
		ok, err := filterpattern.MustParse(alarm.Patterns[0]).Match(rec)
		require.NoError(t, err)
		return ok
	}
	roles := []struct{ name, account string }{
		{"cloudtrail-mrk-replication", "444455556666"},
		{"CloudTrailToCloudWatchLogs-20261129101500000000000001", "111122223333"},
	}
	for _, e := range RoleEvents {
		for _, r := range roles {
			assert.True(t, count(record(e, r.name, r.account)), "%s on %s in %s", e, r.name, r.account)
			assert.False(t, count(record(e, "AppRole", r.account)), "%s on another role in %s", e, r.account)
			assert.False(t, count(record(e, r.name, "777788889999")), "%s on %s in another account", e, r.name)
		}
	}
	assert.False(t, count(record("CreateRole", "CloudTrailToCloudWatchLogs", "111122223333")), "the prefix without its dash")
	assert.False(t, count(record("DeleteRole", "cloudtrail-mrk-replication-old", "444455556666")), "a longer name")
	for _, read := range []string{"GetRole", "ListRolePolicies", "TagRole"} {
		assert.False(t, count(record(read, "cloudtrail-mrk-replication", "444455556666")), read)
	}
}

// named is the alarm of list with the given name (the zero Alarm if none).
func named(list []Alarm, name string) Alarm {
	for _, a := range list {
		if a.Name == name {
			return a
		}
	}
	return Alarm{}
}
