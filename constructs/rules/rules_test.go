package rules

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAccountID(t *testing.T) {
	assert.NoError(t, AccountID("123456789012"))
	for _, bad := range []string{"", "12345678901", "1234567890123", "12345678901a", " 123456789012"} {
		assert.EqualError(t, AccountID(bad), `must be an AWS account id of exactly 12 digits (got "`+bad+`")`, bad)
	}
}

func TestOrganizationID(t *testing.T) {
	assert.NoError(t, OrganizationID("o-a1b2c3d4e5"))
	assert.NoError(t, OrganizationID("o-"+strings.Repeat("a", 32)))
	for _, bad := range []string{"o-a1b2c3d4e", "o-A1B2C3D4E5", "a1b2c3d4e5f6", "o-" + strings.Repeat("a", 33), "r-a1b2"} {
		assert.Error(t, OrganizationID(bad), bad)
	}
}

func TestRegion(t *testing.T) {
	assert.NoError(t, Region("eu-west-1"))
	assert.Equal(t, "aws", Partition("us-east-1"))
	assert.Equal(t, "aws-cn", Partition("cn-north-1"))
	assert.Equal(t, "aws-us-gov", Partition("us-gov-west-1"))
	assert.Equal(t, "", Partition("us-east-9"))
	assert.EqualError(t, Region("us-east-9"), `must be an AWS region name such as us-east-1 (got "us-east-9")`)
	assert.Error(t, Region("US-EAST-1"))
	assert.Contains(t, Regions(), "ap-southeast-2")
}

func TestBucketName(t *testing.T) {
	for _, ok := range []string{"abc", "my-trail-logs.example", strings.Repeat("a", 63), "1-2-3"} {
		assert.NoError(t, BucketName(ok), ok)
	}
	cases := map[string]string{
		"ab":                    "3 to 63 characters long (this one is 2)",
		strings.Repeat("a", 64): "3 to 63 characters long (this one is 64)",
		"My-Bucket":             "only lowercase letters, digits, dots and hyphens",
		"-bucket":               "begin and end with a letter or digit",
		"bucket-":               "begin and end with a letter or digit",
		"my_bucket":             "only lowercase letters",
		"my..bucket":            "two adjacent periods",
		"192.168.5.4":           "IP address",
		"xn--bucket":            `reserved prefix "xn--"`,
		"sthree-bucket":         `reserved prefix "sthree-"`,
		"amzn-s3-demo-bucket":   `reserved prefix "amzn-s3-demo-"`,
		"bucket-s3alias":        `reserved suffix "-s3alias"`,
		"bucket--ol-s3":         `reserved suffix "--ol-s3"`,
		"bucket.mrap":           `reserved suffix ".mrap"`,
		"bucket--x-s3":          `reserved suffix "--x-s3"`,
		"bucket--table-s3":      `reserved suffix "--table-s3"`,
	}
	for name, want := range cases {
		err := BucketName(name)
		if assert.Error(t, err, name) {
			assert.Contains(t, err.Error(), want, name)
			assert.Contains(t, err.Error(), `(got "`+name+`")`, name)
		}
	}
}

func TestTrailName(t *testing.T) {
	for _, ok := range []string{"abc", "org-trail", "Org_Trail.1", strings.Repeat("a", 128)} {
		assert.NoError(t, TrailName(ok), ok)
	}
	cases := map[string]string{
		"ab":                     "3 to 128 characters long (this one is 2)",
		strings.Repeat("a", 129): "3 to 128 characters long (this one is 129)",
		"my trail":               "only ASCII letters",
		"-trail":                 "begin and end with a letter or digit",
		"trail.":                 "begin and end with a letter or digit",
		"my--trail":              "adjacent periods, underscores or dashes",
		"my-_trail":              "adjacent periods, underscores or dashes",
		"192.168.5.4":            "IP address",
	}
	for name, want := range cases {
		err := TrailName(name)
		if assert.Error(t, err, name) {
			assert.Contains(t, err.Error(), want, name)
		}
	}
}

func TestKeyPrefix(t *testing.T) {
	for _, ok := range []string{"", "cloudtrail", "org/trail-logs", "a.b_c"} {
		assert.NoError(t, KeyPrefix(ok), ok)
	}
	for bad, want := range map[string]string{
		"/lead":                  "must begin with a letter or digit",
		"trail/":                 "must not end with '/'",
		"a//b":                   "contain '//'",
		"logs*":                  "may contain only",
		"lo?gs":                  "may contain only",
		"AWSLogs":                "must not start with AWSLogs",
		"AWSLogs/x":              "must not start with AWSLogs",
		strings.Repeat("a", 201): "at most 200 characters",
	} {
		err := KeyPrefix(bad)
		if assert.Error(t, err, bad) {
			assert.Contains(t, err.Error(), want, bad)
		}
	}
}

func TestKeyAlias(t *testing.T) {
	assert.NoError(t, KeyAlias("alias/cloudtrail-mrk"))
	assert.NoError(t, KeyAlias("alias/org/cloudtrail_logs"))
	for _, bad := range []string{"cloudtrail", "alias/", "alias/has space", "alias/" + strings.Repeat("a", 251)} {
		assert.Error(t, KeyAlias(bad), bad)
	}
	assert.EqualError(t, KeyAlias("alias/aws/s3"), `KMS aliases must not start with the reserved prefix "alias/aws/" (got "alias/aws/s3")`)
}

func TestRange(t *testing.T) {
	assert.NoError(t, Range(7, 7, 30, "days"))
	assert.NoError(t, Range(30, 7, 30, "days"))
	assert.EqualError(t, Range(6, 7, 30, "days"), "must be between 7 and 30 days (got 6)")
	assert.EqualError(t, Range(31, 7, 30, "days"), "must be between 7 and 30 days (got 31)")
}

func TestPrincipalARN(t *testing.T) {
	for arn, acct := range map[string]string{
		"arn:aws:iam::111122223333:root":                    "111122223333",
		"arn:aws:iam::111122223333:role/Admin":              "111122223333",
		"arn:aws:iam::111122223333:role/path/to/Admin":      "111122223333",
		"arn:aws:iam::111122223333:user/alice@example.com":  "111122223333",
		"arn:aws-cn:iam::111122223333:role/reader+team=a,b": "111122223333",
	} {
		got, err := PrincipalARN(arn, "")
		require.NoError(t, err, arn)
		assert.Equal(t, acct, got)
	}
	for _, bad := range []string{
		"arn:aws:iam::111122223333:role/*",
		"arn:aws:iam::111122223333:role/",
		"arn:aws:iam::111122223333:role//x",
		"arn:aws:iam::11112222333:root",
		"arn:aws:sts::111122223333:assumed-role/Admin/session",
		"arn:aws:iam::111122223333:group/Admins",
		"arn:aws:s3:::bucket",
		"*",
	} {
		_, err := PrincipalARN(bad, "aws")
		assert.Error(t, err, bad)
	}
	_, err := PrincipalARN("arn:aws-cn:iam::111122223333:root", "aws")
	assert.EqualError(t, err, `must be in partition "aws", the partition of the home region (got "arn:aws-cn:iam::111122223333:root")`)
}

func TestRoleARN(t *testing.T) {
	acct, err := RoleARN("arn:aws:iam::111122223333:role/OrganizationAccountAccessRole", "aws")
	require.NoError(t, err)
	assert.Equal(t, "111122223333", acct)
	for _, bad := range []string{"arn:aws:iam::111122223333:user/alice", "arn:aws:iam::111122223333:root", "role/x"} {
		_, err := RoleARN(bad, "aws")
		assert.Error(t, err, bad)
	}
}

// TestRoleOrUserARN: one identity, never an account or its root, in the
// partition asked for.
func TestRoleOrUserARN(t *testing.T) {
	for _, good := range []string{"arn:aws:iam::111122223333:role/Verifier", "arn:aws:iam::111122223333:role/team/Verifier", "arn:aws:iam::111122223333:user/alice"} {
		acct, err := RoleOrUserARN(good, "aws")
		require.NoError(t, err, good)
		assert.Equal(t, "111122223333", acct, good)
	}
	for _, bad := range []string{"111122223333", "arn:aws:iam::111122223333:root", "*", "arn:aws:iam::111122223333:role/*", "arn:aws:sts::111122223333:assumed-role/R/s", "arn:aws-cn:iam::111122223333:role/R"} {
		_, err := RoleOrUserARN(bad, "aws")
		assert.Error(t, err, bad)
	}
	_, err := RoleOrUserARN("111122223333", "aws")
	assert.ErrorContains(t, err, "not an account id or root")
	_, err = RoleOrUserARN("arn:aws-cn:iam::111122223333:role/R", "aws")
	assert.ErrorContains(t, err, "partition")
}

// TestIAMPathLength: IAM paths are at most 512 characters, slashes included
// (docs/aws-rules.md#iam-paths); the name after the path does not count.
func TestIAMPathLength(t *testing.T) {
	path := func(n int) string { // a path of n characters: "/" + segments + "/"
		return "/" + strings.Repeat("p", n-2) + "/"
	}
	ok := "arn:aws:iam::111122223333:role" + path(512) + "name-of-sixty-four-characters-is-still-fine-after-a-long-path-x"
	_, err := RoleARN(ok, "aws")
	require.NoError(t, err)
	_, err = PrincipalARN(strings.Replace(ok, ":role/", ":user/", 1), "aws")
	require.NoError(t, err)
	long := "arn:aws:iam::111122223333:role" + path(513) + "Reader"
	want := fmt.Sprintf("IAM paths must be at most 512 characters (this one's is 513) (got %q)", long)
	_, err = RoleARN(long, "aws")
	assert.EqualError(t, err, want)
	_, err = PrincipalARN(long, "aws")
	assert.EqualError(t, err, want)
	_, _, err = PrincipalOrAccount(long, "aws")
	assert.EqualError(t, err, want, "a reader names the rule it breaks, not the generic shape")
}

func TestPrincipalOrAccount(t *testing.T) {
	p, a, err := PrincipalOrAccount("444455556666", "aws")
	require.NoError(t, err)
	assert.Equal(t, "arn:aws:iam::444455556666:root", p)
	assert.Equal(t, "444455556666", a)
	p, a, err = PrincipalOrAccount("arn:aws:iam::444455556666:role/Reader", "aws")
	require.NoError(t, err)
	assert.Equal(t, "arn:aws:iam::444455556666:role/Reader", p)
	assert.Equal(t, "444455556666", a)
	_, _, err = PrincipalOrAccount("4444", "aws")
	assert.ErrorContains(t, err, "must be a 12-digit account id or an IAM principal ARN")
}

func TestListAndAt(t *testing.T) {
	var l List
	assert.NoError(t, l.Err())
	l.Add("accounts.management", AccountID("12"))
	l.Add("ok", nil)
	l.Addf("key.replica_regions[0]", "us-east-1", "must not equal the home region %q", "us-east-1")
	l.Add("wrapped", errors.New("plain"))
	require.Equal(t, 3, l.Len())
	assert.EqualError(t, l.Err(), strings.Join([]string{
		`accounts.management: must be an AWS account id of exactly 12 digits (got "12")`,
		`key.replica_regions[0]: must not equal the home region "us-east-1" (got "us-east-1")`,
		`wrapped: plain`,
	}, "\n"))
	assert.Nil(t, At("x", nil))
}

func TestLifecycleCheck(t *testing.T) {
	field := func(n string) string { return "L." + n }
	check := func(lc Lifecycle, retention int) error {
		var l List
		lc.Check(&l, field, retention)
		return l.Err()
	}
	assert.NoError(t, check(Lifecycle{TransitionDays: 30, TransitionStorageClass: "STANDARD_IA", ExpirationDays: 365, NoncurrentExpirationDays: 365}, 365))
	assert.NoError(t, check(Lifecycle{ExpirationDays: 365}, 365), "expiration equal to retention is allowed")
	assert.EqualError(t, check(Lifecycle{ExpirationDays: 364}, 365), `L.expiration_days: must not be shorter than the Object Lock retention (365 days) (got 364)`)
	assert.EqualError(t, check(Lifecycle{NoncurrentExpirationDays: 1}, 2), `L.noncurrent_expiration_days: must not be shorter than the Object Lock retention (2 days) (got 1)`)
	assert.EqualError(t, check(Lifecycle{TransitionDays: -1}, 1), `L.transition_days: must not be negative (got -1)`)
	assert.EqualError(t, check(Lifecycle{}, 1), `L.: must set at least one of L.transition_days, L.expiration_days and L.noncurrent_expiration_days (or be left out) (got "{}")`)
	assert.EqualError(t, check(Lifecycle{TransitionDays: 29, TransitionStorageClass: "ONEZONE_IA"}, 1), `L.transition_days: must be at least 30 for ONEZONE_IA (S3 minimum) (got 29)`)
	assert.NoError(t, ObjectLockMode("COMPLIANCE"))
	assert.EqualError(t, ObjectLockMode("compliance"), `must be GOVERNANCE or COMPLIANCE (got "compliance")`)
}

func TestTag(t *testing.T) {
	assert.NoError(t, Tag("team", "security"))
	assert.NoError(t, Tag("cost-center:id", ""))
	assert.NoError(t, Tag("Owner", "Ops Team @ HQ/+=.-_"))
	assert.EqualError(t, Tag("", "x"), `tag keys must be 1 to 128 characters long (this one is 0) (got "")`)
	assert.EqualError(t, Tag("aws:created", "x"), `tag keys must not start with the reserved prefix "aws:" (got "aws:created")`)
	assert.EqualError(t, Tag("a*b", "x"), `tag keys may contain only letters, digits, spaces and _ . : / = + - @ (got "a*b")`)
	assert.Error(t, Tag("k", strings.Repeat("v", 257)))
	assert.Error(t, Tag("k", "semi;colon"))
}

func TestMonitoringNames(t *testing.T) {
	assert.NoError(t, LogGroupName("cloudtrail/org-trail"))
	assert.NoError(t, LogGroupName("/aws/cloudtrail/org-trail"))
	assert.EqualError(t, LogGroupName("aws/cloudtrail"), `log group names must not start with the reserved prefix "aws/" (got "aws/cloudtrail")`)
	assert.Error(t, LogGroupName(""))
	assert.Error(t, LogGroupName("has space"))
	assert.Error(t, LogGroupName(strings.Repeat("a", 513)))
	assert.NoError(t, LogRetentionDays(365))
	assert.NoError(t, LogRetentionDays(3653))
	assert.ErrorContains(t, LogRetentionDays(366), "must be one of the retention periods CloudWatch Logs accepts: [1 3 5")
	assert.NoError(t, TopicName("cloudtrail-notifications_1"))
	assert.Error(t, TopicName("topic.fifo"))
	assert.Error(t, TopicName(""))
}

// TestErrorsKeepTheirStructure: a caller reaches every violation of a List's
// error with errors.As, with field, rule and value, also after Rename and
// after the error was joined with another; the message is unchanged.
// TestAlarmWindow tests each limit of CloudWatch's PutMetricAlarm on both
// sides: a period of whole minutes up to seven days, and period times
// evaluation periods at most one day below an hour's period, seven days from
// an hour on (docs/aws-rules.md#alarm-window-limits).
func TestAlarmWindow(t *testing.T) {
	for _, ok := range []int{60, 120, 3600, 86400, 604800} {
		assert.NoError(t, AlarmPeriod(ok), ok)
	}
	for _, bad := range []int{0, 10, 30, 59, 90, 3630, 604860} {
		assert.Error(t, AlarmPeriod(bad), bad)
	}
	for _, tc := range []struct{ period, ok, over int }{
		{60, 1440, 1441},
		{300, 288, 289},
		{3540, 24, 25}, // under an hour: one day, even though 3540 x 25 is far below seven days
		{3600, 168, 169},
		{86400, 7, 8},
		{604800, 1, 2},
	} {
		assert.NoError(t, AlarmWindow(tc.period, tc.ok), "%d x %d", tc.period, tc.ok)
		err := AlarmWindow(tc.period, tc.over)
		require.Error(t, err, "%d x %d", tc.period, tc.over)
		assert.Contains(t, err.Error(), fmt.Sprintf("must be at most %d:", tc.ok))
	}
	assert.EqualError(t, AlarmWindow(3600, 0), "must be at least 1 (got 0)")
}

func TestErrorsKeepTheirStructure(t *testing.T) {
	var inner List
	inner.Addf("HelperProps.Name", "x", "must name HelperProps.Other")
	inner.Add("HelperProps.Days", Range(0, 1, 2, "days"))
	var outer List
	outer.Add("", Rename(inner.Err(), "HelperProps.", "CallerProps."))
	outer.Add("CallerProps.Account", AccountID("1"))
	err := errors.Join(errors.New("unrelated"), outer.Err())

	var errs Errors
	if !errors.As(err, &errs) {
		t.Fatalf("errors.As found no Errors in %T", err)
	}
	var got []string
	for _, v := range errs.Violations() {
		got = append(got, fmt.Sprintf("%s|%s|%v", v.Field, v.Rule, v.Value))
	}
	want := []string{
		"CallerProps.Name|must name CallerProps.Other|x",
		"CallerProps.Days|must be between 1 and 2 days|0",
		"CallerProps.Account|must be an AWS account id of exactly 12 digits|1",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("violations:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if want := "CallerProps.Name: must name CallerProps.Other (got \"x\")\nCallerProps.Days: must be between 1 and 2 days (got 0)"; !strings.HasPrefix(errs.Error(), want) {
		t.Errorf("message %q", errs.Error())
	}
	// A non-violation error keeps its chain through Rename.
	base := errors.New("HelperProps.X broke")
	r := Rename(base, "HelperProps.", "CallerProps.")
	if r.Error() != "CallerProps.X broke" || !errors.Is(r, base) {
		t.Errorf("Rename of a plain error: %q, Is=%v", r.Error(), errors.Is(r, base))
	}
}

func TestAthenaDefaults(t *testing.T) {
	assert.Equal(t, "trail-logs-athena-results", DefaultAthenaResultsBucketName("trail-logs"))
	assert.Equal(t, "", DefaultAthenaResultsBucketName(""))
	fits := strings.Repeat("a", 63-len(DefaultAthenaResultsSuffix))
	assert.NoError(t, BucketName(DefaultAthenaResultsBucketName(fits)))
	assert.Equal(t, "", DefaultAthenaResultsBucketName(fits+"a"), "64 characters: no default")
	assert.NoError(t, RoleName(DefaultAthenaQueryRoleName))
	assert.GreaterOrEqual(t, DefaultAthenaBytesScannedLimit, 10*1024*1024, "Athena's minimum")
	assert.NoError(t, Range(DefaultAthenaResultsDays, 1, MaxRetentionDays, "days"))
}

func TestTrailARN(t *testing.T) {
	account, err := TrailARN("arn:aws:cloudtrail:us-east-1:111122223333:trail/aws-controltower-BaselineCloudTrail", "aws")
	require.NoError(t, err)
	assert.Equal(t, "111122223333", account)
	_, err = TrailARN("arn:aws-us-gov:cloudtrail:us-gov-west-1:111122223333:trail/old", "")
	assert.NoError(t, err, "any partition when none is asked for")
	for _, bad := range []string{
		"", "arn:aws:cloudtrail:us-east-1:111122223333:trail/", "arn:aws:cloudtrail:us-east-1:111122223333:trail/*",
		"arn:aws:cloudtrail:us-east-7:111122223333:trail/old", "arn:aws:cloudtrail:us-east-1:1111:trail/old",
		"arn:aws:cloudtrail:us-east-1:111122223333:eventdatastore/x", "arn:aws:s3:::bucket",
		"arn:aws-cn:cloudtrail:us-east-1:111122223333:trail/old", "arn:aws:cloudtrail:cn-north-1:111122223333:trail/old",
	} {
		_, err := TrailARN(bad, "aws")
		assert.Error(t, err, bad)
	}
}
