package jsiicache

import (
	"io"
	"os"
	"testing"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Close must leave no goroutine of the runtime behind (the one that may
// print the false alarm ends before Close returns) and must not let the
// false alarm through. The race that prints it is lost in about one run in
// five, so the runtime is started and closed several times: that makes it
// likely, not certain, that a run takes the path where the alarm is printed.
func TestCloseWaitsForTheRuntimeAndDropsTheFalseAlarm(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Node.js")
	}
	require.False(t, runtimeGoroutines(), "no runtime running before the test")
	for i := 0; i < 5; i++ {
		// The cheapest call that starts the node process: it loads only
		// the constructs library.
		constructs.NewRootConstruct(jsii.String("root"))
		require.True(t, runtimeGoroutines(), "the runtime's goroutines are found while it runs")

		real := os.Stderr
		r, w, err := os.Pipe()
		require.NoError(t, err)
		os.Stderr = w
		Close()
		os.Stderr = real
		require.NoError(t, w.Close())
		written, err := io.ReadAll(r)
		require.NoError(t, err)

		assert.False(t, runtimeGoroutines(), "run %d: a runtime goroutine outlived Close", i)
		assert.NotContains(t, string(written), spuriousExit, "run %d", i)
	}
}

func TestCloseWithoutRuntime(t *testing.T) {
	require.False(t, runtimeGoroutines())
	Close() // returns at once: nothing was started
	assert.False(t, runtimeGoroutines())
}
