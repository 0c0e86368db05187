package policy

import "fmt"

// The service roles the bootstrap creates (docs/bootstrap.md#service-roles):
// their policies cannot name the keys by ARN, which exist only once the
// main stacks are applied, so their KMS statements name every key of the
// account in the region and match the key's tag GuardTagKey = the trail's
// name (aws:ResourceTag, which KMS supports on the actions of a key:
// docs/aws-rules.md#bootstrap-key-tags), keeping the kms:ViaService and
// encryption context conditions of the role policies made with the keys.

// keyPattern is every key of account in region.
func keyPattern(partition, region, account string) string {
	return fmt.Sprintf("arn:%s:kms:%s:%s:key/*", partition, region, account)
}

// resourceTagKey is the condition key of the bootstrap's key tag.
const resourceTagKey = "aws:ResourceTag/" + GuardTagKey

// byKeyTag adds the key tag condition to the statements of doc with the
// given Sids (each must be there).
func byKeyTag(doc Document, tag string, sids ...string) Document {
	out := Document{Version: doc.Version, ID: doc.ID}
	for _, st := range doc.Statement {
		for _, sid := range sids {
			if st.Sid == sid {
				c := Conditions{}
				for op, kv := range st.Condition {
					for k, v := range kv {
						c.Add(op, k, v...)
					}
				}
				st.Condition = c.Add("StringEquals", resourceTagKey, tag)
			}
		}
		out.Statement = append(out.Statement, st)
	}
	return out
}

// RolePolicyByTag is RolePolicy for a role made before the keys: each KMS
// statement names every key of the account in its region (the source's
// or the destination's) with the key tag GuardTagKey = tag, under the same
// kms:ViaService and encryption context conditions.
func (r Replication) RolePolicyByTag(tag string) Document {
	doc := r.RolePolicy(keyPattern(r.Partition, r.SourceRegion, r.Account), keyPattern(r.Partition, r.DestinationRegion, r.Account))
	return byKeyTag(doc, tag, SidReplicationDecryptSource, SidReplicationDecryptSourceTrailContext, SidReplicationEncryptReplica, SidReplicationVerifyReplica)
}

// QueryRolePolicyByTag is QueryRolePolicy for a role made before the keys:
// the trail key and the results key are every key of the account in the
// region with the key tag GuardTagKey = tag; the results key statement
// also requires S3's encryption context of the results bucket (with its
// S3 Bucket Key, the bucket ARN), since the trail key carries the same
// tag. TrailKeyArn and ResultsKeyArn are ignored.
func QueryRolePolicyByTag(p QueryRoleProps, tag string) Document {
	p.TrailKeyArn = keyPattern(p.Partition, p.Region, p.Account)
	p.ResultsKeyArn = p.TrailKeyArn
	doc := QueryRolePolicy(p)
	results := fmt.Sprintf("arn:%s:s3:::%s", p.Partition, p.ResultsBucket)
	for i, st := range doc.Statement {
		if st.Sid == SidQueryResultsKey {
			doc.Statement[i].Condition = Conditions{}.Add("StringEquals", "kms:ViaService", s3ViaService(p.Partition, p.Region)).
				Add("StringLike", s3ContextKey, results, results+"/*")
		}
	}
	return byKeyTag(doc, tag, SidQueryTrailKey, SidQueryTrailKeyBucketContext, SidQueryResultsKey)
}
