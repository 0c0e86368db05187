// Package config loads, defaults and validates the cloudtrail-mrk
// configuration file. It is plain Go (no jsii): a bad file is rejected, with
// every problem listed at once, before anything is synthesized.
package config
