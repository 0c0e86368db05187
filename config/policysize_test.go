package config

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/policy"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/rules"
)

// goldenResources reads every resource of the golden stacks of one
// configuration (testdata/<name>/*.tf.json, written by the root package's
// TestGolden): type -> construct id -> arguments.
func goldenResources(t *testing.T, name string) map[string]map[string]map[string]any {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "testdata", name, "*.tf.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files, "golden stacks of %s", name)
	out := map[string]map[string]map[string]any{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		var stack struct {
			Resource map[string]map[string]map[string]any `json:"resource"`
		}
		require.NoError(t, json.Unmarshal(b, &stack), f)
		for typ, byID := range stack.Resource {
			if out[typ] == nil {
				out[typ] = map[string]map[string]any{}
			}
			for id, args := range byID {
				out[typ][id] = args
			}
		}
	}
	return out
}

// goldenPolicy returns the argument arg of the one resource of type typ
// whose construct id starts with prefix.
func goldenPolicy(t *testing.T, res map[string]map[string]map[string]any, typ, prefix, arg string) string {
	t.Helper()
	var found []string
	for id, args := range res[typ] {
		if strings.HasPrefix(id, prefix) {
			s, _ := args[arg].(string)
			found = append(found, s)
		}
	}
	require.Len(t, found, 1, "one %s %s*", typ, prefix)
	return found[0]
}

// TestPoliciesMatchTheSynthesizedStacks: the policies whose sizes the
// configuration checks are byte for byte those the stacks synthesize, for
// every golden configuration, so that the sizes measured are the sizes AWS
// receives.
func TestPoliciesMatchTheSynthesizedStacks(t *testing.T) {
	cases := map[string]string{"default": ""}
	examples, err := filepath.Glob("../examples/*.yaml")
	require.NoError(t, err)
	for _, f := range examples {
		cases[strings.TrimSuffix(filepath.Base(f), ".yaml")] = f
	}
	checkedReplicas, checkedRecovery, checkedTrust, checkedRecoveryAccessLogs := false, false, false, false
	for name, path := range cases {
		t.Run(name, func(t *testing.T) {
			c := Default()
			if path != "" {
				c, err = Load(path)
				require.NoError(t, err)
			}
			res := goldenResources(t, name)
			key, err := policy.KeyPolicy(c.KeyPolicyProps(c.HomeRegion))
			require.NoError(t, err)
			want, err := key.Labeled(AppLabel).JSON()
			require.NoError(t, err)
			assert.Equal(t, want, goldenPolicy(t, res, "aws_kms_key", "TrailKey_PrimaryKey", "policy"), "key policy in %s", c.HomeRegion)
			for _, r := range c.Key.ReplicaRegions {
				doc, err := policy.KeyPolicy(c.KeyPolicyProps(r))
				require.NoError(t, err)
				want, err := doc.Labeled(AppLabel).JSON()
				require.NoError(t, err)
				assert.Equal(t, want, goldenPolicy(t, res, "aws_kms_replica_key", "TrailKey_Replica"+regionID(r)+"_", "policy"), "key policy in %s", r)
				checkedReplicas = true
			}
			p := c.renderPolicies()
			assert.Equal(t, p.trailBucket, goldenPolicy(t, res, "aws_s3_bucket_policy", "TrailBucket_Policy", "policy"))
			if c.Replication.Enabled {
				assert.Equal(t, p.recoveryBucket, goldenPolicy(t, res, "aws_s3_bucket_policy", "RecoveryBucket_Policy", "policy"))
				checkedRecovery = true
			}
			if c.Bucket.AccessLogs.Enabled {
				assert.Equal(t, p.accessLogBuckets[c.Bucket.AccessLogs.BucketName], goldenPolicy(t, res, "aws_s3_bucket_policy", "AccessLogBucket_Policy", "policy"))
				if c.Replication.Enabled {
					assert.Equal(t, p.accessLogBuckets[c.Replication.AccessLogBucketName], goldenPolicy(t, res, "aws_s3_bucket_policy", "RecoveryAccessLogBucket_Policy", "policy"))
					checkedRecoveryAccessLogs = true
				}
			}
			if c.Athena.Enabled {
				id := "Athena_QueryRole"
				if c.BootstrapEnabled() {
					id = "AthenaQueryRole" // the bootstrap creates it
				}
				trust := goldenPolicy(t, res, "aws_iam_role", id, "assume_role_policy")
				assert.JSONEq(t, p.queryTrust, trust)
				assert.LessOrEqual(t, len(p.queryTrust), len(trust), "measured without white space")
				checkedTrust = true
			}
		})
	}
	assert.True(t, checkedReplicas && checkedRecovery && checkedTrust && checkedRecoveryAccessLogs, "the golden configurations cover replica keys, a recovery bucket, its access-log bucket and the query role")
}

// The access-log buckets' policies carry the break-glass principals too, and
// are measured like the trail bucket's.
func TestAccessLogBucketPolicySizeIsChecked(t *testing.T) {
	c := Default()
	c.Accounts.LogArchive.RoleARN = "arn:aws:iam::" + c.Accounts.LogArchive.ID + ":role/Deployer"
	for i := 0; i < 250; i++ {
		c.Bucket.BreakGlassPrincipals = append(c.Bucket.BreakGlassPrincipals, fmt.Sprintf("arn:aws:iam::%s:role/BreakGlass-%03d", c.Accounts.LogArchive.ID, i))
	}
	p := c.renderPolicies()
	require.Greater(t, len(p.accessLogBuckets[c.Bucket.AccessLogs.BucketName]), rules.MaxBucketPolicyBytes)
	var l rules.List
	c.validatePolicySizes(&l)
	require.Error(t, l.Err())
	assert.Contains(t, l.Err().Error(), "bucket.access_logs: must render a bucket policy of at most 20000 bytes (S3's 20 KB limit) for the access-log bucket "+c.Bucket.AccessLogs.BucketName)

	c.Bucket.BreakGlassPrincipals = c.Bucket.BreakGlassPrincipals[:1]
	l = rules.List{}
	c.validatePolicySizes(&l)
	assert.NoError(t, l.Err())
}

// regionID is constructs.RegionID ("us-west-2" -> "UsWest2"), the construct
// id suffix of what is created per region.
func regionID(region string) string {
	var b strings.Builder
	for _, part := range strings.Split(region, "-") {
		if part != "" {
			b.WriteString(strings.ToUpper(part[:1]) + part[1:])
		}
	}
	return b.String()
}
