package constructs

import (
	"errors"
	"strings"
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
