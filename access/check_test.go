package access

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/config"
)

// golden loads a configuration and its synthesized stacks from testdata/
// (the golden files main_test.go keeps equal to what the app synthesizes).
func golden(t *testing.T, name string) (*config.Config, []Stack) {
	t.Helper()
	cfg := config.Default()
	if name != "default" {
		var err error
		cfg, err = config.Load(filepath.Join("..", "examples", name+".yaml"))
		require.NoError(t, err)
	}
	files, err := filepath.Glob(filepath.Join("..", "testdata", name, "*.tf.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	var stacks []Stack
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		s, err := ParseStack(strings.TrimSuffix(filepath.Base(f), ".tf.json"), data)
		require.NoError(t, err)
		stacks = append(stacks, s)
	}
	return cfg, stacks
}

func failures(results []Result) []string {
	var out []string
	for _, r := range results {
		if !r.OK() {
			out = append(out, r.String())
		}
	}
	return out
}

func TestEveryConfigurationMeetsItsExpectations(t *testing.T) {
	for _, name := range []string{"default", "single-account", "organization"} {
		t.Run(name, func(t *testing.T) {
			cfg, stacks := golden(t, name)
			results, err := Check(cfg, stacks)
			require.NoError(t, err)
			assert.Empty(t, failures(results))
			assert.Greater(t, len(results), 30)
			var allowed, denied int
			for _, r := range results {
				if r.Want {
					allowed++
				} else {
					denied++
				}
			}
			assert.Positive(t, allowed)
			assert.Positive(t, denied)
		})
	}
}

// mutate rewrites the JSON of one stack before checking it.
func mutate(t *testing.T, name, stack string, edit func(string) string) (*config.Config, []Stack) {
	t.Helper()
	cfg, stacks := golden(t, name)
	// stack may name several stacks, joined by "+": the edit applies to
	// each, and must change every one.
	for _, one := range strings.Split(stack, "+") {
		for i, s := range stacks {
			if s.Name != one {
				continue
			}
			data, err := os.ReadFile(filepath.Join("..", "testdata", name, one+".tf.json"))
			require.NoError(t, err)
			changed := edit(string(data))
			require.NotEqual(t, string(data), changed, "the seeded defect did not change anything in "+one)
			stacks[i], err = ParseStack(one, []byte(changed))
			require.NoError(t, err)
		}
	}
	return cfg, stacks
}

// TestSeededDefectsAreCaught breaks a generated policy the way real
// configurations break and checks that the access check fails.
func TestSeededDefectsAreCaught(t *testing.T) {
	requireEachCaught(t, []seededDefect{
		{
			// The walkthrough's defect: a region hard-coded in aws:SourceArn.
			"wrong region in aws:SourceArn", "organization", "log-archive",
			func(s string) string {
				return strings.ReplaceAll(s, `arn:aws:cloudtrail:us-east-1:111122223333:trail/organization-trail`, `arn:aws:cloudtrail:ap-southeast-1:111122223333:trail/organization-trail`)
			},
			// The forged-writes deny names the same wrong ARN, so it now denies outright.
			"CloudTrail PutObject into the account path for this trail must be allowed (got ExplicitDeny)",
		},
		{
			"organization statement missing", "organization", "log-archive",
			func(s string) string {
				return strings.Replace(s, `\"Resource\": \"arn:aws:s3:::example-org-cloudtrail-444455556666/org/AWSLogs/o-exampleorg1/*\"`, `\"Resource\": \"arn:aws:s3:::example-org-cloudtrail-444455556666/org/AWSLogs/o-otherorg123/*\"`, 1)
			},
			"CloudTrail PutObject into the organization path for this trail must be allowed (got ImplicitDeny)",
		},
		{
			"TLS deny removed", "default", "cloudtrail-mrk",
			func(s string) string {
				return strings.ReplaceAll(s, `\"aws:SecureTransport\": \"false\"`, `\"aws:SecureTransportX\": \"false\"`)
			},
			"CloudTrail PutObject without TLS must be denied (got Allow)",
		},
		{
			"key prefix dropped from the account path", "single-account", "cloudtrail-mrk",
			func(s string) string { return strings.Replace(s, `/cloudtrail/AWSLogs/111122223333/*`, `/*`, 1) },
			"CloudTrail PutObject outside the key prefix must be denied (got Allow)",
		},
		{
			"encryption context condition removed", "default", "cloudtrail-mrk",
			func(s string) string {
				return strings.ReplaceAll(s, `\"kms:EncryptionContext:aws:cloudtrail:arn\": \"arn:aws:cloudtrail:*:111122223333:trail/*\"`, `\"kms:EncryptionContext:aws:cloudtrail:arn\": \"*\"`)
			},
			"CloudTrail GenerateDataKey with another account's encryption context must be denied (got Allow)",
		},
		{
			"log group key open to every log group", "default", "cloudtrail-mrk",
			func(s string) string {
				return strings.Replace(s, `aws:logs:arn\": \"arn:aws:logs:us-east-1:111122223333:log-group:cloudtrail/cloudtrail-mrk\"`, `aws:logs:arn\": \"arn:aws:logs:us-east-1:111122223333:log-group:*\"`, 1)
			},
			"CloudWatch Logs encrypting another log group must be denied (got Allow)",
		},
		{
			// Its delete is denied by the recovery bucket's deletion deny
			// (defence in depth); the lost replication is what shows.
			"replication role allowed to delete instead of replicate", "organization", "bootstrap-log-archive", // the bootstrap creates the service roles
			func(s string) string { return strings.Replace(s, `\"s3:ReplicateObject\",`, `\"s3:DeleteObject\",`, 1) },
			"the replication role replicating into the recovery bucket must be allowed (got ImplicitDeny)",
		},
		{
			// The recovery bucket denies s3:ReplicateDelete to everyone too
			// (docs/aws-rules.md#replicated-delete-markers), so the seeded
			// defect takes both away.
			// The role's policy is the bootstrap's, the bucket's the log-archive stack's.
			"replication role allowed to replicate deletes", "organization", "bootstrap-log-archive+log-archive",
			func(s string) string {
				if strings.Contains(s, `"DeployingRole_`) { // the bootstrap stack
					return strings.Replace(s, `\"s3:ReplicateObject\",`, `\"s3:ReplicateDelete\",\n        \"s3:ReplicateObject\",`, 1)
				}
				return strings.ReplaceAll(s, `\"s3:PutObject\",\n        \"s3:ReplicateDelete\"\n      ]`, `\"s3:PutObject\"\n      ]`)
			},
			"replicating a delete marker into the recovery bucket must be denied (got Allow)",
		},
		{
			// S3 User Guide, "Replicating encrypted objects", "Amazon S3 Bucket
			// Keys and replication".
			"destination key without Decrypt for the replication role", "organization", "log-archive",
			func(s string) string {
				s = strings.Replace(s, `\"Sid\": \"DecryptReplicaBucketKey\",\n      \"Effect\": \"Allow\",\n      \"Principal\": {\n        \"AWS\": \"arn:aws:iam::444455556666:role/cloudtrail-mrk-replication\"\n      },\n      \"Action\": \"kms:Decrypt\"`,
					`\"Sid\": \"DecryptReplicaBucketKey\",\n      \"Effect\": \"Allow\",\n      \"Principal\": {\n        \"AWS\": \"arn:aws:iam::444455556666:role/cloudtrail-mrk-replication\"\n      },\n      \"Action\": \"kms:DescribeKey\"`, 1)
				// and from the role's own policy: either grant is enough where
				// the key policy delegates to IAM.
				return strings.Replace(s, `\"Sid\": \"DecryptReplicaBucketKey\",\n      \"Effect\": \"Allow\",\n      \"Action\": \"kms:Decrypt\"`,
					`\"Sid\": \"DecryptReplicaBucketKey\",\n      \"Effect\": \"Allow\",\n      \"Action\": \"kms:DescribeKey\"`, 1)
			},
			"replication role decrypting through S3 in the recovery region (S3 verifies the recovery bucket's Bucket Key) must be allowed (got ImplicitDeny)",
		},
		{
			"readers' grant for the recovery copies removed", "organization", "log-archive",
			func(s string) string {
				return strings.Replace(s, `\"Sid\": \"AllowLogReadersDecryptRecoveryCopies\",\n      \"Effect\": \"Allow\"`, `\"Sid\": \"AllowLogReadersDecryptRecoveryCopies\",\n      \"Effect\": \"Deny\"`, 1)
			},
			"decrypting recovery copies through S3 in the recovery region, without CloudTrail's encryption context must be allowed",
		},
		{
			"administrators given kms:Create*", "organization", "log-archive",
			func(s string) string { return strings.ReplaceAll(s, `\"kms:CreateAlias\",`, `\"kms:Create*\",`) },
			"creating a grant (kms:Create* would allow it) must be denied (got Allow)",
		},
		{
			"CloudWatch Logs role trust requires aws:SourceArn", "organization", "bootstrap-management", // the bootstrap creates the service roles
			func(s string) string {
				return strings.Replace(s, `\"Action\": \"sts:AssumeRole\"\n    }`, `\"Action\": \"sts:AssumeRole\",\n      \"Condition\": {\"StringEquals\": {\"aws:SourceArn\": \"arn:aws:cloudtrail:us-east-1:111122223333:trail/organization-trail\"}}\n    }`, 1)
			},
			"CloudTrail assuming the role (no aws:SourceArn in the request) must be allowed (got ImplicitDeny)",
		},
		{
			// IAM user guide, "How AWS enforcement code logic evaluates
			// requests": a trust naming the account delegates to IAM.
			"replication role trusting its whole account", "organization", "bootstrap-log-archive", // the bootstrap creates the service roles
			func(s string) string {
				return strings.Replace(s, `\"Service\": \"s3.amazonaws.com\"`, `\"AWS\": \"arn:aws:iam::444455556666:root\"`, 1)
			},
			"a role of the same account whose own policy allows sts:AssumeRole on everything must be denied (got Allow)",
		},
		{
			"reader grant opened to everyone", "organization", "log-archive",
			func(s string) string {
				return strings.Replace(s, `\"Sid\": \"AllowLogReadersGetObject\",\n      \"Effect\": \"Allow\",\n      \"Principal\": {\n        \"AWS\": [`, `\"Sid\": \"AllowLogReadersGetObject\",\n      \"Effect\": \"Allow\",\n      \"Principal\": {\n        \"AWS\": [\n          \"*\",`, 1)
			},
			"anonymous GetObject must be denied (got Allow)",
		},
	})
}

// seededDefect is one defect to seed: edit breaks the golden stack of
// config, and the access check must fail with want.
type seededDefect struct {
	name, config, stack string
	edit                func(string) string
	want                string
}

// requireEachCaught runs requireCaught for each defect, as a subtest.
func requireEachCaught(t *testing.T, cases []seededDefect) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			requireCaught(t, tc.config, tc.stack, tc.edit, tc.want)
		})
	}
}

// requireCaught seeds a defect with edit into a golden stack of config and
// requires the access check to fail with want among its failures.
func requireCaught(t *testing.T, config, stack string, edit func(string) string, want string) {
	t.Helper()
	cfg, stacks := mutate(t, config, stack, edit)
	results, err := Check(cfg, stacks)
	require.NoError(t, err)
	f := failures(results)
	require.NotEmpty(t, f, "the seeded defect went unnoticed")
	assert.Contains(t, strings.Join(f, "\n"), want)
}

func TestCheckRefusesStacksOfAnotherConfiguration(t *testing.T) {
	_, stacks := golden(t, "default")
	org, err := config.Load("../examples/organization.yaml")
	require.NoError(t, err)
	_, err = Check(org, stacks)
	assert.Error(t, err)
}

// A reader given as the log-archive account's own id is granted through that
// account's IAM policies: the check must not report false failures for it.
func TestSameAccountReaderByAccountID(t *testing.T) {
	cfg, stacks := golden(t, "organization")
	cfg.Key.Readers = []string{"444455556666"}
	results, err := Check(cfg, stacks)
	require.NoError(t, err)
	var readerResults int
	for _, r := range results {
		if strings.Contains(r.Name, "arn:aws:iam::444455556666:role/LogReader") {
			readerResults++
		}
	}
	assert.Positive(t, readerResults)
	assert.Empty(t, failures(results))
}

// The replication role's destination grants on every key copy: the source
// copy would let it encrypt, which the check sees because it judges the
// request with the key policy as well as the role's policy.
func TestDestinationGrantsOnTheSourceKeyAreCaught(t *testing.T) {
	cfg, stacks := golden(t, "organization")
	var archive Stack
	for _, s := range stacks {
		if s.Name == "log-archive" {
			archive = s
		}
	}
	require.NotNil(t, archive.JSON)
	var replica string
	for _, r := range archive.resources("aws_kms_replica_key") {
		if r["provider"] == "aws.us-west-2" {
			replica = r["policy"].(string)
		}
	}
	require.NotEmpty(t, replica)
	for _, k := range archive.resources("aws_kms_key") {
		k["policy"] = replica
	}
	results, err := Check(cfg, stacks)
	require.NoError(t, err)
	assert.Contains(t, strings.Join(failures(results), "\n"), "replication role encrypting with the source key copy must be denied (got Allow)")
}
