package policy

import "fmt"

// MonitoringHolder is t with its account replaced by the account that holds
// the trail's monitoring resources (log group, delivery role, topic and their
// key), for building those resources' ARNs; "" keeps t.Account.
//
// CloudTrail user guide, "Organization delegated administrator"
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-delegated-administrator.html):
// "The management account remains the owner of any CloudTrail organization
// resources the delegated administrator creates", so the trail's ARN (every
// aws:SourceArn and encryption-context condition) keeps naming the management
// account (t.Account); the CloudWatch Logs log group and role of a trail a
// delegated administrator creates must exist in the calling account, the
// delegated administrator's, so their ARNs name that account.
func MonitoringHolder(t Trail, account string) Trail {
	if account != "" {
		t.Account = account
	}
	return t
}

// creatorStreams are the log streams named after the trail's creator when it
// is not the trail's owner. CloudTrail names the stream of the trail's own
// account "<account_ID>_CloudTrail_<region>" (CloudTrail user guide,
// "CloudWatch log group and log stream naming for CloudTrail",
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudwatch-log-group-log-stream-naming-for-cloudtrail.html);
// no AWS document says whether a delegated administrator's trail uses the
// owner's (management) or the caller's account id there, so the role may
// write both, in this one log group only.
func creatorStreams(t Trail, group, account string) Values {
	if account == "" || account == t.Account {
		return nil
	}
	return Values{fmt.Sprintf("%s:log-stream:%s_CloudTrail_%s*", group, account, t.Region)}
}
