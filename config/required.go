package config

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/policy"
)

// RequiredPolicies are the statements the owners of a bucket and a key made
// elsewhere (bucket.existing, key.existing_arns) must add before the trail
// is created: CloudTrail refuses CreateTrail when the bucket or key policy
// does not let it (docs/aws-rules.md#compose-the-trail-arn).
type RequiredPolicies struct {
	// Bucket is the trail bucket's policy, as
	// constructs.ExistingTrailBucket.RequiredPolicy writes it: the trail's
	// ACL check and writes (its account's and the organization's paths),
	// the readers and the verifiers, the TLS and Requester Pays denies, the
	// deny of writes from any other trail and the additional delivering
	// trails. Nil unless bucket.existing.
	Bucket *policy.Document
	// Keys are, by region, the statements for that copy of the key:
	// constructs.Trail.RequiredKeyStatements, the readers' decrypt grants
	// (policy.ReaderGrant.KeyStatements) and the verifiers'
	// (policy.Verification.KeyStatements). Empty unless key.existing_arns.
	Keys map[string]policy.Document
	// KeyTags are the tags every copy needs for the guardrails to protect
	// it (policy.GuardTagKey). Nil unless guardrails.enabled and
	// key.existing_arns.
	KeyTags map[string]string
	// BucketProtection is recommended, not required: a deny of deleting
	// this trail's log files (its tree only), exempting
	// bucket.break_glass_principals. Nothing the stacks create or require
	// prevents their deletion in a bucket made elsewhere. Nil unless
	// bucket.existing.
	BucketProtection *policy.Document
}

// ReaderGrantSid prefixes the readers' key statements, as the trail bucket
// names them on a key of its own (constructs, TrailBucketProps.Readers).
const ReaderGrantSid = "TrailBucketReaders"

// RequiredPolicies returns what the owners of an existing bucket and key
// must add. The configuration must be valid.
func (c *Config) RequiredPolicies() (RequiredPolicies, error) {
	out, err := c.requiredPolicies()
	if err != nil {
		return out, err
	}
	// docs/aws-rules.md#statement-ids-in-a-shared-policy: the owner merges
	// these statements into a policy of its own, whose statement ids must
	// stay unique; a landing zone's bucket policy has its own
	// AWSCloudTrailWrite and the like.
	prefix := c.RequiredSidPrefix()
	if out.Bucket != nil {
		out.Bucket.Statement = prefixSids(prefix, out.Bucket.Statement)
		out.BucketProtection.Statement = prefixSids(prefix, out.BucketProtection.Statement)
	}
	for region, d := range out.Keys {
		d.Statement = prefixSids(prefix, d.Statement)
		out.Keys[region] = d
	}
	return out, nil
}

// RequiredSidPrefix prefixes every statement id of the required and
// recommended statements: the trail name's letters and digits, each part
// capitalized ("cloudtrail-mrk" gives "CloudtrailMrk"; IAM statement ids
// are letters and digits). Two trails delivering to one bucket have
// different names, so their statements do not collide either.
func (c *Config) RequiredSidPrefix() string {
	var b strings.Builder
	upper := true
	for _, r := range c.Trail.Name {
		switch {
		case r >= 'a' && r <= 'z':
			if upper {
				r -= 'a' - 'A'
			}
			b.WriteRune(r)
			upper = false
		case r >= 'A' && r <= 'Z' || r >= '0' && r <= '9':
			b.WriteRune(r)
			upper = false
		default:
			upper = true
		}
	}
	return b.String()
}

func prefixSids(prefix string, in []policy.Statement) []policy.Statement {
	out := append([]policy.Statement(nil), in...)
	for i := range out {
		out[i].Sid = prefix + out[i].Sid
	}
	return out
}

func (c *Config) requiredPolicies() (RequiredPolicies, error) {
	var out RequiredPolicies
	trail := c.TrailIdentity()
	if c.Bucket.Existing {
		doc, err := policy.TrailBucketPolicy(c.existingBucketPolicyProps())
		if err != nil {
			return out, fmt.Errorf("bucket policy: %w", err)
		}
		out.Bucket = &doc
		out.BucketProtection = &policy.Document{Version: policy.Version, Statement: []policy.Statement{
			policy.RecommendedLogDeletionDeny(c.Partition(), c.Bucket.Name, c.Trail.S3KeyPrefix, c.Bucket.BreakGlassPrincipals),
		}}
	}
	if !c.ExistingKey() {
		return out, nil
	}
	out.Keys = map[string]policy.Document{}
	for _, region := range c.KeyRegions() {
		st, err := policy.TrailKeyStatements(trail)
		if err != nil {
			return out, fmt.Errorf("key policy in %s: %w", region, err)
		}
		if len(c.Key.Readers) > 0 {
			// docs/adopting.md#what-the-readers-get: a key made elsewhere
			// may encrypt others' data; the readers decrypt only this
			// trail's files.
			g := policy.ReaderGrant{Sid: ReaderGrantSid, Trail: trail, Bucket: c.Bucket.Name, BucketRegion: c.HomeRegion,
				KeyPrefix: c.Trail.S3KeyPrefix, Readers: c.Key.Readers, SharedKey: true, OrganizationID: c.OrganizationID}
			rs, err := g.KeyStatements(region)
			if err != nil {
				return out, fmt.Errorf("key policy in %s: %w", region, err)
			}
			st = append(st, rs...)
		}
		if v := c.Verification(); v != nil {
			// docs/verify.md#permissions: on a shared key, this trail's
			// ARN and object ARNs under its paths only.
			vs, err := v.KeyStatements(region)
			if err != nil {
				return out, fmt.Errorf("key policy in %s: %w", region, err)
			}
			st = append(st, vs...)
		}
		out.Keys[region] = policy.Document{Version: "2012-10-17", Statement: st}
	}
	if c.Guardrails.Enabled {
		out.KeyTags = map[string]string{policy.GuardTagKey: c.Trail.Name}
	}
	return out, nil
}

// existingBucketPolicyProps are the bucket policy's props of bucket.existing:
// the same as stacks.ExistingTrailBucketProps gives TrailBucketFromName.
func (c *Config) existingBucketPolicyProps() policy.BucketPolicyProps {
	return policy.BucketPolicyProps{
		BucketName: c.Bucket.Name, KeyPrefix: c.Trail.S3KeyPrefix, Trail: c.TrailIdentity(),
		OrganizationID: c.OrganizationID, Readers: c.Key.Readers, AdditionalTrails: c.AdditionalTrails(),
		SharedBucket: true, Verifiers: c.Key.Verifiers,
	}
}

// RequiredNotes are the lines the app prints on its notes stream for an
// existing bucket or key: what each owner must add, and where; and, with
// key.verifiers, who needs their identity policy. The statements and the
// policy themselves are written by cmd/required-policy.
func (c *Config) RequiredNotes() ([]string, error) {
	req, err := c.RequiredPolicies()
	if err != nil {
		return nil, err
	}
	var out []string
	const cmd = "write them with: go run ./cmd/required-policy"
	if req.Bucket != nil {
		out = append(out, fmt.Sprintf("required: the owner of bucket %s (account %s) must add %d statements to its bucket policy (%s); %s",
			c.Bucket.Name, c.Accounts.LogArchive.ID, len(req.Bucket.Statement), strings.Join(req.Bucket.Sids(), ", "), cmd))
	}
	arns := c.ExistingKeyARNs()
	for _, region := range slices.Sorted(maps.Keys(req.Keys)) {
		doc := req.Keys[region]
		out = append(out, fmt.Sprintf("required: the owner of key %s must add %d statements to its key policy (%s); %s",
			arns[region], len(doc.Statement), strings.Join(doc.Sids(), ", "), cmd))
	}
	if len(req.KeyTags) > 0 {
		out = append(out, fmt.Sprintf("required: every copy of the key must carry the tag %s=%s for the guardrails to protect it", policy.GuardTagKey, req.KeyTags[policy.GuardTagKey]))
	}
	out = append(out, c.verifierNote()...)
	if req.BucketProtection != nil {
		out = append(out, fmt.Sprintf("recommended: nothing generated prevents the deletion of this trail's log files in bucket %s; its owner may add the deletion deny of bucket-protection.recommended.json (%s; optional, not needed for delivery); %s",
			c.Bucket.Name, strings.Join(req.BucketProtection.Sids(), ", "), cmd))
	}
	return out, nil
}
