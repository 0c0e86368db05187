package main

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestStatistics(t *testing.T) {
	assert.Equal(t, 2.0, median([]float64{3, 1, 2}))
	assert.Equal(t, 2.5, median([]float64{4, 1, 2, 3}))
	assert.Equal(t, 1.0, minOf([]float64{3, 1, 2}))
	assert.Equal(t, 3.0, maxOf([]float64{3, 1, 2}))
	assert.True(t, strings.Contains(yesNo(false), "no"))
	assert.Positive(t, treeRSS(os.Getpid()), "reads this process's memory from /proc")
}
