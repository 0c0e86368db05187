package constructs_test

import (
	"fmt"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/provider"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	ctmrk "github.com/cloudtrail-mrk/cloudtrail-mrk/constructs"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/policy"
)

// Example composes the three constructs in a stack of your own CDKTF app:
// one account, home region eu-west-1, one replica in eu-central-1.
func Example() {
	app := cdktf.NewApp(nil)
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

	// One trail identity: every policy and the trail itself use it.
	trail := policy.Trail{Partition: "aws", Region: "eu-west-1", Account: "111122223333", Name: "audit-trail"}
	keyPolicy, err := policy.KeyPolicy(policy.KeyPolicyProps{
		KeyAccount: "111122223333",
		Trail:      trail,
		Readers:    []string{"arn:aws:iam::111122223333:role/SecurityAuditor"},
	})
	if err != nil {
		panic(err)
	}
	key, err := ctmrk.NewMultiRegionKey(stack, "TrailKey", ctmrk.MultiRegionKeyProps{
		PrimaryRegion: "eu-west-1",
		Replicas:      []ctmrk.ReplicaRegion{{Region: "eu-central-1", Provider: frankfurt}},
		Alias:         "alias/audit-trail",
		Policy:        keyPolicy,
	})
	if err != nil {
		panic(err)
	}
	bucket, err := ctmrk.NewTrailBucket(stack, "TrailBucket", ctmrk.TrailBucketProps{
		BucketName: "audit-trail-logs-111122223333",
		Region:     "eu-west-1",
		Key:        key,
		Trail:      trail,
		Readers:    []string{"arn:aws:iam::111122223333:role/SecurityAuditor"},
	})
	if err != nil {
		panic(err)
	}
	t, err := ctmrk.NewTrail(stack, "Trail", ctmrk.TrailProps{Bucket: bucket, Key: key})
	if err != nil {
		panic(err)
	}
	fmt.Println(t.TrailArn())
	fmt.Println(key.Regions())
	fmt.Println(bucket.Policy().Sids())

	// A mistake is an error, before anything reaches Terraform.
	_, err = ctmrk.NewTrailBucket(stack, "Typo", ctmrk.TrailBucketProps{
		BucketName: "Audit_Logs", Region: "eu-west-1", Key: key, Trail: trail,
	})
	fmt.Println(err)
	// Output:
	// arn:aws:cloudtrail:eu-west-1:111122223333:trail/audit-trail
	// [eu-west-1 eu-central-1]
	// [AWSCloudTrailAclCheck AWSCloudTrailWrite AllowLogReadersListBucket AllowLogReadersGetObject DenyInsecureTransport DenyRequesterPays DenyWritesNotFromTheTrail DenyLogObjectDeletion]
	// TrailBucketProps.BucketName: S3 bucket names may contain only lowercase letters, digits, dots and hyphens, and must begin and end with a letter or digit (got "Audit_Logs")
}
