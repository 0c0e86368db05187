// Command audit-app is a small CDKTF app of its own built from the
// cloudtrail-mrk constructs, as a platform team would write it: the
// log-archive bucket already exists (a landing zone made it years ago), so
// the app makes a multi-region key and the trail, grants an auditor role
// read access to the logs after the key was made, and prints the bucket
// policy statements the bucket's owner must add.
//
// Run it with `npx cdktn synth` in this directory (app: "go run .") or `go run .`; its test
// synthesizes it.
package main
