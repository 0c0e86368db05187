// Package constructs holds the typed CDKTF constructs of cloudtrail-mrk: a
// multi-region KMS key with its replicas (MultiRegionKey), the trail bucket
// with its generated policy (TrailBucket), its access-log bucket
// (AccessLogBucket), the trail with its CloudWatch Logs, notification, data
// event and Insights settings (Trail), the optional second-region copy
// (RecoveryBucket, Replication) and the Athena query side (AthenaQuery).
// Other CDKTF apps can import them; they know nothing of this project's
// configuration file.
//
// Errors, not panics: every constructor checks its scope (not nil, inside a
// TerraformStack, a free non-empty id) and its props in plain Go, and
// returns an error before it adds its first construct. Props are never
// written to: defaults are resolved on a copy, from the Default* constants
// (shared with the configuration file through package rules). Errors keep
// their structure: errors.As(err, &errs) with errs of type rules.Errors gives
// each violation's field path, rule and value.
//
// Existing resources: Trail takes an ITrailBucket and an IKey, so a bucket
// and a key made elsewhere (TrailBucketFromName, KeyFromArns) work too;
// nothing is created for them, and ExistingTrailBucket.RequiredPolicy and
// Trail.RequiredKeyStatements are what their owners must add.
//
// Grants: MultiRegionKey.GrantDecrypt, TrailBucket.GrantRead and the
// AddToResourcePolicy of both add readers and statements after construction;
// they are rendered at synthesis.
//
// Outputs: every construct names what it creates (ARNs as Terraform
// references, names as strings) through its methods. Each construct type
// embeds constructs.Construct: the value is itself the construct that holds
// its resources (they are its children; Node() is its constructs.Node), so
// it can be a scope, and stack.Node().FindChild returns it. Construct ids
// are fixed: renaming one changes Terraform addresses.
//
// Import it under a name of its own, for example
//
//	import ctmrk "github.com/cloudtrail-mrk/cloudtrail-mrk/constructs"
//
// examples/app in the repository is a complete app built this way.
package constructs
