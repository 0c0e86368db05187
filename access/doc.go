// Package access checks the synthesized stacks of a configuration against
// what that configuration promises: who can and cannot deliver, read,
// decrypt, publish, replicate and assume roles; what the log buckets' and
// key's policies deny; which events the trail logs; which alarms fire on
// which records; what the organization's guardrails deny. It reads the
// stacks (cdktf.out/stacks/*/cdk.tf.json), gives Terraform references
// stand-in ARNs, derives every expectation from the configuration, and asks
// policyeval, the generic evaluator, for each decision. cmd/check-access
// runs it.
package access
