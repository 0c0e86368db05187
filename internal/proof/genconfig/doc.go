// Package genconfig generates configurations from the organization example
// for the benchmark and the Terraform checks: the same architecture with more
// or fewer replica regions. It is plain Go.
package genconfig
