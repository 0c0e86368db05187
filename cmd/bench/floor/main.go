package main

import (
	"fmt"
	"os"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/provider"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucket"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/internal/runtime/jsiicache"
)

func main() {
	fmt.Fprint(os.Stderr, jsiicache.Use(".", jsii.Close).Notice())
	defer jsii.Close()
	app := cdktf.NewApp(nil)
	stack := cdktf.NewTerraformStack(app, jsii.String("floor"))
	provider.NewAwsProvider(stack, jsii.String("Aws"), &provider.AwsProviderConfig{Region: jsii.String("us-east-1")})
	s3bucket.NewS3Bucket(stack, jsii.String("Bucket"), &s3bucket.S3BucketConfig{Bucket: jsii.String("floor-bucket-example")})
	app.Synth()
}
