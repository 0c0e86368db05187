package access

import (
	"fmt"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/policy"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/policyeval"
)

// dataEvents: the trail logs management events; S3 object reads (CIS AWS
// Foundations 3.9) and writes (3.8) on every other bucket as data_events
// asks; every data event on its own log buckets, whatever data_events says,
// except the writes that deliver logs, which would log the logging forever
// (CloudTrail delivers with PutObject: CloudTrail User Guide, "Amazon S3
// bucket policy for CloudTrail"; so does S3 server access logging: S3 User
// Guide, "Enabling Amazon S3 server access logging"; replication writes with
// s3:ReplicateObject: S3 User Guide, "Setting up permissions for live
// replication").
func (c *checker) dataEvents() error {
	s := *c.trailStack
	var name string
	var trail map[string]any
	for n, body := range s.resources("aws_cloudtrail") {
		name, trail = n, body
	}
	where := fmt.Sprintf("%s/aws_cloudtrail.%s", s.Name, name)
	expect := func(want bool, what string, ev policyeval.Event) {
		got, err := policyeval.Logs(trail, ev)
		d := policyeval.ImplicitDeny
		if got {
			d = policyeval.Allow
		}
		c.results = append(c.results, Result{Policy: where, Name: "logging " + what, Want: want, Got: d, Err: err})
	}
	object := func(bucket, key string) string { return policy.ObjectARNPrefix(c.part, bucket) + key }
	expect(true, "a management event (CreateTrail)", policyeval.Event{Category: "Management", Name: "CreateTrail"})

	d := c.cfg.Trail.DataEvents
	other := "an-application-bucket"
	if len(d.S3Buckets) > 0 {
		other = d.S3Buckets[0]
		expect(false, "GetObject on a bucket data_events does not name", policyeval.Event{Category: "Data", Type: policy.S3ObjectType, ARN: object("an-unnamed-bucket", "k"), Name: "GetObject", ReadOnly: true})
	}
	expect(d.S3Read, "GetObject on "+other+" (CIS 3.9, data_events.s3_read)", policyeval.Event{Category: "Data", Type: policy.S3ObjectType, ARN: object(other, "k"), Name: "GetObject", ReadOnly: true})
	expect(d.S3Write, "PutObject on "+other+" (CIS 3.8, data_events.s3_write)", policyeval.Event{Category: "Data", Type: policy.S3ObjectType, ARN: object(other, "k"), Name: "PutObject"})
	expect(d.Lambda, "a Lambda Invoke (data_events.lambda)", policyeval.Event{Category: "Data", Type: policy.LambdaFunctionType, ARN: "arn:" + c.part + ":lambda:" + c.cfg.HomeRegion + ":" + Outsider + ":function:f", Name: "Invoke"})

	for _, b := range c.cfg.LogBuckets() {
		key := object(b, policy.LogPathPrefix(c.cfg.Trail.S3KeyPrefix)+c.trail.Account+"/CloudTrail/"+c.cfg.HomeRegion+"/2026/11/29/f.json.gz")
		expect(true, "GetObject on log bucket "+b+" (whatever data_events says)", policyeval.Event{Category: "Data", Type: policy.S3ObjectType, ARN: key, Name: "GetObject", ReadOnly: true})
		expect(true, "DeleteObject on log bucket "+b, policyeval.Event{Category: "Data", Type: policy.S3ObjectType, ARN: key, Name: "DeleteObject"})
		expect(true, "PutObjectRetention on log bucket "+b, policyeval.Event{Category: "Data", Type: policy.S3ObjectType, ARN: key, Name: "PutObjectRetention"})
		expect(false, "the PutObject that delivers a log file into "+b+" (it would log itself forever)", policyeval.Event{Category: "Data", Type: policy.S3ObjectType, ARN: key, Name: "PutObject"})
		expect(false, "a replica write (ReplicateObject) into "+b, policyeval.Event{Category: "Data", Type: policy.S3ObjectType, ARN: key, Name: "ReplicateObject"})
	}
	return nil
}
