package genconfig

import (
	"fmt"
	"regexp"
	"strings"
)

// ReplicaPool lists replica regions for the generated configurations; the
// organization example replicates to us-west-2, so it comes first.
var ReplicaPool = []string{
	"us-west-2", "eu-west-1", "us-east-2", "us-west-1", "eu-central-1", "eu-west-2", "eu-west-3", "eu-north-1",
	"ap-southeast-1", "ap-southeast-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1",
	"ca-central-1", "sa-east-1",
}

var replicaLine = regexp.MustCompile(`(?m)^  replica_regions: \[.*\]$`)

// WithReplicas rewrites the organization example (examples/organization.yaml)
// to use the first n regions of ReplicaPool as replica regions.
func WithReplicas(example []byte, n int) ([]byte, error) {
	if n < 1 || n > len(ReplicaPool) {
		return nil, fmt.Errorf("replica count %d outside 1..%d", n, len(ReplicaPool))
	}
	if !replicaLine.Match(example) {
		return nil, fmt.Errorf("examples/organization.yaml has no 'replica_regions: [...]' line to rewrite")
	}
	return replicaLine.ReplaceAll(example, []byte("  replica_regions: ["+strings.Join(ReplicaPool[:n], ", ")+"]")), nil
}
