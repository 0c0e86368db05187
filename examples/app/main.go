package main

import (
	"fmt"
	"os"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/provider"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	ctmrk "github.com/cloudtrail-mrk/cloudtrail-mrk/constructs"
)

// The accounts, regions and names of this example.
const (
	account     = "111122223333"
	homeRegion  = "eu-west-1"
	replicaRgn  = "eu-central-1"
	trailName   = "audit-trail"
	bucketName  = "audit-trail-logs-111122223333"
	auditorRole = "arn:aws:iam::444455556666:role/SecurityAuditor"
)

// Audit is what the app built.
type Audit struct {
	Key    *ctmrk.MultiRegionKey
	Bucket *ctmrk.TrailBucket
	Trail  *ctmrk.Trail
}

// NewAuditStack builds the stack: providers for the home and the replica
// region, the key, the bucket, the trail and the auditor's grant.
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

	key, err := ctmrk.NewMultiRegionKey(stack, "TrailKey", ctmrk.MultiRegionKeyProps{
		Alias:    "alias/" + trailName,
		Replicas: []ctmrk.ReplicaRegion{{Provider: frankfurt}},
	})
	if err != nil {
		return nil, nil, err
	}
	bucket, err := ctmrk.NewTrailBucket(stack, "TrailBucket", ctmrk.TrailBucketProps{BucketName: bucketName, Key: key})
	if err != nil {
		return nil, nil, err
	}
	trail, err := ctmrk.NewTrail(stack, "Trail", ctmrk.TrailProps{
		Name:           trailName,
		Bucket:         bucket,
		Key:            key,
		CloudWatchLogs: &ctmrk.CloudWatchLogsProps{},
	})
	if err != nil {
		return nil, nil, err
	}
	// Added after the fact: rendered into the bucket's and every key copy's
	// policy at synthesis.
	if err := bucket.GrantRead(auditorRole); err != nil {
		return nil, nil, err
	}

	cdktf.NewTerraformOutput(stack, jsii.String("trail_arn"), &cdktf.TerraformOutputConfig{Value: jsii.String(trail.TrailArn())})
	cdktf.NewTerraformOutput(stack, jsii.String("log_group_arn"), &cdktf.TerraformOutputConfig{Value: trail.LogGroupArn()})
	cdktf.NewTerraformOutput(stack, jsii.String("key_arn"), &cdktf.TerraformOutputConfig{Value: key.PrimaryKeyArn()})
	return stack, &Audit{Key: key, Bucket: bucket, Trail: trail}, nil
}

func main() {
	app := cdktf.NewApp(nil)
	if _, _, err := NewAuditStack(app, "audit"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	app.Synth()
}
