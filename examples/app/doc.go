// Command audit-app is a small CDKTF app of its own built from the
// cloudtrail-mrk constructs, as a platform team would write it: a
// multi-region key with a replica, the log bucket and the trail, in a
// handful of lines and without building a policy. The regions and the
// account come from the providers; the trail names itself once and adds its
// statements to the bucket and the key; an auditor is granted read access
// to the logs afterwards (the bucket and the key at once, as the AWS CDK's
// grantRead does).
//
// Run it with `npx cdktn synth` in this directory (app: "go run .") or `go run .`; its test
// synthesizes it and judges the policies with the evaluator (package
// policyeval).
package main
