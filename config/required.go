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
	// the readers, the TLS and Requester Pays denies, the deny of writes
	// from any other trail and the additional delivering trails. Nil
	// unless bucket.existing.
	Bucket *policy.Document
	// Keys are, by region, the statements for that copy of the key:
	// constructs.Trail.RequiredKeyStatements and the readers' decrypt
	// grants (policy.ReaderGrant.KeyStatements). Empty unless
	// key.existing_arns.
	Keys map[string]policy.Document
	// KeyTags are the tags every copy needs for the guardrails to protect
	// it (policy.GuardTagKey). Nil unless guardrails.enabled and
	// key.existing_arns.
	KeyTags map[string]string
}

// ReaderGrantSid prefixes the readers' key statements, as the trail bucket
// names them on a key of its own (constructs, TrailBucketProps.Readers).
const ReaderGrantSid = "TrailBucketReaders"

// RequiredPolicies returns what the owners of an existing bucket and key
// must add. The configuration must be valid.
func (c *Config) RequiredPolicies() (RequiredPolicies, error) {
	var out RequiredPolicies
	trail := c.TrailIdentity()
	if c.Bucket.Existing {
		doc, err := policy.TrailBucketPolicy(c.existingBucketPolicyProps())
		if err != nil {
			return out, fmt.Errorf("bucket policy: %w", err)
		}
		out.Bucket = &doc
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
			g := policy.ReaderGrant{Sid: ReaderGrantSid, Trail: trail, Bucket: c.Bucket.Name, BucketRegion: c.HomeRegion,
				KeyPrefix: c.Trail.S3KeyPrefix, Readers: c.Key.Readers}
			rs, err := g.KeyStatements(region)
			if err != nil {
				return out, fmt.Errorf("key policy in %s: %w", region, err)
			}
			st = append(st, rs...)
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
	}
}

// RequiredNotes are the lines the app prints on its notes stream for an
// existing bucket or key: what each owner must add, and where; the
// statements themselves are written by cmd/required-policy.
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
	return out, nil
}
