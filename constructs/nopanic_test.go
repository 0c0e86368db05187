package constructs

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/policy"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/rules"
	st "github.com/cloudtrail-mrk/cloudtrail-mrk/internal/proof/synthtest"
)

// constructor calls one exported constructor in scope with id: with valid
// props, with zero-value props (zero), or with a key that has no copy in a
// region the construct needs (noCopy; nil when the construct takes no key).
type constructor struct {
	name   string
	valid  func(t *testing.T, f *fixture, scope constructs.Construct, id string) error
	zero   func(scope constructs.Construct, id string) error
	noCopy func(t *testing.T, f *fixture, scope constructs.Construct, id string) error
	// contradicts names a region its provider contradicts (nil when the
	// construct takes no region).
	contradicts func(t *testing.T, f *fixture, scope constructs.Construct, id string) error
}

// keyOnlyIn makes a key whose only copy is its primary in region.
func (f *fixture) keyOnlyIn(t *testing.T, region string) *MultiRegionKey {
	t.Helper()
	props := MultiRegionKeyProps{PrimaryRegion: region, Alias: "alias/only-" + region, Policy: keyPolicy(t, testTrail)}
	if p, ok := f.providers[region]; ok {
		props.Provider = p
	}
	k, err := NewMultiRegionKey(f.stack, "Only"+RegionID(region), props)
	require.NoError(t, err)
	return k
}

func athenaProps(b ITrailBucket, k *MultiRegionKey) AthenaQueryProps {
	return AthenaQueryProps{
		Bucket: b, Key: k, Account: "222222222222", Accounts: []string{"111111111111"},
		ProjectionStart: "2024/01/01", Database: "db", Table: "logs", Workgroup: "wg",
		ResultsBucketName: "athena-results-test", ResultsExpirationDays: 30,
		BytesScannedCutoff: 100 * 1024 * 1024, QueryRoleName: "query", Readers: []string{"333333333333"},
	}
}

func recoveryProps(f *fixture, src *TrailBucket, k *MultiRegionKey) RecoveryBucketProps {
	return RecoveryBucketProps{Source: src, BucketName: "trail-logs-recovery", Region: "us-west-2", Provider: f.providers["us-west-2"], Key: k, ReplicationRoleARN: testGrants.RoleARN()}
}

var allConstructors = []constructor{
	{
		name: "NewMultiRegionKey",
		valid: func(t *testing.T, f *fixture, scope constructs.Construct, id string) error {
			_, err := NewMultiRegionKey(scope, id, MultiRegionKeyProps{PrimaryRegion: "us-east-1", Alias: "alias/x", Policy: keyPolicy(t, testTrail)})
			return err
		},
		zero: func(scope constructs.Construct, id string) error {
			_, err := NewMultiRegionKey(scope, id, MultiRegionKeyProps{})
			return err
		},
		contradicts: func(t *testing.T, f *fixture, scope constructs.Construct, id string) error {
			_, err := NewMultiRegionKey(scope, id, MultiRegionKeyProps{Alias: "alias/x", Account: "222222222222",
				Replicas: []ReplicaRegion{{Region: "eu-west-1", Provider: f.providers["us-west-2"]}}})
			return err
		},
	},
	{
		name: "NewTrailBucket",
		valid: func(t *testing.T, f *fixture, scope constructs.Construct, id string) error {
			_, err := NewTrailBucket(scope, id, TrailBucketProps{BucketName: "trail-logs-other", Region: "us-east-1", Key: f.key(t, nil), Trail: testTrail})
			return err
		},
		zero: func(scope constructs.Construct, id string) error {
			_, err := NewTrailBucket(scope, id, TrailBucketProps{})
			return err
		},
		noCopy: func(t *testing.T, f *fixture, scope constructs.Construct, id string) error {
			_, err := NewTrailBucket(scope, id, TrailBucketProps{BucketName: "trail-logs-other", Region: "us-west-2", Provider: f.providers["us-west-2"], Key: f.keyOnlyIn(t, "us-east-1"), Trail: testTrail})
			return err
		},
		// The case the issue found: eu-west-1 named under an eu-central-1
		// provider used to synthesize with the eu-west-1 key copy's ARN.
		contradicts: func(t *testing.T, f *fixture, scope constructs.Construct, id string) error {
			_, err := NewTrailBucket(scope, id, TrailBucketProps{BucketName: "trail-logs-other", Region: "eu-west-1", Provider: f.providers["us-west-2"], Key: f.key(t, nil), Trail: testTrail})
			return err
		},
	},
	{
		name: "NewAccessLogBucket",
		valid: func(t *testing.T, f *fixture, scope constructs.Construct, id string) error {
			_, err := NewAccessLogBucket(scope, id, AccessLogBucketProps{BucketName: "access-logs-test", Partition: "aws", Account: "222222222222", SourceBuckets: []string{"trail-logs-test"}})
			return err
		},
		zero: func(scope constructs.Construct, id string) error {
			_, err := NewAccessLogBucket(scope, id, AccessLogBucketProps{})
			return err
		},
	},
	{
		name: "NewRecoveryBucket",
		valid: func(t *testing.T, f *fixture, scope constructs.Construct, id string) error {
			k := f.key(t, nil)
			_, err := NewRecoveryBucket(scope, id, recoveryProps(f, f.bucket(t, k, nil), k))
			return err
		},
		zero: func(scope constructs.Construct, id string) error {
			_, err := NewRecoveryBucket(scope, id, RecoveryBucketProps{})
			return err
		},
		contradicts: func(t *testing.T, f *fixture, scope constructs.Construct, id string) error {
			k := f.key(t, nil)
			props := recoveryProps(f, f.bucket(t, k, nil), k)
			props.Provider = f.providers["eu-west-1"]
			_, err := NewRecoveryBucket(scope, id, props)
			return err
		},
		noCopy: func(t *testing.T, f *fixture, scope constructs.Construct, id string) error {
			k := f.keyOnlyIn(t, "us-east-1")
			_, err := NewRecoveryBucket(scope, id, recoveryProps(f, f.bucket(t, k, nil), k))
			return err
		},
	},
	{
		name: "NewReplication",
		valid: func(t *testing.T, f *fixture, scope constructs.Construct, id string) error {
			k := f.key(t, func(p *MultiRegionKeyProps) {
				p.Policy = replicationKeyPolicy(t, "us-east-1")
				p.ReplicaPolicies = map[string]policy.Document{"us-west-2": replicationKeyPolicy(t, "us-west-2"), "eu-west-1": replicationKeyPolicy(t, "eu-west-1")}
			})
			src := f.bucket(t, k, nil)
			dst, err := NewRecoveryBucket(f.stack, "Recovery", recoveryProps(f, src, k))
			require.NoError(t, err)
			_, err = NewReplication(scope, id, ReplicationProps{Source: src, Destination: dst, Key: k, Grants: testGrants})
			return err
		},
		zero: func(scope constructs.Construct, id string) error {
			_, err := NewReplication(scope, id, ReplicationProps{})
			return err
		},
		// No noCopy: the replication's key must be both buckets' key
		// (checked first), which has a copy in both regions; a key without
		// the source copy used to be dereferenced, and is now refused as
		// another key (TestReplicationValidation).
	},
	{
		name: "NewTrail",
		valid: func(t *testing.T, f *fixture, scope constructs.Construct, id string) error {
			k := f.key(t, nil)
			_, err := NewTrail(scope, id, TrailProps{Bucket: f.bucket(t, k, nil), Key: k,
				CloudWatchLogs: &CloudWatchLogsProps{Alarms: &AlarmsProps{}}, Notifications: &NotificationProps{}})
			return err
		},
		zero: func(scope constructs.Construct, id string) error {
			if _, err := NewTrail(scope, id, TrailProps{Bucket: (*TrailBucket)(nil), Key: (*MultiRegionKey)(nil)}); err == nil {
				return errors.New("nil pointers in the interfaces were accepted")
			}
			_, err := NewTrail(scope, id, TrailProps{})
			return err
		},
		noCopy: func(t *testing.T, f *fixture, scope constructs.Construct, id string) error {
			b := f.bucket(t, f.key(t, nil), func(p *TrailBucketProps) { p.Region = "us-west-2"; p.Provider = f.providers["us-west-2"] })
			_, err := NewTrail(scope, id, TrailProps{Bucket: b, Key: f.keyOnlyIn(t, "us-east-1")})
			return err
		},
		// The bucket's trail lives in us-east-1; a us-west-2 provider
		// would create it elsewhere, under an ARN no policy names.
		contradicts: func(t *testing.T, f *fixture, scope constructs.Construct, id string) error {
			k := f.key(t, nil)
			_, err := NewTrail(scope, id, TrailProps{Bucket: f.bucket(t, k, nil), Key: k, Provider: f.providers["us-west-2"]})
			return err
		},
	},
	{
		name: "NewAthenaQuery",
		valid: func(t *testing.T, f *fixture, scope constructs.Construct, id string) error {
			k := f.key(t, nil)
			_, err := NewAthenaQuery(scope, id, athenaProps(f.bucket(t, k, nil), k))
			return err
		},
		zero: func(scope constructs.Construct, id string) error {
			_, err := NewAthenaQuery(scope, id, AthenaQueryProps{})
			return err
		},
		noCopy: func(t *testing.T, f *fixture, scope constructs.Construct, id string) error {
			b := f.bucket(t, f.key(t, nil), func(p *TrailBucketProps) { p.Region = "us-west-2"; p.Provider = f.providers["us-west-2"] })
			_, err := NewAthenaQuery(scope, id, athenaProps(b, f.keyOnlyIn(t, "us-east-1")))
			return err
		},
	},
}

// noPanic runs call and turns a panic into a test failure.
func noPanic(t *testing.T, call func() error) (err error) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("panicked: %v", r)
		}
	}()
	return call()
}

// childCount counts every construct under scope, at any depth.
func childCount(scope constructs.Construct) int {
	return len(*scope.Node().FindAll(constructs.ConstructOrder_PREORDER))
}

// TestConstructorsNeverPanic calls every exported constructor with each bad
// input that jsii or a nil dereference would turn into a panic, and checks
// that it returns an error and adds nothing to the scope.
func TestConstructorsNeverPanic(t *testing.T) {
	type badCase struct {
		name string
		// call returns the scope to inspect (nil when there is none) and the
		// constructor's error.
		call func(t *testing.T, c constructor, f *fixture) (constructs.Construct, error)
		want string
	}
	cases := []badCase{
		{"nil scope", func(t *testing.T, c constructor, f *fixture) (constructs.Construct, error) {
			return nil, c.valid(t, f, nil, "X")
		}, "scope is required (got nil)"},
		{"nil construct as scope", func(t *testing.T, c constructor, f *fixture) (constructs.Construct, error) {
			return nil, c.valid(t, f, (*MultiRegionKey)(nil), "X")
		}, "scope is required (got nil)"},
		{"app scope", func(t *testing.T, c constructor, f *fixture) (constructs.Construct, error) {
			app := cdktf.Testing_App(nil)
			return app, c.valid(t, f, app, "X")
		}, `scope must be a TerraformStack or a construct inside one (got "")`},
		{"construct under an app", func(t *testing.T, c constructor, f *fixture) (constructs.Construct, error) {
			app := cdktf.Testing_App(nil)
			group := constructs.NewConstruct(app, jsii.String("Group"))
			return group, c.valid(t, f, group, "X")
		}, `scope must be a TerraformStack or a construct inside one (got "Group")`},
		{"empty id", func(t *testing.T, c constructor, f *fixture) (constructs.Construct, error) {
			return f.stack, c.valid(t, f, f.stack, "")
		}, `id is required (got "")`},
		{"duplicate id", func(t *testing.T, c constructor, f *fixture) (constructs.Construct, error) {
			constructs.NewConstruct(f.stack, jsii.String("Taken"))
			return f.stack, c.valid(t, f, f.stack, "Taken")
		}, `id must be unique in its scope: "test" already holds a construct named "Taken"`},
		{"zero-value props", func(t *testing.T, c constructor, f *fixture) (constructs.Construct, error) {
			return f.stack, noPanic(t, func() error { return c.zero(f.stack, "X") })
		}, "Props."},
		{"key without a copy in a needed region", func(t *testing.T, c constructor, f *fixture) (constructs.Construct, error) {
			if c.noCopy == nil {
				t.Skip("takes no key")
			}
			return f.stack, c.noCopy(t, f, f.stack, "X")
		}, `the multi-region key has no copy in`},
		{"region contradicting its provider", func(t *testing.T, c constructor, f *fixture) (constructs.Construct, error) {
			if c.contradicts == nil {
				t.Skip("takes no region")
			}
			return f.stack, c.contradicts(t, f, f.stack, "X")
		}, `contradicts`},
	}
	for _, c := range allConstructors {
		// The valid props build: each failure below is the case's alone.
		t.Run(c.name+"/valid", func(t *testing.T) {
			f := newFixture(t)
			require.NoError(t, noPanic(t, func() error { return c.valid(t, f, f.stack, "X") }))
			assert.NotNil(t, f.stack.Node().TryFindChild(jsii.String("X")))
		})
		for _, bc := range cases {
			t.Run(c.name+"/"+bc.name, func(t *testing.T) {
				f := newFixture(t)
				var scope constructs.Construct
				err := noPanic(t, func() error {
					s, err := bc.call(t, c, f)
					scope = s
					return err
				})
				require.Error(t, err)
				assert.Contains(t, err.Error(), bc.want)
				if bc.name != "nil scope" && bc.name != "nil construct as scope" && bc.name != "zero-value props" && bc.name != "key without a copy in a needed region" && bc.name != "region contradicting its provider" {
					assert.True(t, strings.HasPrefix(err.Error(), c.name+": "), "the error names the constructor: %v", err)
				}
				if scope != nil {
					assert.Nil(t, scope.Node().TryFindChild(jsii.String("X")), "nothing added under the id")
					if !*cdktf.TerraformStack_IsStack(scope) {
						assert.Equal(t, 1, childCount(scope), "nothing added to a scope outside a stack")
					}
				}
			})
		}
	}
}

// TestErrorsAs shows that a caller reaches the violations of a constructor's
// error with errors.As, and reads field, rule and value, also for violations
// a policy helper found (renamed to the constructor's props).
func TestErrorsAs(t *testing.T) {
	f := newFixture(t)
	k := f.key(t, nil)
	_, err := NewTrailBucket(f.stack, "B", TrailBucketProps{BucketName: "Bad_Name", Region: "us-east-1", Key: k, Trail: testTrail, ObjectLockDays: 40000, Readers: []string{"nobody"}})
	var errs rules.Errors
	require.True(t, errors.As(err, &errs), "%T", err)
	var got []string
	for _, v := range errs.Violations() {
		got = append(got, fmt.Sprintf("%s|%v", v.Field, v.Value))
	}
	assert.Contains(t, got, "TrailBucketProps.ObjectLockDays|40000")
	assert.Contains(t, got, "TrailBucketProps.BucketName|Bad_Name")
	assert.Contains(t, got, "TrailBucketProps.Readers[0]|nobody")
	var v *rules.Violation
	require.True(t, errors.As(err, &v))
	assert.NotEmpty(t, v.Rule)
}

// TestOutputs: every output names the resource it describes (a token
// resolves to that resource's reference), and the optional ones are empty
// when the resource is not made.
func TestOutputs(t *testing.T) {
	f := newFixture(t)
	k := f.key(t, nil)
	logs, err := NewAccessLogBucket(f.stack, "AccessLogs", AccessLogBucketProps{BucketName: "trail-logs-test-access", Partition: "aws", Account: "222222222222", SourceBuckets: []string{"trail-logs-test"}})
	require.NoError(t, err)
	b := f.bucket(t, k, func(p *TrailBucketProps) { p.AccessLogs = logs })
	tr, err := NewTrail(f.stack, "Trail", TrailProps{Bucket: b, Key: k,
		CloudWatchLogs: &CloudWatchLogsProps{Alarms: &AlarmsProps{}}, Notifications: &NotificationProps{}})
	require.NoError(t, err)
	bare, err := NewTrail(constructs.NewConstruct(f.stack, jsii.String("Other")), "Trail", TrailProps{Bucket: b, Key: k})
	require.NoError(t, err)
	assert.Nil(t, bare.LogGroupArn())
	assert.Nil(t, bare.TopicArn())
	assert.Nil(t, bare.AlarmTopicArn())
	assert.Nil(t, bare.MonitoringKeyArn())
	assert.Equal(t, "", bare.LogGroupName())

	outputs := map[string]*string{
		"LogGroupArn": tr.LogGroupArn(), "RoleArn": tr.CloudWatchLogsRoleArn(), "TopicArn": tr.TopicArn(),
		"AlarmTopicArn": tr.AlarmTopicArn(), "MonitoringKeyArn": tr.MonitoringKeyArn(),
		"AccessLogsArn": logs.BucketArn(), "BucketArn": b.BucketArn(),
	}
	for name, v := range outputs {
		cdktf.NewTerraformOutput(f.stack, jsii.String(name), &cdktf.TerraformOutputConfig{Value: v})
	}
	doc := f.synth(t)
	out := func(name string) any { return st.Object(st.Object(doc, "output"), name)["value"] }
	group, _ := doc.OnlyWhere(t, "aws_cloudwatch_log_group", "name", "cloudtrail/org-trail")
	assert.Equal(t, st.Ref("aws_cloudwatch_log_group", group, "arn"), out("LogGroupArn"))
	assert.Equal(t, "cloudtrail/org-trail", tr.LogGroupName())
	role, _ := doc.Only(t, "aws_iam_role")
	assert.Equal(t, st.Ref("aws_iam_role", role, "arn"), out("RoleArn"))
	topic, _ := doc.OnlyWhere(t, "aws_sns_topic", "name", "org-trail-notifications")
	assert.Equal(t, st.Ref("aws_sns_topic", topic, "arn"), out("TopicArn"))
	assert.Equal(t, "org-trail-notifications", tr.TopicName())
	alarmTopic, _ := doc.OnlyWhere(t, "aws_sns_topic", "name", "org-trail-alarms")
	assert.Equal(t, st.Ref("aws_sns_topic", alarmTopic, "arn"), out("AlarmTopicArn"))
	monKey, _ := doc.OnlyWhere(t, "aws_kms_key", "description", "CloudTrail org-trail: CloudWatch Logs and notifications")
	assert.Equal(t, st.Ref("aws_kms_key", monKey, "arn"), out("MonitoringKeyArn"))
	accessLogs, _ := doc.OnlyWhere(t, "aws_s3_bucket", "bucket", "trail-logs-test-access")
	assert.Equal(t, st.Ref("aws_s3_bucket", accessLogs, "arn"), out("AccessLogsArn"))
	bucket, _ := doc.OnlyWhere(t, "aws_s3_bucket", "bucket", "trail-logs-test")
	assert.Equal(t, st.Ref("aws_s3_bucket", bucket, "arn"), out("BucketArn"))
	assert.Equal(t, "trail-logs-test-access", b.AccessLogBucketName())
}

// TestPropsAreNotModified: constructors resolve defaults on a copy; what the
// caller's props point to is as the caller left it, so one props value can
// build two constructs, and a caller reading it back sees its own values.
func TestPropsAreNotModified(t *testing.T) {
	f := newFixture(t)
	k := f.key(t, nil)
	lc := &LifecycleProps{TransitionDays: 30}
	protection := &policy.Protection{}
	readers := []string{"333333333333"}
	bp := TrailBucketProps{BucketName: "trail-logs-test", Region: "us-east-1", Key: k, Trail: testTrail, Lifecycle: lc, Protection: protection, Readers: readers}
	b, err := NewTrailBucket(f.stack, "Bucket", bp)
	require.NoError(t, err)
	assert.Equal(t, LifecycleProps{TransitionDays: 30}, *lc, "the storage class default is not written into the caller's lifecycle")
	assert.Equal(t, "", bp.ObjectLockMode)

	cw := &CloudWatchLogsProps{Alarms: &AlarmsProps{}}
	n := &NotificationProps{}
	_, err = NewTrail(f.stack, "Trail", TrailProps{Bucket: b, Key: k, CloudWatchLogs: cw, Notifications: n})
	require.NoError(t, err)
	assert.Equal(t, CloudWatchLogsProps{Alarms: &AlarmsProps{}}, *cw, "log group name and retention defaults stay on the copy")
	assert.Equal(t, AlarmsProps{}, *cw.Alarms)
	assert.Equal(t, NotificationProps{}, *n)

	doc := f.synth(t)
	_, group := doc.Only(t, "aws_cloudwatch_log_group")
	assert.Equal(t, "cloudtrail/org-trail", group["name"], "the defaults are applied all the same")
	_, lcRes := doc.Only(t, "aws_s3_bucket_lifecycle_configuration")
	assert.Equal(t, DefaultStorageClass, lcRes["rule"].([]any)[0].(map[string]any)["transition"].([]any)[0].(map[string]any)["storage_class"])
}
