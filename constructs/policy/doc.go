// Package policy builds the IAM and KMS policy documents that the constructs
// attach to the trail's key and bucket. It is plain Go: typed statements,
// deterministic JSON (fixed field order, sorted condition keys), no jsii.
package policy
