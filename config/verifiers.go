package config

import (
	"fmt"
	"strings"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/policy"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/rules"
)

// Verification is what key.verifiers may verify: this trail's write paths
// in the trail bucket and, with replication, the recovery bucket, and
// whether the key is made elsewhere (key.existing_arns: a shared key). Nil
// without verifiers. The configuration must be valid.
func (c *Config) Verification() *policy.Verification {
	if len(c.Key.Verifiers) == 0 {
		return nil
	}
	v := &policy.Verification{
		Verifiers: c.Key.Verifiers, Trail: c.TrailIdentity(), OrganizationID: c.OrganizationID,
		KeyPrefix: c.Trail.S3KeyPrefix, Bucket: c.Bucket.Name, BucketRegion: c.HomeRegion,
		SharedKey: c.ExistingKey(),
	}
	if r := c.Replication; r.Enabled {
		v.RecoveryBucket, v.RecoveryRegion = r.BucketName, r.Region
	}
	return v
}

// VerifierPolicy is the identity policy each of key.verifiers needs in its
// own account (policy.VerifierIdentityPolicy): a verifier of another
// account than the log-archive account needs it beside the bucket and key
// policies' grants (docs/verify.md#permissions). It names the key copies by
// key.existing_arns when the key is made elsewhere, otherwise every key of
// the log-archive account in each bucket's region, narrowed by its
// conditions. Nil without verifiers. The configuration must be valid.
func (c *Config) VerifierPolicy() (*policy.Document, error) {
	v := c.Verification()
	if v == nil {
		return nil, nil
	}
	var arns map[string]string
	if c.ExistingKey() {
		arns = map[string]string{}
		for region, a := range c.ExistingKeyARNs() {
			if region == v.BucketRegion || region == v.RecoveryRegion {
				arns[region] = a
			}
		}
	}
	doc, err := policy.VerifierIdentityPolicy(policy.VerifierIdentityProps{Verification: *v, KeyAccount: c.Accounts.LogArchive.ID, KeyArns: arns})
	if err != nil {
		return nil, fmt.Errorf("verifier policy: %w", err)
	}
	return &doc, nil
}

// verifierNote is the app's note on key.verifiers: who needs the identity
// policy, and where it comes from; none without verifiers.
func (c *Config) verifierNote() []string {
	var others, own []string
	for _, v := range c.Key.Verifiers {
		if strings.Contains(v, ":iam::"+c.Accounts.LogArchive.ID+":") {
			own = append(own, v)
		} else {
			others = append(others, v)
		}
	}
	var out []string
	if len(others) > 0 {
		out = append(out, fmt.Sprintf("required: the verifiers of other accounts than the log-archive account %s (%s) need the identity policy verifier-policy.json attached in their own accounts, beside the bucket and key policies' grants; write it with: go run ./cmd/required-policy",
			c.Accounts.LogArchive.ID, strings.Join(others, ", ")))
	}
	if len(own) > 0 {
		out = append(out, fmt.Sprintf("recommended: the verifiers of the log-archive account %s (%s) are granted by the bucket and key policies alone (same account); that they can read nothing else holds only if no other policy of theirs grants more; verifier-policy.json lists what they need: go run ./cmd/required-policy",
			c.Accounts.LogArchive.ID, strings.Join(own, ", ")))
	}
	return out
}

// validateVerifierRoles refuses a verifier that is a role this
// configuration deploys with or creates (security review 10, N-2): the
// deploying roles (accounts.*.role_arn), the state role
// (backend.s3.role_arn) and the CloudWatch Logs delivery role. The bucket
// and key policies would let such a role list, read and decrypt through S3
// every log file of the trail, which none of them needs, and a verifier
// checks what those roles did. The replication and Athena query roles are
// refused by checkExistingRoles (their names, in the log-archive account).
// bucket.break_glass_principals may verify: a person's emergency role,
// used when the logs are in doubt, that the bucket policy already lets
// delete and unlock log objects, and that no pipeline assumes.
func (c *Config) validateVerifierRoles(l *rules.List) {
	type named struct{ field, arn string }
	roles := []named{
		{"accounts.management.role_arn", c.Accounts.Management.RoleARN},
		{"accounts.log_archive.role_arn", c.Accounts.LogArchive.RoleARN},
	}
	if d, ok := c.DelegatedAdmin(); ok {
		roles = append(roles, named{"accounts.delegated_administrator.role_arn", d.RoleARN})
	}
	if s := c.Backend.S3; s != nil {
		roles = append(roles, named{"backend.s3.role_arn", s.RoleARN})
	}
	for i, v := range c.Key.Verifiers {
		f := fmt.Sprintf("key.verifiers[%d]", i)
		for _, r := range roles {
			if r.arn != "" && strings.EqualFold(v, r.arn) {
				l.Addf(f, v, "must not be %s, a role this configuration deploys with: the bucket and key policies would let it list, read and decrypt every log file of the trail, which it does not need, and a verifier checks what the deploying roles did; name a role of its own for the verify command (docs/verify.md#permissions)", r.field)
				break
			}
		}
		if _, name, ok := roleOf(v); ok && strings.HasPrefix(name, DeliveryRolePrefix) {
			l.Addf(f, v, "must not be a CloudWatch Logs delivery role (%s*): CloudTrail assumes those to write to the log group; name a role of its own for the verify command (docs/verify.md#permissions)", DeliveryRolePrefix)
		}
	}
}
