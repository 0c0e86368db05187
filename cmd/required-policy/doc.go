// Command required-policy writes, for a configuration that delivers to a
// bucket or key made elsewhere (bucket.existing, key.existing_arns), the
// statements their owners must add, as JSON files a review can diff:
// bucket-policy.json (the trail bucket's policy statements), one
// key-policy.<region>.json per copy of the key (the trail's and the
// readers' statements) and, with the guardrails on, key-tags.json. The
// output is deterministic: fixed statement order, sorted keys, no dates.
//
//	CLOUDTRAIL_MRK_CONFIG=my.yaml go run ./cmd/required-policy -out required-policy
package main
