package genconfig

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/config"
)

// The generated configurations must be valid, or the benchmark measures an
// error path and the Terraform checks check nothing.
func TestGeneratedConfigurationsAreValid(t *testing.T) {
	example, err := os.ReadFile("../../../examples/organization.yaml")
	require.NoError(t, err)
	for _, n := range []int{1, 4, 8, 16} {
		data, err := WithReplicas(example, n)
		require.NoError(t, err)
		c, err := config.Parse(data)
		require.NoError(t, err, "%d replicas", n)
		assert.Len(t, c.Key.ReplicaRegions, n)
		assert.Equal(t, "us-west-2", c.Key.ReplicaRegions[0], "the example replicates to us-west-2")
	}
	_, err = WithReplicas([]byte("home_region: us-east-1\n"), 1)
	assert.ErrorContains(t, err, "no 'replica_regions")
	_, err = WithReplicas(example, 17)
	assert.Error(t, err)
}
