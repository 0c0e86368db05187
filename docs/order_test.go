package docs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// bootstrapOrder is the order of the first deployment's bootstraps
// (bootstrap.md#order-of-the-first-deployment): bootstrap-management last,
// since with guardrails.enabled it attaches the guardrail policies, which
// then deny a governed account's administrator the creation of the roles
// the other bootstraps make (security review 7, S2;
// access/review7_test.go TestReview7BootstrapOrderMatters).
var bootstrapOrder = []string{"bootstrap-log-archive", "bootstrap-delegated-admin", "bootstrap-management"}

// Every paragraph (or list item, or comment block) of the deployment
// instructions that names two bootstraps names them in that order.
func TestBootstrapOrderInTheInstructions(t *testing.T) {
	files := []string{"../README.md", "deploying.md", "bootstrap.md", "../examples/organization.yaml", "../examples/delegated-admin.yaml"}
	checked := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		text := string(data)
		if f == "bootstrap.md" {
			// Its order section; elsewhere it names bootstrap-management in
			// prose ("the SCPs are in bootstrap-management").
			start := strings.Index(text, "## Order of the first deployment")
			require.GreaterOrEqual(t, start, 0)
			end := strings.Index(text[start+3:], "\n## ")
			require.GreaterOrEqual(t, end, 0)
			text = text[start : start+3+end]
		}
		for i, block := range strings.Split(text, "\n\n") {
			last := -1
			var seen []string
			for _, name := range bootstrapOrder {
				// bootstrap-management also names the stack in prose such as
				// "re-apply bootstrap-management": only its position matters.
				at := strings.Index(block, name)
				if at < 0 {
					continue
				}
				seen = append(seen, name)
				assert.Greater(t, at, last, "%s, block %d: %s must come after %v in:\n%s", filepath.Base(f), i, name, seen[:len(seen)-1], block)
				last = at
			}
			if len(seen) > 1 {
				checked++
			}
		}
	}
	// README step 0 and its diagram, deploying.md step 1, bootstrap.md's
	// order, both example headers.
	assert.GreaterOrEqual(t, checked, 6, "blocks naming two bootstraps")
}
