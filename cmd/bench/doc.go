// Command bench measures what synthesis costs: wall time (median, min and max
// of several runs) and peak memory of the Go and Node.js processes together,
// for the floor (cmd/bench/floor: one resource from the AWS provider bindings),
// the default configuration, the organization example, and organization
// configurations generated with 1, 4, 8 and 16 replica regions. Beside the
// organization example, in the same rounds, it runs the same example with
// the fast path off (CLOUDTRAIL_MRK_FAST_SYNTH=0) and its peer written with
// the AWS CDK (cmd/bench/awscdk, whose npm dependencies it installs with npm ci).
// It prints each figure with its ratio to the floor, checks the targets, and
// writes the table as Markdown. Run it with `make bench`; it is not part of
// the tests.
package main
