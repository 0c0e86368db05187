package main

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/config"
)

// The generated configurations must be valid, or the benchmark measures an
// error path. (No timing is asserted in tests.)
func TestGeneratedConfigurationsAreValid(t *testing.T) {
	example, err := os.ReadFile("../examples/organization.yaml")
	require.NoError(t, err)
	for _, n := range []int{1, 4, 8, 16} {
		data, err := withReplicas(example, n)
		require.NoError(t, err)
		c, err := config.Parse(data)
		require.NoError(t, err, "%d replicas", n)
		assert.Len(t, c.Key.ReplicaRegions, n)
		assert.Equal(t, "us-west-2", c.Key.ReplicaRegions[0], "the example replicates to us-west-2")
	}
	_, err = withReplicas([]byte("home_region: us-east-1\n"), 1)
	assert.ErrorContains(t, err, "no 'replica_regions")
	_, err = withReplicas(example, 17)
	assert.Error(t, err)
}

func TestStatistics(t *testing.T) {
	assert.Equal(t, 2.0, median([]float64{3, 1, 2}))
	assert.Equal(t, 2.5, median([]float64{4, 1, 2, 3}))
	assert.Equal(t, 1.0, minOf([]float64{3, 1, 2}))
	assert.Equal(t, 3.0, maxOf([]float64{3, 1, 2}))
	assert.True(t, strings.Contains(yesNo(false), "no"))
	assert.Positive(t, treeRSS(os.Getpid()), "reads this process's memory from /proc")
}
