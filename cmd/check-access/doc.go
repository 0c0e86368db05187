// Command check-access proves, offline and before deploy, who can and cannot
// use the logs: it evaluates every policy of the synthesized stacks of the
// configuration (CLOUDTRAIL_MRK_CONFIG, or the built-in default) against
// requests derived from that configuration, and fails on any unexpected
// decision.
//
//	npx cdktn synth && go run ./cmd/check-access            # reads cdktf.out
//	go run ./cmd/check-access -out path/to/cdktf.out -v     # every result
package main
