// Package rules holds the AWS naming and range rules that both the constructs
// and the configuration loader enforce. It is plain Go (no jsii), so every
// rule is checked before the first call into the CDKTF runtime and its tests
// run in milliseconds.
//
// Each check returns nil or a *Violation that names the rule and the value it
// received; callers attach the field path with At.
package rules
