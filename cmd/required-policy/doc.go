// Command required-policy writes, for a configuration that delivers to a
// bucket or key made elsewhere (bucket.existing, key.existing_arns), the
// statements their owners must add, as JSON files a review can diff:
// bucket-policy.json (the trail bucket's policy statements), one
// key-policy.<region>.json per copy of the key (the trail's, the readers'
// and the verifiers' statements) and, with the guardrails on,
// key-tags.json. Every statement id starts with a prefix of the trail's
// (config.RequiredSidPrefix), so that none collides with the owner's own.
// With an existing bucket it also writes bucket-protection.recommended.json:
// a deny of deleting this trail's log files (its tree only), exempting
// bucket.break_glass_principals; it is recommended, not required, and the
// trail delivers without it. With key.verifiers, whatever made the bucket
// and key, it writes verifier-policy.json: the identity policy each
// verifier needs in its own account (config.Config.VerifierPolicy), a whole
// policy document to attach as written (docs/verify.md#permissions). The
// output is deterministic: fixed statement order, sorted keys, no dates.
//
//	CLOUDTRAIL_MRK_CONFIG=my.yaml go run ./cmd/required-policy -out required-policy
package main
