package access

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/arn"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/alarms"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/policy"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/internal/proof/filterpattern"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/policyeval"
)

// Our alarm checks. Trivy's Terraform adapter fills no CloudWatch metric
// filters or alarms, so its CIS CloudWatch checks pass on a stack that has
// none: these checks of ours read the synthesized Terraform instead. For
// every alarm the configuration asks for, the trail's stack must hold an
// aws_cloudwatch_metric_alarm that fires on one matching event within its
// period and notifies the alarm topic, fed by aws_cloudwatch_log_metric_filter
// resources on the trail's log group whose patterns (evaluated offline by
// internal/proof/filterpattern) match a CloudTrail record of an event the alarm is
// for and not an unrelated record. The alarm topic's policy and the key that
// encrypts it must let this account's alarms publish, and nobody else.

// standInKeyID replaces the reference to the trail key's id in patterns;
// standInMonitoringKeyID the reference to the monitoring key's,
// standInWatchdogKeyID to the watchdog key's.
const (
	standInKeyID           = "mrk-0123456789abcdef0123456789abcdef"
	standInMonitoringKeyID = "0123abcd-01ab-23cd-45ef-0123456789ab"
	standInWatchdogKeyID   = "4567cdef-01ab-23cd-45ef-0123456789ab"
)

// expectedAlarms are the alarms with metric filters the configuration asks
// for, derived here from the configuration's fields (not from the product's
// list, config.LogGroupAlarms); the heartbeat, which needs no filter, is
// checked by heartbeatCheck.
func (c *checker) expectedAlarms() []string {
	a := c.cfg.Trail.CloudWatchLogs.Alarms
	off := map[string]bool{}
	for _, d := range a.Disabled {
		off[d] = true
	}
	var out []string
	for _, ctl := range alarms.CISControls {
		out = append(out, ctl.Name)
	}
	out = append(out, alarms.TrailChanges)
	// The key's and the log buckets' events reach the trail only when it
	// logs the log-archive account.
	if c.cfg.OrganizationID != "" || c.cfg.SingleAccount() {
		out = append(out, alarms.KeyChanges, alarms.LogBucketChanges, alarms.LogObjectDeletions)
	}
	// The delivery role is in the trail creator's account, which the trail
	// always logs: the role alarm exists in every topology.
	if len(c.cfg.AlarmedPipelineRoles()) > 0 {
		out = append(out, alarms.PipelineRoleChanges)
	}
	// Organizations user guide, "AWS CloudTrail and AWS Organizations": an
	// organization trail stops working for member accounts when CloudTrail's
	// trusted access is disabled.
	if c.cfg.OrganizationID != "" {
		out = append(out, alarms.OrganizationTrustChanges)
	}
	// Security review 7, S1: the guardrail SCPs lock any key that carries
	// the guard tag, so its appearance on a key is alarmed where they are on.
	if c.cfg.Guardrails.Enabled {
		out = append(out, alarms.GuardrailTagChanges)
	}
	// The monitoring path is in the trail creator's account, which the
	// trail always logs; with a deploying role each alarm has its twin.
	for _, n := range alarms.MonitoringNames {
		out = append(out, n)
		if c.monitoringDeployer() != "" && !off[n] {
			out = append(out, n+alarms.ByDeployerSuffix)
		}
	}
	var on []string
	for _, n := range out {
		if !off[n] {
			on = append(on, n)
		}
	}
	return on
}

// monitoringSamples returns, for a monitoring alarm or its deployer twin,
// each of its events on each of the monitoring path's resources, by someone
// the alarm counts, and the near misses: the same events by someone it does
// not count, on another resource, in another account or region.
func (c *checker) monitoringSamples(name string) (match, other []sample) {
	base := strings.TrimSuffix(name, alarms.ByDeployerSuffix)
	deployer := c.monitoringDeployer()
	acct, region := c.cfg.TrailCreator().ID, c.cfg.HomeRegion
	admin := map[string]any{"type": "AssumedRole", "accountId": acct, "arn": "arn:" + c.part + ":sts::" + acct + ":assumed-role/Admin/s",
		"sessionContext": map[string]any{"sessionIssuer": map[string]any{"type": "Role", "accountId": acct, "arn": "arn:" + c.part + ":iam::" + acct + ":role/Admin"}}}
	root := map[string]any{"type": "Root", "accountId": acct, "arn": "arn:" + c.part + ":iam::" + acct + ":root"}
	by := []struct {
		who      string
		identity map[string]any
	}{{"an administrator's role", admin}, {"the root user", root}}
	if deployer != "" {
		dep := map[string]any{"type": "AssumedRole", "accountId": acct, "arn": "arn:" + c.part + ":sts::" + acct + ":assumed-role/deployer/s",
			"sessionContext": map[string]any{"sessionIssuer": map[string]any{"type": "Role", "accountId": acct, "arn": deployer}}}
		if base != name {
			by = []struct {
				who      string
				identity map[string]any
			}{{"the deploying role", dep}}
		}
		// The same change by those the alarm does not count: the deploying
		// role for the alarm, anyone else for its twin.
		for _, x := range []struct {
			who      string
			identity map[string]any
			deployer bool
		}{{"an administrator's role", admin, false}, {"the root user", root, false}, {"the deploying role", dep, true}} {
			if x.deployer != (base != name) {
				other = append(other, sample{"DeleteLogGroup by " + x.who, c.record("logs.amazonaws.com", "DeleteLogGroup", map[string]any{
					"userIdentity": x.identity, "recipientAccountId": acct, "awsRegion": region,
					"requestParameters": map[string]any{"logGroupName": c.cfg.Trail.CloudWatchLogs.LogGroupName}})})
			}
		}
	}
	rec := func(source, event, who string, identity map[string]any, params map[string]any, res []any) sample {
		fields := map[string]any{"userIdentity": identity, "recipientAccountId": acct, "awsRegion": region, "requestParameters": params}
		if res != nil {
			fields["resources"] = res
		}
		return sample{event + " by " + who, c.record(source, event, fields)}
	}
	topicARN := func(n string) string { return fmt.Sprintf("arn:%s:sns:%s:%s:%s", c.part, region, acct, n) }
	groupARN := fmt.Sprintf("arn:%s:logs:%s:%s:log-group:%s", c.part, region, acct, c.cfg.Trail.CloudWatchLogs.LogGroupName)
	topics := []string{c.cfg.Trail.CloudWatchLogs.Alarms.TopicName, c.cfg.Trail.CloudWatchLogs.Alarms.WatchdogTopicName}
	if c.cfg.Trail.Notifications.Enabled {
		topics = append(topics, c.cfg.Trail.Notifications.TopicName)
	}
	for _, b := range by {
		switch base {
		case alarms.MonitoringAlarmChanges:
			for _, n := range alarms.Names() {
				alarm := alarms.AlarmName(c.trail.Name, n)
				match = append(match,
					rec("monitoring.amazonaws.com", "DeleteAlarms", b.who, b.identity, map[string]any{"alarmNames": []any{"app-alarm", alarm}}, nil),
					rec("monitoring.amazonaws.com", "PutMetricAlarm", b.who, b.identity, map[string]any{"alarmName": alarm}, nil))
			}
			match = append(match, rec("monitoring.amazonaws.com", "DisableAlarmActions", b.who, b.identity, map[string]any{"alarmNames": []any{alarms.AlarmName(c.trail.Name, "heartbeat")}}, nil),
				rec("monitoring.amazonaws.com", "SetAlarmState", b.who, b.identity, map[string]any{"alarmName": alarms.AlarmName(c.trail.Name, "root-usage"), "stateValue": "ALARM"}, nil),
				// CloudWatch API Reference, PutAlarmMuteRule: mutes the
				// actions of the alarms named in MuteTargets.
				rec("monitoring.amazonaws.com", "PutAlarmMuteRule", b.who, b.identity, map[string]any{"name": "quiet", "muteTargets": map[string]any{"alarmNames": []any{alarms.AlarmName(c.trail.Name, "heartbeat")}}}, nil))
			other = append(other, rec("monitoring.amazonaws.com", "DeleteAlarms", b.who+" on another alarm", b.identity, map[string]any{"alarmNames": []any{"app-alarm"}}, nil))
		case alarms.MonitoringLogGroupChanges:
			for _, e := range alarms.LogGroupEvents {
				params := map[string]any{"logGroupName": c.cfg.Trail.CloudWatchLogs.LogGroupName}
				switch e {
				case "PutDataProtectionPolicy", "PutTransformer":
					params = map[string]any{"logGroupIdentifier": groupARN}
				case "PutAccountPolicy":
					params = map[string]any{"policyType": "TRANSFORMER_POLICY"}
				}
				match = append(match, rec("logs.amazonaws.com", e, b.who, b.identity, params, nil))
			}
			other = append(other, rec("logs.amazonaws.com", "DeleteLogGroup", b.who+" on another log group", b.identity, map[string]any{"logGroupName": "app/logs"}, nil))
		case alarms.MonitoringTopicChanges:
			for _, t := range topics {
				for _, e := range alarms.TopicEvents {
					params := map[string]any{"topicArn": topicARN(t)}
					switch e {
					case "Unsubscribe", "SetSubscriptionAttributes":
						params = map[string]any{"subscriptionArn": topicARN(t) + ":b1b2c3d4-5678-90ab-cdef-EXAMPLE11111"}
					case "PutDataProtectionPolicy":
						params = map[string]any{"resourceArn": topicARN(t)}
					}
					match = append(match, rec("sns.amazonaws.com", e, b.who+" on "+t, b.identity, params, nil))
				}
			}
			other = append(other, rec("sns.amazonaws.com", "DeleteTopic", b.who+" on another topic", b.identity, map[string]any{"topicArn": topicARN("app-topic")}, nil))
		case alarms.MonitoringKeyChanges:
			key := func(id string) []any {
				return []any{map[string]any{"accountId": acct, "type": "AWS::KMS::Key", "ARN": fmt.Sprintf("arn:%s:kms:%s:%s:key/%s", c.part, region, acct, id)}}
			}
			for _, k := range []struct{ what, id string }{{"the monitoring key", standInMonitoringKeyID}, {"the watchdog key", standInWatchdogKeyID}} {
				for _, e := range alarms.KeyEvents {
					match = append(match, rec("kms.amazonaws.com", e, b.who+" on "+k.what, b.identity, map[string]any{"keyId": k.id}, key(k.id)))
				}
			}
			other = append(other, rec("kms.amazonaws.com", "ScheduleKeyDeletion", b.who+" on another key", b.identity, map[string]any{"keyId": "x"}, key("ffffffff-ffff-ffff-ffff-ffffffffffff")))
		}
	}
	return match, other
}

// record is a CloudTrail record (CloudTrail user guide, "CloudTrail record
// contents"), in the shapes of testdata/cloudtrail/records.json.
func (c *checker) record(source, name string, fields map[string]any) []byte {
	r := map[string]any{
		"eventVersion": "1.09", "eventTime": "2026-11-29T10:15:00Z", "eventSource": source, "eventName": name,
		"awsRegion": c.cfg.HomeRegion, "sourceIPAddress": "192.0.2.0", "userAgent": "aws-cli/2.15.0",
		"userIdentity": map[string]any{"type": "IAMUser", "accountId": Outsider, "arn": "arn:" + c.part + ":iam::" + Outsider + ":user/Alice"},
		"eventType":    "AwsApiCall", "readOnly": false, "managementEvent": true, "recipientAccountId": Outsider,
		"requestParameters": nil, "responseElements": nil,
	}
	for k, v := range fields {
		r[k] = v
	}
	b, _ := json.Marshal(r)
	return b
}

type sample struct {
	what string
	rec  []byte
}

// samples returns, for an alarm, records it must count and records it must
// not.
func (c *checker) samples(name string) (match, other []sample) {
	rec := c.record
	unrelated := sample{"an unrelated DescribeInstances", rec("ec2.amazonaws.com", "DescribeInstances", map[string]any{"readOnly": true})}
	params := func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return map[string]any{"requestParameters": m}
	}
	one := func(what, source, event string, fields map[string]any) []sample {
		return []sample{{what, rec(source, event, fields)}}
	}
	signIn := func(mfa, result string, extra ...any) map[string]any {
		m := map[string]any{"additionalEventData": map[string]any{"MFAUsed": mfa}, "responseElements": map[string]any{"ConsoleLogin": result}, "eventType": "AwsConsoleSignIn"}
		for i := 0; i+1 < len(extra); i += 2 {
			m[extra[i].(string)] = extra[i+1]
		}
		return m
	}
	switch name {
	case "unauthorized-api-calls":
		return one("RunInstances refused with Client.UnauthorizedOperation", "ec2.amazonaws.com", "RunInstances", map[string]any{"errorCode": "Client.UnauthorizedOperation"}), []sample{unrelated}
	case "console-sign-in-without-mfa":
		return one("a console sign-in without MFA", "signin.amazonaws.com", "ConsoleLogin", signIn("No", "Success")),
			[]sample{unrelated, {"a console sign-in with MFA", rec("signin.amazonaws.com", "ConsoleLogin", signIn("Yes", "Success"))}}
	case "root-usage":
		return one("a root user sign-in", "signin.amazonaws.com", "ConsoleLogin", signIn("Yes", "Success", "userIdentity", map[string]any{"type": "Root", "accountId": Outsider})), []sample{unrelated}
	case "iam-policy-changes":
		return one("PutRolePolicy", "iam.amazonaws.com", "PutRolePolicy", params("roleName", "App")), []sample{unrelated}
	case "cloudtrail-changes":
		return one("StopLogging", "cloudtrail.amazonaws.com", "StopLogging", params("name", "any-trail")), []sample{unrelated}
	case "console-authentication-failures":
		return one("a failed console sign-in", "signin.amazonaws.com", "ConsoleLogin", signIn("No", "Failure", "errorMessage", "Failed authentication")),
			[]sample{unrelated, {"a successful console sign-in with MFA", rec("signin.amazonaws.com", "ConsoleLogin", signIn("Yes", "Success"))}}
	case "cmk-disabled-or-scheduled-deletion":
		return one("ScheduleKeyDeletion", "kms.amazonaws.com", "ScheduleKeyDeletion", params("keyId", "1234abcd-12ab-34cd-56ef-1234567890ab")), []sample{unrelated}
	case "s3-bucket-policy-changes":
		return one("PutBucketPolicy", "s3.amazonaws.com", "PutBucketPolicy", params("bucketName", "an-application-bucket")), []sample{unrelated}
	case "config-changes":
		return one("StopConfigurationRecorder", "config.amazonaws.com", "StopConfigurationRecorder", params("configurationRecorderName", "default")), []sample{unrelated}
	case "security-group-changes":
		return one("AuthorizeSecurityGroupIngress", "ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", params("groupId", "sg-1234567890abcdef0")), []sample{unrelated}
	case "nacl-changes":
		return one("CreateNetworkAclEntry", "ec2.amazonaws.com", "CreateNetworkAclEntry", params("networkAclId", "acl-1234567890abcdef0")), []sample{unrelated}
	case "network-gateway-changes":
		return one("AttachInternetGateway", "ec2.amazonaws.com", "AttachInternetGateway", params("internetGatewayId", "igw-1234567890abcdef0")), []sample{unrelated}
	case "route-table-changes":
		return one("CreateRoute", "ec2.amazonaws.com", "CreateRoute", params("routeTableId", "rtb-1234567890abcdef0")), []sample{unrelated}
	case "vpc-changes":
		return one("CreateVpc", "ec2.amazonaws.com", "CreateVpc", params("cidrBlock", "10.0.0.0/16")), []sample{unrelated}
	case "organizations-changes":
		return one("LeaveOrganization", "organizations.amazonaws.com", "LeaveOrganization", nil), []sample{unrelated}
	case alarms.TrailChanges:
		t := c.trail
		for _, e := range alarms.TrailEvents {
			field := "name"
			if strings.HasPrefix(e, "Put") {
				field = "trailName"
			}
			match = append(match, sample{e + " on " + t.Name, rec("cloudtrail.amazonaws.com", e, params(field, t.Name))})
			match = append(match, sample{e + " on " + t.ARN(), rec("cloudtrail.amazonaws.com", e, params(field, t.ARN()))})
		}
		return match, []sample{unrelated, {"StopLogging on another trail", rec("cloudtrail.amazonaws.com", "StopLogging", params("name", c.otherTrail(Outsider, "other-trail")))}}
	case alarms.KeyChanges:
		acct := c.cfg.Accounts.LogArchive.ID
		keyIn := func(region, id string) map[string]any {
			return map[string]any{"resources": []any{map[string]any{"accountId": acct, "type": "AWS::KMS::Key", "ARN": fmt.Sprintf("arn:%s:kms:%s:%s:key/%s", c.part, region, acct, id)}},
				"recipientAccountId": acct, "requestParameters": map[string]any{"keyId": c.cfg.Key.Alias}}
		}
		for _, region := range append([]string{c.cfg.HomeRegion}, c.cfg.Key.ReplicaRegions...) {
			for _, e := range alarms.KeyEvents {
				match = append(match, sample{e + " on the key's copy in " + region, rec("kms.amazonaws.com", e, keyIn(region, standInKeyID))})
			}
		}
		return match, []sample{unrelated, {"ScheduleKeyDeletion on another key", rec("kms.amazonaws.com", "ScheduleKeyDeletion", keyIn(c.cfg.HomeRegion, "mrk-ffffffffffffffffffffffffffffffff"))}}
	case alarms.LogBucketChanges, alarms.LogObjectDeletions:
		events, probe := alarms.BucketEvents, "PutBucketPolicy"
		if name == alarms.LogObjectDeletions {
			events, probe = alarms.ObjectEvents, "DeleteObject"
		}
		for _, b := range c.cfg.LogBuckets() {
			for _, e := range events {
				match = append(match, sample{e + " on " + b, rec("s3.amazonaws.com", e, params("bucketName", b, "key", "AWSLogs/x"))})
			}
		}
		other = []sample{unrelated, {probe + " on another bucket", rec("s3.amazonaws.com", probe, params("bucketName", "an-application-bucket", "key", "x"))}}
		if name == alarms.LogObjectDeletions {
			other = append(other, sample{"GetObject on " + c.cfg.Bucket.Name, rec("s3.amazonaws.com", "GetObject", params("bucketName", c.cfg.Bucket.Name, "key", "AWSLogs/x"))})
		}
		return match, other
	case alarms.MonitoringAlarmChanges, alarms.MonitoringLogGroupChanges, alarms.MonitoringTopicChanges, alarms.MonitoringKeyChanges,
		alarms.MonitoringAlarmChanges + alarms.ByDeployerSuffix, alarms.MonitoringLogGroupChanges + alarms.ByDeployerSuffix,
		alarms.MonitoringTopicChanges + alarms.ByDeployerSuffix, alarms.MonitoringKeyChanges + alarms.ByDeployerSuffix:
		return c.monitoringSamples(name)
	case alarms.OrganizationTrustChanges:
		// Organizations API Reference: DisableAWSServiceAccess,
		// RegisterDelegatedAdministrator and DeregisterDelegatedAdministrator
		// take ServicePrincipal; CloudTrail's RegisterOrganizationDelegatedAdmin
		// and DeregisterOrganizationDelegatedAdmin take the member account.
		mgmt := c.cfg.Accounts.Management.ID
		orgRec := func(event, principal string) []byte {
			return rec("organizations.amazonaws.com", event, map[string]any{"awsRegion": "us-east-1", "recipientAccountId": mgmt,
				"requestParameters": map[string]any{"servicePrincipal": principal}})
		}
		for _, e := range []string{"DisableAWSServiceAccess", "RegisterDelegatedAdministrator", "DeregisterDelegatedAdministrator"} {
			match = append(match, sample{e + " for cloudtrail.amazonaws.com", orgRec(e, "cloudtrail.amazonaws.com")})
		}
		for _, e := range []string{"RegisterOrganizationDelegatedAdmin", "DeregisterOrganizationDelegatedAdmin"} {
			match = append(match, sample{e, rec("cloudtrail.amazonaws.com", e, map[string]any{"recipientAccountId": mgmt, "requestParameters": map[string]any{"memberAccountId": "222233334444"}})})
		}
		return match, []sample{unrelated,
			{"DisableAWSServiceAccess for config.amazonaws.com", orgRec("DisableAWSServiceAccess", "config.amazonaws.com")},
			{"EnableAWSServiceAccess for cloudtrail.amazonaws.com", orgRec("EnableAWSServiceAccess", "cloudtrail.amazonaws.com")},
			{"ListDelegatedAdministrators for cloudtrail.amazonaws.com", orgRec("ListDelegatedAdministrators", "cloudtrail.amazonaws.com")}}
	case alarms.GuardrailTagChanges:
		// AWS KMS developer guide, "TagResource" and "UntagResource"
		// CloudTrail examples: tags as {tagKey, tagValue}, removed keys as
		// strings. The guard tag at any position, on a key that is not
		// ours, in the log-archive and the trail creator's accounts; not
		// another tag, nor a read of the tags.
		kmsRec := func(event, account string, p map[string]any) []byte {
			return rec("kms.amazonaws.com", event, map[string]any{"recipientAccountId": account, "requestParameters": p,
				"resources": []any{map[string]any{"accountId": account, "type": "AWS::KMS::Key", "ARN": fmt.Sprintf("arn:%s:kms:%s:%s:key/1234abcd-12ab-34cd-56ef-1234567890ab", c.part, c.cfg.HomeRegion, account)}}})
		}
		tag := func(k string) map[string]any { return map[string]any{"tagKey": k, "tagValue": c.cfg.Trail.Name} }
		for _, account := range []string{c.cfg.Accounts.LogArchive.ID, c.cfg.TrailCreator().ID} {
			match = append(match,
				sample{"TagResource with the guard tag alone in " + account, kmsRec("TagResource", account, map[string]any{"keyId": "1234abcd-12ab-34cd-56ef-1234567890ab", "tags": []any{tag(policy.GuardTagKey)}})},
				sample{"TagResource with the guard tag third in " + account, kmsRec("TagResource", account, map[string]any{"keyId": "1234abcd-12ab-34cd-56ef-1234567890ab", "tags": []any{tag("Owner"), tag("Team"), tag(policy.GuardTagKey)}})},
				sample{"UntagResource of the guard tag in " + account, kmsRec("UntagResource", account, map[string]any{"keyId": "1234abcd-12ab-34cd-56ef-1234567890ab", "tagKeys": []any{"Owner", policy.GuardTagKey}})})
		}
		acct := c.cfg.Accounts.LogArchive.ID
		return match, []sample{unrelated,
			{"TagResource with another tag", kmsRec("TagResource", acct, map[string]any{"keyId": "1234abcd-12ab-34cd-56ef-1234567890ab", "tags": []any{tag("Owner")}})},
			{"UntagResource of another tag", kmsRec("UntagResource", acct, map[string]any{"keyId": "1234abcd-12ab-34cd-56ef-1234567890ab", "tagKeys": []any{"Owner"}})},
			{"ListResourceTags", kmsRec("ListResourceTags", acct, map[string]any{"keyId": "1234abcd-12ab-34cd-56ef-1234567890ab"})}}
	case alarms.PipelineRoleChanges:
		// Each role event on each pipeline role in its account (the
		// delivery role under a name Terraform generates from the prefix);
		// not on another role there, nor on the same name in another
		// account, nor a read of the role.
		iamRec := func(event, role, account string) []byte {
			return rec("iam.amazonaws.com", event, map[string]any{"awsRegion": "us-east-1", "recipientAccountId": account,
				"requestParameters": map[string]any{"roleName": role}})
		}
		other = []sample{unrelated}
		for _, r := range c.cfg.AlarmedPipelineRoles() {
			a, err := arn.Parse(r)
			if err != nil {
				return nil, nil
			}
			name := a.Resource[strings.LastIndex(a.Resource, "/")+1:]
			if strings.HasSuffix(name, "*") {
				name = strings.TrimSuffix(name, "*") + "20261129101500000000000001"
			}
			for _, e := range alarms.RoleEvents {
				match = append(match, sample{e + " on " + name + " in " + a.AccountID, iamRec(e, name, a.AccountID)})
			}
			other = append(other,
				sample{"DeleteRole on another role in " + a.AccountID, iamRec("DeleteRole", "AppRole", a.AccountID)},
				sample{"DeleteRole on " + name + " in another account", iamRec("DeleteRole", name, Outsider)},
				sample{"GetRole on " + name, iamRec("GetRole", name, a.AccountID)})
		}
		return match, other
	}
	return nil, nil
}

// keyIDRef matches the trail key's id as the synthesized pattern refers to
// it: the last part of the ARN of a key copy, in the same stack or through a
// cdktf cross-stack output.
var keyIDRef = regexp.MustCompile(`\$\{element\(split\("/", ([^)]*)\), 1\)\}`)

// resolvePattern puts stand-in values in place of the references in a
// synthesized pattern; a reference to anything but a copy of the trail's
// multi-region key or to the monitoring key of the trail's stack is an
// error.
func (c *checker) resolvePattern(p string) (string, error) {
	var keys []string
	for name, k := range c.archive.resources("aws_kms_key") {
		if k["multi_region"] == true {
			keys = append(keys, name)
		}
	}
	for name := range c.archive.resources("aws_kms_replica_key") {
		keys = append(keys, name)
	}
	// The monitoring and watchdog keys, found by reference from what they
	// encrypt: each has its own stand-in, so that a pattern that names one
	// key where the other is meant is caught.
	standIns := map[string]string{}
	if k := c.monitoringKey(*c.trailStack); k != "" {
		standIns["aws_kms_key."+k+".arn"] = standInMonitoringKeyID
	}
	if k := c.watchdogKey(*c.trailStack); k != "" {
		standIns["aws_kms_key."+k+".arn"] = standInWatchdogKeyID
	}
	var rerr error
	out := keyIDRef.ReplaceAllStringFunc(p, func(ref string) string {
		inner := keyIDRef.FindStringSubmatch(ref)[1]
		if id, ok := standIns[inner]; ok {
			return id
		}
		for _, k := range keys {
			if strings.HasSuffix(inner, "aws_kms_key."+k+".arn") || strings.HasSuffix(inner, "aws_kms_replica_key."+k+".arn") ||
				strings.HasSuffix(inner, "cross-stack-output-aws_kms_key"+k+"arn") || strings.HasSuffix(inner, "cross-stack-output-aws_kms_replica_key"+k+"arn") {
				return standInKeyID
			}
		}
		rerr = fmt.Errorf("pattern refers to %s, not to a copy of the trail's key", inner)
		return ref
	})
	if rerr == nil && strings.Contains(out, "${") {
		rerr = fmt.Errorf("pattern holds an unresolved reference: %s", out)
	}
	return out, rerr
}

func str(v any) string { s, _ := v.(string); return s }

func num(v any) float64 { f, _ := v.(float64); return f }

// transformation returns a metric filter's metric_transformation block.
func transformation(f map[string]any) map[string]any {
	switch v := f["metric_transformation"].(type) {
	case map[string]any:
		return v
	case []any:
		if len(v) == 1 {
			m, _ := v[0].(map[string]any)
			return m
		}
	}
	return nil
}

func (c *checker) alarmChecks() error {
	s := *c.trailStack
	where := func(typ, name string) string { return fmt.Sprintf("%s/%s.%s", s.Name, typ, name) }
	fail := func(loc, name string, err error) {
		c.results = append(c.results, Result{Policy: loc, Name: "our alarm check: " + name, Want: true, Got: policyeval.ImplicitDeny, Err: err, Fact: true})
	}
	pass := func(loc, name string, want, got bool) {
		d := policyeval.ImplicitDeny
		if got {
			d = policyeval.Allow
		}
		c.results = append(c.results, Result{Policy: loc, Name: "our alarm check: " + name, Want: want, Got: d, Fact: true})
	}
	if !c.cfg.AlarmsEnabled() {
		n := len(s.resources("aws_cloudwatch_metric_alarm"))
		pass(where("aws_cloudwatch_metric_alarm", "*"), fmt.Sprintf("no alarms when they are switched off (found %d)", n), false, n > 0)
		return nil
	}
	a := c.cfg.Trail.CloudWatchLogs.Alarms
	group, _, ok := s.find("aws_cloudwatch_log_group", "name", c.cfg.Trail.CloudWatchLogs.LogGroupName)
	if !ok {
		fail(where("aws_cloudwatch_log_group", "*"), "the alarms' log group "+c.cfg.Trail.CloudWatchLogs.LogGroupName, fmt.Errorf("stack %s has none", s.Name))
		return nil
	}
	topic, topicBody, ok := s.find("aws_sns_topic", "name", a.TopicName)
	if !ok {
		fail(where("aws_sns_topic", "*"), "an alarm topic named "+a.TopicName, fmt.Errorf("stack %s has none", s.Name))
		return nil
	}
	pass(where("aws_sns_topic", topic), "the alarm topic is encrypted with a KMS key", true, strings.HasPrefix(str(topicBody["kms_master_key_id"]), "${aws_kms_key."))
	topicRef := "${aws_sns_topic." + topic + ".arn}"
	// The watchdog topic: the second path of the heartbeat and the
	// monitoring alarms, encrypted with a key of its own, so that a broken
	// monitoring key or alarm topic does not silence the alarms that report
	// it (SNS Developer Guide, "Enable compatibility between event sources
	// from AWS services and encrypted topics": CloudWatch must be able to use
	// the topic's key).
	watchdog, watchdogBody, ok := s.find("aws_sns_topic", "name", a.WatchdogTopicName)
	if !ok {
		fail(where("aws_sns_topic", "*"), "a watchdog topic named "+a.WatchdogTopicName, fmt.Errorf("stack %s has none", s.Name))
		return nil
	}
	watchdogRef := "${aws_sns_topic." + watchdog + ".arn}"
	alarmKey, watchdogKey := keyOf(str(topicBody["kms_master_key_id"])), keyOf(str(watchdogBody["kms_master_key_id"]))
	_, keyed := s.resources("aws_kms_key")[watchdogKey]
	pass(where("aws_sns_topic", watchdog), "the watchdog topic is encrypted with a customer managed key of the stack", true, keyed)
	pass(where("aws_sns_topic", watchdog), "the watchdog topic and the alarm topic are encrypted with two different keys", true, keyed && alarmKey != "" && alarmKey != watchdogKey)
	pass(where("aws_sns_topic", watchdog), "the watchdog topic's key is not the log group's (the monitoring key)", true, keyed && watchdogKey != c.monitoringKey(s))
	pass(where("aws_sns_topic", watchdog), "the watchdog topic is in the home region, with the alarm topic", true, region(watchdogBody, c.cfg.HomeRegion) == c.cfg.HomeRegion && region(topicBody, c.cfg.HomeRegion) == c.cfg.HomeRegion)
	if keyed {
		k := s.resources("aws_kms_key")[watchdogKey]
		pass(where("aws_kms_key", watchdogKey), "the watchdog key is a single-region key with rotation on", true, k["multi_region"] != true && k["enable_key_rotation"] == true)
	}
	c.subscribedAlike(s, topic, watchdog)
	groupRef := "${aws_cloudwatch_log_group." + group + ".name}"

	for _, name := range c.expectedAlarms() {
		var alarmName string
		var alarm map[string]any
		for n, body := range s.resources("aws_cloudwatch_metric_alarm") {
			if str(body["metric_name"]) == name {
				alarmName, alarm = n, body
			}
		}
		if alarm == nil {
			fail(where("aws_cloudwatch_metric_alarm", "*"), "an alarm on metric "+name, fmt.Errorf("stack %s has none", s.Name))
			continue
		}
		loc := where("aws_cloudwatch_metric_alarm", alarmName)
		actions, _ := alarm["alarm_actions"].([]any)
		notifies := false
		for _, x := range actions {
			notifies = notifies || x == topicRef
		}
		fires := str(alarm["comparison_operator"]) == "GreaterThanOrEqualToThreshold" && num(alarm["threshold"]) <= 1 && num(alarm["threshold"]) > 0 &&
			str(alarm["statistic"]) == "Maximum" && num(alarm["evaluation_periods"]) == 1 && alarm["actions_enabled"] != false
		pass(loc, name+" notifies the alarm topic", true, notifies)
		// The monitoring alarms report a broken alarm topic or monitoring
		// key: they must notify through the watchdog topic too; the others
		// need not.
		if alarms.IsMonitoring(name) {
			pass(loc, name+" notifies the watchdog topic", true, contains(alarm["alarm_actions"], watchdogRef))
		}
		// docs/aws-rules.md#metric-values: Maximum, so that negative data
		// published into the namespace cannot hide a match.
		pass(loc, name+" fires on one event (Maximum >= 1 over one period, which no published value can lower; actions enabled)", true, fires)

		var patterns []*filterpattern.Pattern
		var filterNames []string
		for fn, f := range s.resources("aws_cloudwatch_log_metric_filter") {
			mt := transformation(f)
			if mt == nil || str(mt["name"]) != name || str(mt["namespace"]) != str(alarm["namespace"]) {
				continue
			}
			floc := where("aws_cloudwatch_log_metric_filter", fn)
			if str(f["log_group_name"]) != groupRef {
				fail(floc, name+" filters the trail's log group", fmt.Errorf("log_group_name is %v", f["log_group_name"]))
				continue
			}
			if str(mt["value"]) != "1" {
				fail(floc, name+" counts 1 per event", fmt.Errorf("metric value is %v", mt["value"]))
				continue
			}
			text, err := c.resolvePattern(str(f["pattern"]))
			if err != nil {
				fail(floc, name+" pattern", err)
				continue
			}
			p, err := filterpattern.Parse(text)
			if err != nil {
				fail(floc, name+" pattern", err)
				continue
			}
			patterns = append(patterns, p)
			filterNames = append(filterNames, fn)
		}
		if len(patterns) == 0 {
			fail(loc, "a metric filter on the trail's log group feeding "+name, fmt.Errorf("stack %s has none", s.Name))
			continue
		}
		sort.Strings(filterNames)
		floc := where("aws_cloudwatch_log_metric_filter", strings.Join(filterNames, "+"))
		match, other := c.samples(name)
		if len(match) == 0 {
			return fmt.Errorf("no sample records for alarm %s", name)
		}
		eval := func(smp sample) (bool, error) {
			for _, p := range patterns {
				ok, err := p.Match(smp.rec)
				if err != nil || ok {
					return ok, err
				}
			}
			return false, nil
		}
		for _, smp := range match {
			got, err := eval(smp)
			if err != nil {
				fail(floc, name+" counts "+smp.what, err)
				continue
			}
			pass(floc, name+" counts "+smp.what, true, got)
		}
		for _, smp := range other {
			got, err := eval(smp)
			if err != nil {
				fail(floc, name+" ignores "+smp.what, err)
				continue
			}
			pass(floc, name+" counts "+smp.what, false, got)
		}
	}
	c.heartbeatCheck(s, groupRef, topicRef, watchdogRef)
	if err := c.alarmTopicPolicies(a.TopicName, "the alarm topic"); err != nil {
		return err
	}
	return c.alarmTopicPolicies(a.WatchdogTopicName, "the watchdog topic")
}

// subscribedAlike: every subscription of the configuration is on the alarm
// topic and on the watchdog topic, one aws_sns_topic_subscription each.
func (c *checker) subscribedAlike(s Stack, topic, watchdog string) {
	for _, t := range []struct{ what, name string }{{"alarm topic", topic}, {"watchdog topic", watchdog}} {
		ref := "${aws_sns_topic." + t.name + ".arn}"
		for _, sub := range c.cfg.Trail.CloudWatchLogs.Alarms.Subscriptions {
			n := 0
			for _, body := range s.resources("aws_sns_topic_subscription") {
				if str(body["topic_arn"]) == ref && str(body["protocol"]) == sub.Protocol && str(body["endpoint"]) == sub.Endpoint {
					n++
				}
			}
			c.fact(fmt.Sprintf("%s/aws_sns_topic.%s", s.Name, t.name), fmt.Sprintf("the %s has one %s subscription to %s", t.what, sub.Protocol, sub.Endpoint), true, n == 1)
		}
	}
}

// alarmTopicPolicies: only this account's CloudWatch alarms in the home
// region may publish to the topic called topicName (what: the alarm topic
// or the watchdog topic) and use the key that encrypts it, over TLS.
func (c *checker) alarmTopicPolicies(topicName, what string) error {
	s := *c.trailStack
	pname, err := s.topicPolicy(topicName)
	if err != nil {
		c.results = append(c.results, Result{Policy: s.Name + "/aws_sns_topic_policy.*", Name: "our alarm check: a policy on " + what, Want: true, Got: policyeval.ImplicitDeny, Err: err, Fact: true})
		return nil
	}
	// The alarm topic's names are kept as they were; the watchdog topic's
	// say which topic they are about.
	on := ""
	if what != "the alarm topic" {
		on = " (" + what + ")"
	}
	l, err := s.policyAt("aws_sns_topic_policy", pname, "policy", c.resolve(s))
	if err != nil {
		return err
	}
	// The alarms, their topic and its key live in the account that holds
	// the log group: the one that creates the trail (a delegated
	// administrator's; CloudTrail user guide, "Organization delegated
	// administrator").
	acct := c.cfg.TrailCreator().ID
	cw := policyeval.Principal{Service: policy.CloudWatchService}
	ours := fmt.Sprintf("arn:%s:cloudwatch:%s:%s:alarm:%s-root-usage", c.part, c.cfg.HomeRegion, acct, c.trail.Name)
	theirs := fmt.Sprintf("arn:%s:cloudwatch:%s:%s:alarm:x", c.part, c.cfg.HomeRegion, Outsider)
	otherRegion := "eu-central-1"
	if c.cfg.HomeRegion == otherRegion {
		otherRegion = "eu-west-3"
	}
	elsewhere := fmt.Sprintf("arn:%s:cloudwatch:%s:%s:alarm:x", c.part, otherRegion, acct)
	holder := c.trail
	holder.Account = acct
	topic := policy.TopicARN(holder, topicName)
	pub := func(p policyeval.Principal, kv ...string) policyeval.Request {
		return policyeval.Request{Principal: p, Action: "sns:Publish", Resource: topic, Context: ctx(kv...)}
	}
	c.use(l, policyeval.Policies{ResourceAccount: acct})
	c.expect(true, "CloudWatch publishing for an alarm of this account"+on, pub(cw, with(tls, "aws:SourceAccount", acct, "aws:SourceArn", ours)...))
	c.expect(false, "CloudWatch publishing for another account's alarm"+on, pub(cw, with(tls, "aws:SourceAccount", Outsider, "aws:SourceArn", theirs)...))
	c.expect(false, "CloudWatch publishing for this account's alarm in another region"+on, pub(cw, with(tls, "aws:SourceAccount", acct, "aws:SourceArn", elsewhere)...))
	c.expect(false, "CloudWatch publishing with no source"+on, pub(cw, tls...))
	c.expect(false, "CloudTrail publishing to "+what, pub(policyeval.Principal{Service: policy.CloudTrailService}, with(tls, "aws:SourceArn", c.trail.ARN())...))
	c.expect(false, "another account publishing"+on, pub(c.iamRole(Outsider, "Admin"), tls...), policyeval.AllowAll)
	c.expect(false, "anonymous publishing"+on, pub(policyeval.Anonymous, tls...))
	if on != "" {
		c.expect(false, "CloudWatch publishing for an alarm of this account without TLS"+on, pub(cw, with(noTLS, "aws:SourceAccount", acct, "aws:SourceArn", ours)...))
	}

	// The key that encrypts the topic (the monitoring key, or the watchdog
	// key), found by the topic's reference: the stack may hold other
	// single-region keys.
	keyName := s.topicKey(topicName)
	if _, ok := s.resources("aws_kms_key")[keyName]; !ok {
		return fmt.Errorf("stack %s: %s %s is not encrypted with a key of the stack", s.Name, what, topicName)
	}
	kl, err := s.policyAt("aws_kms_key", keyName, "policy", c.resolve(s))
	if err != nil {
		return err
	}
	c.use(kl, policyeval.Policies{ResourceAccount: acct, KeyPolicy: true})
	for _, action := range []string{"kms:GenerateDataKey", "kms:Decrypt"} {
		req := func(kv ...string) policyeval.Request {
			return policyeval.Request{Principal: cw, Action: action, Resource: "*", Context: ctx(kv...)}
		}
		c.expect(true, "CloudWatch "+action+" for an alarm of this account (encrypted "+strings.TrimPrefix(what, "the ")+")", req("aws:SourceAccount", acct, "aws:SourceArn", ours))
		c.expect(false, "CloudWatch "+action+" for another account's alarm"+on, req("aws:SourceAccount", Outsider, "aws:SourceArn", theirs))
		// SNS Developer Guide's example key policy has no condition, and no
		// AWS page says SNS's KMS request for an alarm carries the source
		// keys: the grant must work without them (the topic policy decides
		// who publishes).
		c.expect(true, "CloudWatch "+action+" for an alarm, the request carrying no source keys"+on, req())
		if on != "" {
			c.expect(false, "CloudWatch "+action+" for this account's alarm in another region"+on, req("aws:SourceAccount", acct, "aws:SourceArn", elsewhere))
			c.expect(false, "another service "+action+on, policyeval.Request{Principal: policyeval.Principal{Service: "ec2.amazonaws.com"}, Action: action, Resource: "*"})
			c.expect(false, "another account "+action+on, policyeval.Request{Principal: c.iamRole(Outsider, "Admin"), Action: action, Resource: "*", Context: ctx("kms:CallerAccount", Outsider)}, policyeval.AllowAll)
		}
	}
	return nil
}
