package access

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/policy"
)

// TestVerifiersAreProven: the organization example's verifiers (one of
// another account, one of the log-archive account, and a session of each)
// are judged on both buckets, every key copy, CloudTrail and the state
// bucket, and meet every expectation.
func TestVerifiersAreProven(t *testing.T) {
	cfg, stacks := golden(t, "organization")
	require.Len(t, cfg.Key.Verifiers, 2)
	results, err := Check(cfg, stacks)
	require.NoError(t, err)
	assert.Empty(t, failures(results))
	count := map[string]int{}
	for _, r := range results {
		if !strings.HasPrefix(r.Name, "verifier ") {
			continue
		}
		for _, v := range append(slices.Clone(cfg.Key.Verifiers), "assumed-role/TrailVerifier/check-access") {
			if strings.Contains(r.Name, v) {
				count[v]++
			}
		}
		for _, part := range []string{"by the resource policy alone", "by the bucket policy's grants alone", "by the identity policy alone", "Terraform state bucket", "ListPublicKeys", "with the key copy in eu-west-1", "-usw2"} {
			if strings.Contains(r.Name, part) {
				count[part]++
			}
		}
		if r.Want {
			count["allowed"]++
		} else {
			count["denied"]++
		}
	}
	for _, k := range append(cfg.Key.Verifiers, "assumed-role/TrailVerifier/check-access", "by the resource policy alone", "by the bucket policy's grants alone", "by the identity policy alone",
		"Terraform state bucket", "ListPublicKeys", "with the key copy in eu-west-1", "-usw2", "allowed", "denied") {
		assert.Positive(t, count[k], k)
	}
}

// TestVerifierDefectsAreCaught: a verifier grant in the stacks that gives
// more, or less, than the verification needs fails the check.
func TestVerifierDefectsAreCaught(t *testing.T) {
	requireEachCaught(t, []seededDefect{
		{
			// Hidden by the deletion deny for everyone but the break-glass
			// principals; the grants alone show it.
			"verifier statement granting s3:DeleteObjectVersion", "organization", "log-archive",
			func(s string) string {
				return strings.ReplaceAll(s, `\"Action\": [\n        \"s3:GetObject\",\n        \"s3:GetObjectVersion\"\n      ],`,
					`\"Action\": [\n        \"s3:DeleteObjectVersion\",\n        \"s3:GetObject\",\n        \"s3:GetObjectVersion\"\n      ],`)
			},
			"s3:DeleteObjectVersion on a log file in arn:aws:s3:::example-org-cloudtrail-444455556666, by the bucket policy's grants alone (its denies set aside) must be denied (got Allow)",
		},
		{
			"verifier Decrypt without the ViaService condition", "organization", "log-archive",
			func(s string) string {
				return strings.Replace(s, `\"555566667777\"\n          ],\n          \"kms:ViaService\": \"s3.us-east-1.amazonaws.com\"\n        },\n        \"StringLike\": {\n          \"kms:EncryptionContext:aws:s3:arn\": [\n            \"arn:aws:s3:::example-org-cloudtrail-444455556666\",`,
					`\"555566667777\"\n          ]\n        },\n        \"StringLike\": {\n          \"kms:EncryptionContext:aws:s3:arn\": [\n            \"arn:aws:s3:::example-org-cloudtrail-444455556666\",`, 1)
			},
			"decrypting with the trail bucket's context outside S3 with the key copy in us-east-1, by the resource policy alone must be denied (got Allow)",
		},
		{
			"verifier listing without s3:prefix", "organization", "log-archive",
			func(s string) string {
				return strings.ReplaceAll(s, `,\n      \"Condition\": {\n        \"StringLike\": {\n          \"s3:prefix\": [\n            \"org/AWSLogs/111122223333/*\",\n            \"org/AWSLogs/o-exampleorg1/*\"\n          ]\n        }\n      }`, ``)
			},
			"listing the whole bucket (no s3:prefix) in arn:aws:s3:::example-org-cloudtrail-444455556666, by the resource policy alone must be denied (got Allow)",
		},
		{
			"verifier reading the whole trail bucket", "organization", "log-archive",
			func(s string) string {
				return strings.Replace(s, `\"arn:aws:s3:::example-org-cloudtrail-444455556666/org/AWSLogs/111122223333/*\",\n        \"arn:aws:s3:::example-org-cloudtrail-444455556666/org/AWSLogs/o-exampleorg1/*\"`,
					`\"arn:aws:s3:::example-org-cloudtrail-444455556666/*\",\n        \"arn:aws:s3:::example-org-cloudtrail-444455556666/org/AWSLogs/o-exampleorg1/*\"`, 1)
			},
			"reading report.csv, outside the log paths in arn:aws:s3:::example-org-cloudtrail-444455556666, by the resource policy alone must be denied (got Allow)",
		},
		{
			"verifiers' grant on the recovery copies removed", "organization", "log-archive",
			func(s string) string {
				return strings.Replace(s, `\"Sid\": \"AllowLogVerifiersDecryptRecoveryCopies\",\n      \"Effect\": \"Allow\"`, `\"Sid\": \"AllowLogVerifiersDecryptRecoveryCopies\",\n      \"Effect\": \"Deny\"`, 1)
			},
			"decrypting a recovery copy (Bucket Key context) through S3 in us-west-2 with the key copy in us-west-2 must be allowed",
		},
		{
			"verifiers' listing of object versions dropped", "organization", "log-archive",
			func(s string) string {
				return strings.ReplaceAll(s, `\"s3:ListBucket\",\n        \"s3:ListBucketVersions\"\n      ],`, `\"s3:ListBucket\"\n      ],`)
			},
			"listing object versions under org/AWSLogs/111122223333/ in arn:aws:s3:::example-org-cloudtrail-444455556666 must be allowed (got ImplicitDeny)",
		},
		{
			// Narrower than the verify command's own listings: it reads the
			// organization's folder for its account folders
			// (access/verifier_calls.go).
			"verifiers' listing narrowed to the digest folders", "organization", "log-archive",
			func(s string) string {
				return strings.ReplaceAll(s, `\"org/AWSLogs/o-exampleorg1/*\"\n          ]\n        }`, `\"org/AWSLogs/o-exampleorg1/*/CloudTrail-Digest/*\"\n          ]\n        }`)
			},
			"the verify command's call: s3:ListBucket on arn:aws:s3:::example-org-cloudtrail-444455556666 with s3:prefix org/AWSLogs/o-exampleorg1/, by the resource policy alone must be allowed (got ImplicitDeny)",
		},
	})
}

// TestVerifierIdentityDefectsAreCaught: the identity policy
// cmd/required-policy writes is judged too; one that gives more, or less,
// than the verification needs fails the check.
func TestVerifierIdentityDefectsAreCaught(t *testing.T) {
	cases := []struct {
		name string
		edit func(*policy.Document)
		want string
	}{
		{"Decrypt without the ViaService condition", func(d *policy.Document) {
			delete(d.Statement[statementIndex(t, *d, policy.SidVerifierDecryptTrailBucket)].Condition, "StringEquals")
		}, "verifier arn:aws:iam::444455556666:role/TrailVerifier decrypting with the trail bucket's context outside S3 with the key copy in us-east-1 must be denied (got Allow)"},
		{"ListPublicKeys dropped", func(d *policy.Document) {
			d.Statement = slices.Delete(d.Statement, statementIndex(t, *d, policy.SidVerifierListPublicKeys), statementIndex(t, *d, policy.SidVerifierListPublicKeys)+1)
		}, "listing CloudTrail's public keys (ListPublicKeys, on *) must be allowed (got ImplicitDeny)"},
		{"reads widened to the whole bucket", func(d *policy.Document) {
			d.Statement[statementIndex(t, *d, policy.SidVerifierReadLogObjects)].Resource = policy.Values{"arn:aws:s3:::example-org-cloudtrail-444455556666/*"}
		}, "verifier arn:aws:iam::444455556666:role/TrailVerifier reading report.csv, outside the log paths in arn:aws:s3:::example-org-cloudtrail-444455556666 must be denied (got Allow)"},
		{"s3:DeleteObjectVersion granted", func(d *policy.Document) {
			i := statementIndex(t, *d, policy.SidVerifierReadLogObjects)
			d.Statement[i].Action = append(slices.Clone(d.Statement[i].Action), "s3:DeleteObjectVersion")
		}, "s3:DeleteObjectVersion on a log file in arn:aws:s3:::example-org-cloudtrail-444455556666, by the identity policy alone must be denied (got Allow)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg, stacks := golden(t, "organization")
			doc, err := cfg.VerifierPolicy()
			require.NoError(t, err)
			seeded := *doc
			seeded.Statement = slices.Clone(doc.Statement)
			for i := range seeded.Statement {
				seeded.Statement[i].Condition = policy.Conditions{}
				for op, kv := range doc.Statement[i].Condition {
					seeded.Statement[i].Condition[op] = kv
				}
			}
			tc.edit(&seeded)
			results, err := check(cfg, stacks, checkOptions{verifierPolicy: &seeded})
			require.NoError(t, err)
			f := failures(results)
			require.NotEmpty(t, f, "the seeded defect went unnoticed")
			assert.Contains(t, strings.Join(f, "\n"), tc.want)
		})
	}
}

func statementIndex(t *testing.T, d policy.Document, sid string) int {
	t.Helper()
	for i, s := range d.Statement {
		if s.Sid == sid {
			return i
		}
	}
	require.Failf(t, "no statement", "%s", sid)
	return -1
}
