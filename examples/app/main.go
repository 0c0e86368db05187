package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/provider"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	ctmrk "github.com/cloudtrail-mrk/cloudtrail-mrk/constructs"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/policy"
)

// The accounts, regions and names of this example.
const (
	account      = "111122223333"
	homeRegion   = "eu-west-1"
	replicaRgn   = "eu-central-1"
	trailName    = "audit-trail"
	bucketName   = "landing-zone-cloudtrail-111122223333"
	bucketPrefix = "audit"
	auditorRole  = "arn:aws:iam::444455556666:role/SecurityAuditor"
)

// Audit is what the app built.
type Audit struct {
	Key    *ctmrk.MultiRegionKey
	Bucket *ctmrk.ExistingTrailBucket
	Trail  *ctmrk.Trail
}

// NewAuditStack builds the stack: providers for the home and the replica
// region, the key, the trail on the existing bucket, and the auditor's grant.
func NewAuditStack(scope constructs.Construct, id string) (cdktf.TerraformStack, *Audit, error) {
	stack := cdktf.NewTerraformStack(scope, jsii.String(id))
	provider.NewAwsProvider(stack, jsii.String("Aws"), &provider.AwsProviderConfig{
		Region:            jsii.String(homeRegion),
		AllowedAccountIds: jsii.Strings(account),
	})
	frankfurt := provider.NewAwsProvider(stack, jsii.String("AwsEuCentral1"), &provider.AwsProviderConfig{
		Region:            jsii.String(replicaRgn),
		Alias:             jsii.String(replicaRgn),
		AllowedAccountIds: jsii.Strings(account),
	})

	trail := policy.Trail{Partition: "aws", Region: homeRegion, Account: account, Name: trailName}

	// The bucket exists: name it, with its region and the trail it serves.
	// The auditor, as a reader, is in the statements its owner must add.
	bucket, err := ctmrk.TrailBucketFromName(ctmrk.ExistingTrailBucketProps{
		BucketName: bucketName, Region: homeRegion, Trail: trail, KeyPrefix: bucketPrefix,
		Readers: []string{auditorRole},
	})
	if err != nil {
		return nil, nil, err
	}

	// The key is ours: its policy lets this one trail encrypt.
	keyPolicy, err := policy.KeyPolicy(policy.KeyPolicyProps{KeyAccount: account, Trail: trail})
	if err != nil {
		return nil, nil, err
	}
	key, err := ctmrk.NewMultiRegionKey(stack, "TrailKey", ctmrk.MultiRegionKeyProps{
		PrimaryRegion: homeRegion,
		Replicas:      []ctmrk.ReplicaRegion{{Region: replicaRgn, Provider: frankfurt}},
		Alias:         "alias/" + trailName,
		Policy:        keyPolicy,
	})
	if err != nil {
		return nil, nil, err
	}

	t, err := ctmrk.NewTrail(stack, "Trail", ctmrk.TrailProps{
		Bucket:         bucket,
		Key:            key,
		CloudWatchLogs: &ctmrk.CloudWatchLogsProps{},
	})
	if err != nil {
		return nil, nil, err
	}

	// The auditor's grant on the key, added after the key was made:
	// rendered into every copy's policy at synthesis.
	if err := key.GrantDecrypt(bucket, auditorRole); err != nil {
		return nil, nil, err
	}

	cdktf.NewTerraformOutput(stack, jsii.String("trail_arn"), &cdktf.TerraformOutputConfig{Value: jsii.String(t.TrailArn())})
	cdktf.NewTerraformOutput(stack, jsii.String("log_group_arn"), &cdktf.TerraformOutputConfig{Value: t.LogGroupArn()})
	cdktf.NewTerraformOutput(stack, jsii.String("key_arn"), &cdktf.TerraformOutputConfig{Value: key.PrimaryKeyArn()})
	return stack, &Audit{Key: key, Bucket: bucket, Trail: t}, nil
}

func main() {
	app := cdktf.NewApp(nil)
	_, audit, err := NewAuditStack(app, "audit")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	app.Synth()
	// What the owners of what we do not manage must add.
	required, _ := json.MarshalIndent(audit.Bucket.RequiredPolicy(), "", "  ")
	fmt.Fprintf(os.Stderr, "Add to the bucket policy of %s:\n%s\n", bucketName, required)
}
