package policy

import "fmt"

// Field names and values of CloudTrail's advanced event selectors (CloudTrail
// API Reference, "AdvancedFieldSelector",
// https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_AdvancedFieldSelector.html:
// data events accept eventCategory, resources.type and readOnly with Equals
// only, and eventName and resources.ARN with any operator).
const (
	FieldEventCategory = "eventCategory"
	FieldResourcesType = "resources.type"
	FieldResourcesARN  = "resources.ARN"
	FieldEventName     = "eventName"
	FieldReadOnly      = "readOnly"
	S3ObjectType       = "AWS::S3::Object"
	LambdaFunctionType = "AWS::Lambda::Function"
	// MaxSelectorValues is CloudTrail's limit on the values of all
	// conditions of all advanced event selectors of a trail (CloudTrail API
	// Reference, "PutEventSelectors": "a maximum of 500 values for all
	// conditions and selectors on a trail").
	MaxSelectorValues = 500
)

// LogDeliveryEventNames are the data events on the log buckets that are not
// logged, because logging them would log the logging: CloudTrail delivers
// log and digest files with PutObject (CloudTrail User Guide, "Amazon S3
// bucket policy for CloudTrail"), S3 server access logging delivers with
// PutObject (S3 User Guide, "Enabling Amazon S3 server access logging",
// bucket policy for logging.s3.amazonaws.com), and S3 replication writes
// replicas with the permissions s3:ReplicateObject and s3:ReplicateTags (S3
// User Guide, "Setting up permissions for live replication"). AWS
// documentation does not say under which event name CloudTrail records a
// replica write, so both PutObject and the replication operation names are
// excluded: either way, nothing loops.
var LogDeliveryEventNames = []string{"PutObject", "ReplicateObject", "ReplicateTags"}

// FieldSelector is one condition of an advanced event selector. Values of
// one operator are alternatives (Equals, StartsWith) or all excluded
// (NotEquals, NotStartsWith); the operators of one field and the fields of
// one selector must all match.
type FieldSelector struct {
	Field         string
	Equals        []string
	NotEquals     []string
	StartsWith    []string
	NotStartsWith []string
}

// EventSelector is an advanced event selector: an event is logged when it
// matches every field selector of at least one event selector.
type EventSelector struct {
	Name   string
	Fields []FieldSelector
}

// DataEventSelection is what the trail logs besides management events.
type DataEventSelection struct {
	// Partition of the buckets.
	Partition string
	// LogBuckets hold the trail's logs, their copies and their access logs.
	// Every data event on their objects is logged, whatever the switches
	// below say, except LogDeliveryEventNames.
	LogBuckets []string
	// S3Read and S3Write log object reads and writes on every other bucket
	// (or on S3Buckets only).
	S3Read, S3Write bool
	// S3Buckets limits S3Read and S3Write to these buckets. Default: every
	// bucket but LogBuckets.
	S3Buckets []string
	// Lambda logs Invoke events of every function.
	Lambda bool
}

// ObjectARNPrefix is the resources.ARN prefix of every object of a bucket.
func ObjectARNPrefix(partition, bucket string) string {
	return fmt.Sprintf("arn:%s:s3:::%s/", partition, bucket)
}

// Selectors returns the trail's advanced event selectors: management events
// (read and write), every data event on the log buckets but their
// deliveries, then S3 object reads and writes on the other buckets and
// Lambda invokes as asked.
func (d DataEventSelection) Selectors() []EventSelector {
	var own []string
	for _, b := range sortedUnique(d.LogBuckets) {
		own = append(own, ObjectARNPrefix(d.Partition, b))
	}
	// Advanced selectors need an explicit selector for management events.
	out := []EventSelector{{
		Name:   "Management events",
		Fields: []FieldSelector{{Field: FieldEventCategory, Equals: []string{"Management"}}},
	}}
	if len(own) > 0 {
		out = append(out, EventSelector{
			Name: "Log buckets: every data event but log deliveries",
			Fields: []FieldSelector{
				{Field: FieldEventCategory, Equals: []string{"Data"}},
				{Field: FieldResourcesType, Equals: []string{S3ObjectType}},
				{Field: FieldResourcesARN, StartsWith: own},
				{Field: FieldEventName, NotEquals: append([]string(nil), LogDeliveryEventNames...)},
			},
		})
	}
	if d.S3Read || d.S3Write {
		sel := EventSelector{
			Name: "S3 objects of every other bucket",
			Fields: []FieldSelector{
				{Field: FieldEventCategory, Equals: []string{"Data"}},
				{Field: FieldResourcesType, Equals: []string{S3ObjectType}},
			},
		}
		switch {
		case !d.S3Write:
			sel.Fields = append(sel.Fields, FieldSelector{Field: FieldReadOnly, Equals: []string{"true"}})
		case !d.S3Read:
			sel.Fields = append(sel.Fields, FieldSelector{Field: FieldReadOnly, Equals: []string{"false"}})
		}
		if len(d.S3Buckets) > 0 {
			sel.Name = "S3 objects of the named buckets"
			var named []string
			for _, b := range sortedUnique(d.S3Buckets) {
				named = append(named, ObjectARNPrefix(d.Partition, b))
			}
			sel.Fields = append(sel.Fields, FieldSelector{Field: FieldResourcesARN, StartsWith: named})
		} else if len(own) > 0 {
			sel.Fields = append(sel.Fields, FieldSelector{Field: FieldResourcesARN, NotStartsWith: own})
		}
		out = append(out, sel)
	}
	if d.Lambda {
		out = append(out, EventSelector{
			Name: "Lambda invokes",
			Fields: []FieldSelector{
				{Field: FieldEventCategory, Equals: []string{"Data"}},
				{Field: FieldResourcesType, Equals: []string{LambdaFunctionType}},
			},
		})
	}
	return out
}

// CountSelectorValues counts the values of every condition of sels, the
// quantity CloudTrail limits to MaxSelectorValues per trail.
func CountSelectorValues(sels []EventSelector) int {
	n := 0
	for _, s := range sels {
		for _, f := range s.Fields {
			n += len(f.Equals) + len(f.NotEquals) + len(f.StartsWith) + len(f.NotStartsWith)
		}
	}
	return n
}
