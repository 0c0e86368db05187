package constructs

import (
	"fmt"
	"strings"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

// goName turns a rules field name such as "transition_days" into the Go
// prop name "TransitionDays".
func goName(snake string) string {
	var b strings.Builder
	for _, part := range strings.Split(snake, "_") {
		if part != "" {
			b.WriteString(strings.ToUpper(part[:1]) + part[1:])
		}
	}
	return b.String()
}

// RegionID turns a region such as "us-west-2" into "UsWest2", the suffix of
// the construct ids of everything created per region.
func RegionID(region string) string {
	return goName(strings.ReplaceAll(region, "-", "_"))
}

// checkScope refuses, as an error, what jsii would otherwise turn into a
// panic: no scope, a scope in no TerraformStack (an App, or a construct
// directly under one: every resource needs a stack), an empty id, or an id
// already taken in the scope.
func checkScope(scope constructs.Construct, id, constructor string) error {
	// A nil *TrailBucket (or any construct of this package) is a scope too,
	// and its Node would dereference nil.
	if isNil(scope) {
		return fmt.Errorf("%s: scope is required (got nil)", constructor)
	}
	// Every jsii call is a round trip to Node.js: the node is read once.
	node := scope.Node()
	switch {
	case !inStack(scope, node):
		return fmt.Errorf("%s: scope must be a TerraformStack or a construct inside one (got %q)", constructor, *node.Path())
	case id == "":
		return fmt.Errorf("%s: id is required (got \"\")", constructor)
	case node.TryFindChild(jsii.String(id)) != nil:
		return fmt.Errorf("%s: id must be unique in its scope: %q already holds a construct named %q", constructor, *node.Path(), id)
	}
	return nil
}

// inStack reports whether scope, whose node is node, is a TerraformStack or
// has one among its ancestors (Node().Scopes() lists the root first and
// scope itself last). The usual scope, a stack, takes one call.
func inStack(scope constructs.Construct, node constructs.Node) bool {
	if *cdktf.TerraformStack_IsStack(scope) {
		return true
	}
	for _, s := range *node.Scopes() {
		if *cdktf.TerraformStack_IsStack(s) {
			return true
		}
	}
	return false
}
