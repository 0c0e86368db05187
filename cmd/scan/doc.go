// Command scan judges Trivy reports of the synthesized stacks against
// cmd/scan/ignore.yaml: it prints every finding and fails on any that no entry
// accepts. scripts/scan synthesizes the stacks, runs Trivy and calls it.
//
//	go run ./cmd/scan -ignore cmd/scan/ignore.yaml <config>/<stack>=<report.json> ...
//	go run ./cmd/scan -repair-hcl <dir>   (before Trivy: see repairHCL)
package main
