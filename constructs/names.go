package constructs

import (
	"errors"
	"fmt"
	"strings"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
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

// renamed rewrites the props type named in an error from a helper (for
// example "BucketPolicyProps.") to the caller's ("TrailBucketProps."), so
// messages name the prop the user actually set.
func renamed(err error, from, to string) error {
	if err == nil {
		return nil
	}
	return errors.New(strings.ReplaceAll(err.Error(), from, to))
}

// checkScope refuses, as an error, what jsii would otherwise turn into a
// panic: no scope, an empty id, or an id already taken in the scope.
func checkScope(scope constructs.Construct, id, constructor string) error {
	switch {
	case scope == nil:
		return fmt.Errorf("%s: scope is required (got nil)", constructor)
	case id == "":
		return fmt.Errorf("%s: id is required (got \"\")", constructor)
	case scope.Node().TryFindChild(jsii.String(id)) != nil:
		return fmt.Errorf("%s: id must be unique in its scope: %q already holds a construct named %q", constructor, *scope.Node().Path(), id)
	}
	return nil
}
