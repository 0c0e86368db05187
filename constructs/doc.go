// Package constructs holds the typed CDKTF constructs of cloudtrail-mrk: a
// multi-region KMS key with its replicas (MultiRegionKey), the trail bucket
// with its generated policy (TrailBucket), its access-log bucket
// (AccessLogBucket), the trail with its CloudWatch Logs, notification, data
// event and Insights settings (Trail), the optional second-region copy
// (RecoveryBucket, Replication) and the Athena query side (AthenaQuery).
// Other CDKTF apps import them; they know nothing of this project's
// configuration file. Import the package under a name of its own:
//
//	import ctmrk "github.com/cloudtrail-mrk/cloudtrail-mrk/constructs"
//
// # A trail in a handful of lines
//
// With an AWS provider for the home region (allowed_account_ids naming the
// account) and one aliased to each replica region:
//
//	key, err := ctmrk.NewMultiRegionKey(stack, "TrailKey", ctmrk.MultiRegionKeyProps{
//		Alias:    "alias/audit-trail",
//		Replicas: []ctmrk.ReplicaRegion{{Provider: frankfurt}},
//	})
//	bucket, err := ctmrk.NewTrailBucket(stack, "TrailBucket", ctmrk.TrailBucketProps{
//		BucketName: "audit-trail-logs-111122223333", Key: key,
//	})
//	trail, err := ctmrk.NewTrail(stack, "Trail", ctmrk.TrailProps{Name: "audit-trail", Bucket: bucket, Key: key})
//	err = bucket.GrantRead("arn:aws:iam::444455556666:role/SecurityAuditor")
//
// No policy is built by hand. The Example functions of this package and
// examples/app in the repository (whose test judges the synthesized policies
// with package policyeval) are complete apps.
//
// # The constructs wire their own policies
//
// A construct adds to the resources it is given what it needs, when they are
// this app's and were made without a hand-built policy: as the AWS CDK's
// trail adds its statements to the bucket it is given, and further, to the
// key (which the CDK's trail leaves to the caller).
// A MultiRegionKey made without Policy starts from policy.KeyBasePolicy (the
// account root's administration, Administrators, and the destruction deny of
// Protection); NewTrail adds policy.TrailKeyStatements to every copy, a
// TrailBucket's Readers and TrailBucket.GrantRead add the readers' decrypt
// grants, NewReplication adds the replication role's grants to the source
// and destination copies. A TrailBucket made without Trail grants nothing
// and denies every write until NewTrail names its trail; a RecoveryBucket
// made without ReplicationRoleARN denies replication in until NewReplication
// names its role. A custom key policy is accepted, checked and never changed
// by a constructor; only GrantDecrypt, GrantRead and AddToResourcePolicy,
// when called, add to it. Every addition is rendered and checked before
// anything changes: a constructor that fails leaves the key and the buckets
// as they were.
//
// # Regions and accounts come from the providers
//
// A construct's resources are created by the provider in its props, or by
// the stack's default AWS provider (the one without an alias), in that
// provider's region. Region props may be left empty; one that contradicts
// the provider's region is refused with its field path, since a bucket and
// the key copy that encrypts it must share a region and a mismatch fails
// only at apply. The key's account and the trail's owner default to the
// provider's allowed account when it names exactly one. A provider whose
// region is a Terraform expression cannot be read at synthesis: the region
// prop is then required, and a postcondition on each resource checks it at
// plan or apply.
//
// # Errors, not panics
//
// Every constructor checks its scope (not nil, inside a TerraformStack, a
// free non-empty id) and its props in plain Go, and returns an error before
// it adds its first construct. Props are never written to: defaults are
// resolved on a copy, from the Default* constants (shared with the
// configuration file through package rules). Errors keep their structure:
// errors.As(err, &errs) with errs of type rules.Errors gives each
// violation's field path, rule and value.
//
// The trail's key is the bucket's key (CloudTrail encrypts the log files
// with the trail's key; the readers are granted the bucket's), and the
// replication's key is both buckets'. A TrailBucket still without its trail,
// or a RecoveryBucket still without its replication role, fails synthesis
// (a construct validation) rather than being deployed refusing every
// delivery or copy: when the trail is another app's, name it in
// TrailBucketProps.Trail.
//
// # Grants
//
// MultiRegionKey.GrantDecrypt, TrailBucket.GrantRead (the bucket and its
// key, as the AWS CDK's bucket.grantRead) and the AddToResourcePolicy of
// both add readers and statements after construction; they are rendered at
// synthesis, and refused when they would pass KMS's or S3's policy size.
//
// # Existing resources
//
// Trail takes an ITrailBucket and every Key prop an IKey, so a bucket and a
// key made elsewhere (TrailBucketFromName, KeyFromArns) work too; nothing is
// created or changed for them: ExistingTrailBucket.RequiredPolicy,
// Trail.RequiredKeyStatements and Replication.RequiredKeyStatements are what
// their owners must add.
//
// # The AWS provider version
//
// Every constructor declares on its stack the AWS provider range of
// ProviderConstraint (the same as this project's stacks), not cdktf's exact
// pin of the bindings' version.
//
// # Naming
//
// The library names no app: policy Ids such as "key-policy", descriptions
// without a label, the alarms' metrics in DefaultAlarmNamespacePrefix. Pass
// one Naming to every construct to label what they create.
//
// # Constructs and outputs
//
// Each type is a construct: it embeds constructs.Construct, so it is a scope
// of its own, FindChild returns it, and its resources are its children.
// Every construct names what it creates (ARNs as Terraform references, names
// as strings) through its methods. Construct ids are fixed: renaming one
// changes Terraform addresses.
package constructs
