// Package synthtest reads synthesized Terraform JSON (cdk.tf.json) in tests,
// and starts the tests of jsii packages on the fast path (Main). It parses
// strings and never starts the jsii runtime.
package synthtest
