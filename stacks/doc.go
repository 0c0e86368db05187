// Package stacks composes the constructs into one Terraform stack per AWS
// account: the log-archive stack owns the key, its replicas and the bucket;
// the stack of the account that creates the trail (the management account,
// or a delegated administrator) owns the trail. When one account plays both
// roles a single stack holds everything; with a delegated administrator the
// management stack holds its registration and, when asked for, the
// guardrail service control policies.
package stacks
