package constructs_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/provider"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	ctmrk "github.com/cloudtrail-mrk/cloudtrail-mrk/constructs"
)

// newExampleApp is an app that synthesizes into a temporary directory, not
// into the package folder; done removes it.
func newExampleApp() (app cdktf.App, outdir string, done func()) {
	dir, err := os.MkdirTemp("", "ctmrk-example-")
	if err != nil {
		panic(err)
	}
	return cdktf.NewApp(&cdktf.AppConfig{Outdir: jsii.String(dir)}), dir, func() { os.RemoveAll(dir) }
}

// Example composes a key, a bucket and a trail in a stack of your own CDKTF
// app, without building a policy: the regions and the account come from the
// providers, the bucket gets its trail from NewTrail, and each construct adds
// to the key and the bucket what it needs (as examples/app does).
func Example() {
	app, outdir, done := newExampleApp()
	defer done()
	stack := cdktf.NewTerraformStack(app, jsii.String("audit"))
	provider.NewAwsProvider(stack, jsii.String("Aws"), &provider.AwsProviderConfig{
		Region:            jsii.String("eu-west-1"),
		AllowedAccountIds: jsii.Strings("111122223333"),
	})
	frankfurt := provider.NewAwsProvider(stack, jsii.String("AwsEuCentral1"), &provider.AwsProviderConfig{
		Region:            jsii.String("eu-central-1"),
		Alias:             jsii.String("eu-central-1"),
		AllowedAccountIds: jsii.Strings("111122223333"),
	})

	key, err := ctmrk.NewMultiRegionKey(stack, "TrailKey", ctmrk.MultiRegionKeyProps{
		Alias:    "alias/audit-trail",
		Replicas: []ctmrk.ReplicaRegion{{Provider: frankfurt}},
	})
	if err != nil {
		panic(err)
	}
	bucket, err := ctmrk.NewTrailBucket(stack, "TrailBucket", ctmrk.TrailBucketProps{
		BucketName: "audit-trail-logs-111122223333",
		Key:        key,
		Readers:    []string{"arn:aws:iam::111122223333:role/SecurityAuditor"},
	})
	if err != nil {
		panic(err)
	}
	trail, err := ctmrk.NewTrail(stack, "Trail", ctmrk.TrailProps{Name: "audit-trail", Bucket: bucket, Key: key})
	if err != nil {
		panic(err)
	}
	fmt.Println(trail.TrailArn())
	fmt.Println(key.Regions())
	fmt.Println(bucket.Policy().Sids())
	replicaPolicy, _ := key.PolicyIn("eu-central-1")
	fmt.Println(replicaPolicy.Sids())

	// A mistake is an error, before anything reaches Terraform: here a
	// region the provider contradicts.
	_, err = ctmrk.NewTrailBucket(stack, "Elsewhere", ctmrk.TrailBucketProps{
		BucketName: "audit-trail-logs-elsewhere", Region: "eu-west-2", Key: key,
	})
	fmt.Println(err)

	app.Synth()
	_, err = os.Stat(filepath.Join(outdir, "stacks", "audit", "cdk.tf.json"))
	fmt.Println("synthesized:", err == nil)
	// Output:
	// arn:aws:cloudtrail:eu-west-1:111122223333:trail/audit-trail
	// [eu-west-1 eu-central-1]
	// [AWSCloudTrailAclCheck AWSCloudTrailWrite AllowLogReadersListBucket AllowLogReadersGetObject DenyInsecureTransport DenyRequesterPays DenyWritesNotFromTheTrail DenyLogObjectDeletion]
	// [EnableAccountRootAdministration AllowCloudTrailEncryptLogs AllowCloudTrailDescribeKey AllowCloudTrailDecryptWithBucketKey TrailBucketReadersDecrypt]
	// TrailBucketProps.Region: contradicts the region "eu-west-1" of the AWS provider that creates the resources: leave it empty, or use a provider configured for eu-west-2 (got "eu-west-2")
	// synthesized: true
}

// ExampleTrailBucketFromName delivers to a bucket made elsewhere (a landing
// zone's log-archive bucket): nothing is created for it, and its owner adds
// the statements RequiredPolicy lists.
func ExampleTrailBucketFromName() {
	app, _, done := newExampleApp()
	defer done()
	stack := cdktf.NewTerraformStack(app, jsii.String("audit"))
	provider.NewAwsProvider(stack, jsii.String("Aws"), &provider.AwsProviderConfig{
		Region:            jsii.String("eu-west-1"),
		AllowedAccountIds: jsii.Strings("111122223333"),
	})
	key, err := ctmrk.NewMultiRegionKey(stack, "TrailKey", ctmrk.MultiRegionKeyProps{Alias: "alias/audit-trail"})
	if err != nil {
		panic(err)
	}
	bucket, err := ctmrk.TrailBucketFromName(ctmrk.ExistingTrailBucketProps{
		BucketName: "landing-zone-cloudtrail-111122223333", Region: "eu-west-1", KeyPrefix: "audit",
		Trail: ctmrk.TrailIdentity{Partition: "aws", Region: "eu-west-1", Account: "111122223333", Name: "audit-trail"},
	})
	if err != nil {
		panic(err)
	}
	if _, err := ctmrk.NewTrail(stack, "Trail", ctmrk.TrailProps{Bucket: bucket, Key: key}); err != nil {
		panic(err)
	}
	fmt.Println(bucket.RequiredPolicy().Sids())
	// Output:
	// [AWSCloudTrailAclCheck AWSCloudTrailWrite DenyInsecureTransport DenyRequesterPays DenyWritesNotFromTheTrail]
}

// ExampleNewReplication copies every log file to a recovery bucket in the
// key's replica region: the replication role's statements go on both key
// copies and the recovery bucket's policy names it, without a policy built by
// hand.
func ExampleNewReplication() {
	app, _, done := newExampleApp()
	defer done()
	stack := cdktf.NewTerraformStack(app, jsii.String("audit"))
	provider.NewAwsProvider(stack, jsii.String("Aws"), &provider.AwsProviderConfig{
		Region: jsii.String("eu-west-1"), AllowedAccountIds: jsii.Strings("111122223333"),
	})
	frankfurt := provider.NewAwsProvider(stack, jsii.String("AwsEuCentral1"), &provider.AwsProviderConfig{
		Region: jsii.String("eu-central-1"), Alias: jsii.String("eu-central-1"), AllowedAccountIds: jsii.Strings("111122223333"),
	})
	key, err := ctmrk.NewMultiRegionKey(stack, "TrailKey", ctmrk.MultiRegionKeyProps{
		Alias: "alias/audit-trail", Replicas: []ctmrk.ReplicaRegion{{Provider: frankfurt}},
	})
	if err != nil {
		panic(err)
	}
	bucket, err := ctmrk.NewTrailBucket(stack, "TrailBucket", ctmrk.TrailBucketProps{BucketName: "audit-trail-logs-111122223333", Key: key})
	if err != nil {
		panic(err)
	}
	if _, err := ctmrk.NewTrail(stack, "Trail", ctmrk.TrailProps{Name: "audit-trail", Bucket: bucket, Key: key}); err != nil {
		panic(err)
	}
	recovery, err := ctmrk.NewRecoveryBucket(stack, "RecoveryBucket", ctmrk.RecoveryBucketProps{
		Source: bucket, BucketName: "audit-trail-logs-recovery-111122223333", Provider: frankfurt, Key: key,
	})
	if err != nil {
		panic(err)
	}
	if _, err := ctmrk.NewReplication(stack, "Replication", ctmrk.ReplicationProps{Source: bucket, Destination: recovery, Key: key}); err != nil {
		panic(err)
	}
	fmt.Println(recovery.Region(), recovery.ReplicationRoleARN())
	replicaPolicy, _ := key.PolicyIn("eu-central-1")
	fmt.Println(replicaPolicy.Sids())
	// Output:
	// eu-central-1 arn:aws:iam::111122223333:role/audit-trail-replication
	// [EnableAccountRootAdministration AllowCloudTrailEncryptLogs AllowCloudTrailDescribeKey AllowCloudTrailDecryptWithBucketKey EncryptReplicas DecryptReplicaBucketKey]
}
