package stacks

import (
	"github.com/cloudtrail-mrk/cloudtrail-mrk/config"
	ctmrk "github.com/cloudtrail-mrk/cloudtrail-mrk/constructs"
)

// TrailKey is the trail's key: the multi-region key of the stack, or the
// key made elsewhere that key.existing_arns names.
func (a *LogArchive) TrailKey() ctmrk.IKey {
	if a.ExistingKey != nil {
		return a.ExistingKey
	}
	return a.Key
}

// TrailBucket is the trail's bucket: the stack's, or the bucket made
// elsewhere that bucket.existing names.
func (a *LogArchive) TrailBucket() ctmrk.ITrailBucket {
	if a.ExistingBucket != nil {
		return a.ExistingBucket
	}
	return a.Bucket
}

// existingKey names the key of key.existing_arns (plain Go: no resource).
func existingKey(cfg *config.Config) (*ctmrk.ExistingKey, error) {
	return ctmrk.KeyFromArns(cfg.Key.ExistingARNs...)
}

// existingBucket names the bucket of bucket.existing (plain Go: no
// resource), with everything its required policy lets: the trail, its
// organization and key prefix, the readers, the verifiers and the
// additional delivering trails. Access logging is refused with an existing bucket
// (config.validateExisting), so it names no access-log bucket.
func existingBucket(cfg *config.Config) (*ctmrk.ExistingTrailBucket, error) {
	return ctmrk.TrailBucketFromName(ExistingTrailBucketProps(cfg))
}

// ExistingTrailBucketProps are the props of the bucket of bucket.existing,
// shared with the required-policy command.
func ExistingTrailBucketProps(cfg *config.Config) ctmrk.ExistingTrailBucketProps {
	return ctmrk.ExistingTrailBucketProps{
		BucketName:       cfg.Bucket.Name,
		Region:           cfg.HomeRegion,
		Trail:            cfg.TrailIdentity(),
		OrganizationID:   cfg.OrganizationID,
		KeyPrefix:        cfg.Trail.S3KeyPrefix,
		Readers:          cfg.Key.Readers,
		Verifiers:        cfg.Key.Verifiers,
		AdditionalTrails: cfg.AdditionalTrails(),
	}
}
