package access

import (
	"strings"
	"testing"
)

// TestCutoverDefectsAreCaught seeds, in the cutover example's bucket
// policy, what would stop the old trail delivering during the overlap or let
// a trail on no list deliver, and checks that the access check fails
// (docs/adopting.md; docs/aws-rules.md#only-the-trail-writes).
func TestCutoverDefectsAreCaught(t *testing.T) {
	const (
		legacy = `arn:aws:cloudtrail:us-east-1:111122223333:trail/org-audit-legacy`
		ours   = `arn:aws:cloudtrail:us-east-1:111122223333:trail/organization-trail`
		third  = `arn:aws:cloudtrail:us-east-1:111122223333:trail/third-trail`
		denied = `\"ArnNotEquals\": {\n          \"aws:SourceArn\": [\n            \"` + legacy + `\",\n            \"` + ours + `\"\n          ]`
		write  = `\"aws:SourceArn\": \"` + legacy + `\",\n          \"s3:x-amz-acl\"`
	)
	requireEachCaught(t, []seededDefect{
		{
			// docs/aws-rules.md#log-file-names: what an old trail with this
			// trail's key prefix would get; the configuration refuses it.
			"the old trail's write statement on this trail's log path", "cutover", "log-archive",
			func(s string) string {
				return strings.Replace(s, `/legacy/AWSLogs/111122223333/*`, `/org/AWSLogs/111122223333/*`, 1)
			},
			"CloudTrail PutObject into this trail's account path for the additional trail " + legacy + " must be denied",
		},
		{
			"the old trail dropped from the deny of forged writes", "cutover", "log-archive",
			func(s string) string {
				return strings.Replace(s, denied, `\"ArnNotEquals\": {\n          \"aws:SourceArn\": [\n            \"`+ours+`\"\n          ]`, 1)
			},
			"CloudTrail PutObject into its owner's path for the additional trail " + legacy + " must be allowed (got ExplicitDeny)",
		},
		{
			"the old trail's write statement on the new trail's source", "cutover", "log-archive",
			func(s string) string {
				return strings.Replace(s, write, `\"aws:SourceArn\": \"`+ours+`\",\n          \"s3:x-amz-acl\"`, 1)
			},
			"CloudTrail PutObject into its owner's path for the additional trail " + legacy + " must be allowed (got ImplicitDeny)",
		},
		{
			"a third trail on the deny's list and the old trail's write statement", "cutover", "log-archive",
			func(s string) string {
				s = strings.Replace(s, denied, `\"ArnNotEquals\": {\n          \"aws:SourceArn\": [\n            \"`+legacy+`\",\n            \"`+ours+`\",\n            \"`+third+`\"\n          ]`, 1)
				return strings.Replace(s, write, `\"aws:SourceArn\": [\"`+legacy+`\", \"`+third+`\"],\n          \"s3:x-amz-acl\"`, 1)
			},
			"CloudTrail PutObject under the additional trail's prefix for a trail on no list must be denied (got Allow)",
		},
	})
}
