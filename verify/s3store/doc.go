// Package s3store reads a trail bucket through the AWS SDK for Go v2 for the
// verifier (package verify): objects with ListObjectsV2, GetObject and
// ListObjectVersions, with the SDK's standard retries and paginators, and
// CloudTrail's public keys with ListPublicKeys in each digest's region. The
// calls it makes are listed in docs/verify.md#what-it-calls.
package s3store
