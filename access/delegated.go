package access

import (
	"fmt"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/policy"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/policyeval"
)

// creatorStream runs against the delivery role's policy when a delegated
// administrator creates the trail. CloudTrail names the trail account's
// stream "<account_ID>_CloudTrail_<region>" (CloudTrail user guide,
// "CloudWatch log group and log stream naming for CloudTrail"); no AWS
// document says which account id a delegated administrator's trail puts
// there, so delivery must work with either.
func (c *checker) creatorStream(perms located, role policyeval.Principal, stream func(string) string) {
	creator := c.cfg.TrailCreator().ID
	if creator == c.trail.Account {
		return
	}
	c.expectIdentity(perms, creator, true, "role putting events into a stream named after the delegated administrator", policyeval.Request{Principal: role, Action: "logs:PutLogEvents", Resource: stream(creator + "_CloudTrail_" + c.cfg.HomeRegion + "_1")})
	c.expectIdentity(perms, creator, false, "role putting events into a stream named after another account", policyeval.Request{Principal: role, Action: "logs:PutLogEvents", Resource: stream(Outsider + "_CloudTrail_" + c.cfg.HomeRegion + "_1")})
}

// delegatedAdmin runs when a delegated administrator creates the trail.
// CloudTrail user guide, "Organization delegated administrator"
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-delegated-administrator.html):
// "The management account remains the owner of any CloudTrail organization
// resources the delegated administrator creates", so the trail's ARN, the
// one CloudTrail sends as aws:SourceArn and puts in the encryption context,
// names the management account. The bucket and key must let that trail
// deliver and must not take a trail ARN naming the delegated administrator
// for it; the monitoring key is administered by the account that holds it.
func (c *checker) delegatedAdmin() error {
	admin, ok := c.cfg.DelegatedAdmin()
	if !ok {
		return nil
	}
	ct := policyeval.Principal{Service: policy.CloudTrailService}
	owned := c.trail.ARN()
	asAdmin := c.otherTrail(admin.ID, c.trail.Name)
	if owned == asAdmin {
		return fmt.Errorf("the delegated administrator %s is the trail owner: the configuration should have been refused", admin.ID)
	}

	l, err := c.bucketPolicy(*c.archive, c.cfg.Bucket.Name)
	if err != nil {
		return err
	}
	c.use(l, policyeval.Policies{ResourceAccount: c.cfg.Accounts.LogArchive.ID})
	bucketArn := fmt.Sprintf("arn:%s:s3:::%s", c.part, c.cfg.Bucket.Name)
	orgPath := policy.LogPathPrefix(c.cfg.Trail.S3KeyPrefix) + c.cfg.OrganizationID + "/" + admin.ID + "/CloudTrail/" + c.cfg.HomeRegion + "/2026/11/29/f.json.gz"
	put := func(sourceArn string) policyeval.Request {
		return policyeval.Request{Principal: ct, Action: "s3:PutObject", Resource: bucketArn + "/" + orgPath, Context: ctx(with(tls, "aws:SourceArn", sourceArn, "s3:x-amz-acl", "bucket-owner-full-control")...)}
	}
	c.expect(true, "CloudTrail delivering for the management-owned trail the delegated administrator created", put(owned))
	c.expect(false, "CloudTrail delivering for a trail ARN naming the delegated administrator", put(asAdmin))

	for name, k := range c.archive.resources("aws_kms_key") {
		if k["multi_region"] != true {
			continue
		}
		kl, err := c.archive.policyAt("aws_kms_key", name, "policy", c.resolve(*c.archive))
		if err != nil {
			return err
		}
		c.use(kl, policyeval.Policies{ResourceAccount: c.cfg.Accounts.LogArchive.ID, KeyPolicy: true})
		gen := func(arn string) policyeval.Request {
			return policyeval.Request{Principal: ct, Action: "kms:GenerateDataKey", Resource: "*", Context: ctx("kms:EncryptionContext:aws:cloudtrail:arn", arn, "aws:SourceArn", arn)}
		}
		c.expect(true, "CloudTrail encrypting for the management-owned trail the delegated administrator created", gen(owned))
		c.expect(false, "CloudTrail encrypting for a trail ARN naming the delegated administrator", gen(asAdmin))
	}

	s := *c.trailStack
	// The monitoring key and the watchdog key, each found by reference.
	for _, k := range []struct{ what, name string }{{"monitoring key", c.monitoringKey(s)}, {"watchdog key", c.watchdogKey(s)}} {
		name := k.name
		if name == "" {
			continue
		}
		ml, err := s.policyAt("aws_kms_key", name, "policy", c.resolve(s))
		if err != nil {
			return err
		}
		c.use(ml, policyeval.Policies{ResourceAccount: admin.ID, KeyPolicy: true})
		// The key's account administers it: its deploying role, the only
		// principal there the monitoring key's deny exempts when one is
		// configured (monitoringProtection checks the others are refused).
		who := c.iamRole(admin.ID, "Admin")
		if d := c.monitoringDeployer(); d != "" {
			who = policyeval.Principal{ARN: d}
		}
		c.expect(true, "the delegated administrator's account administering its "+k.what+" ("+who.ARN+")", policyeval.Request{Principal: who, Action: "kms:PutKeyPolicy", Resource: "*", Context: ctx("aws:PrincipalArn", who.ARN)}, policyeval.AllowAll)
		c.expect(false, "the management account administering the delegated administrator's "+k.what, policyeval.Request{Principal: c.iamRole(c.trail.Account, "Admin"), Action: "kms:PutKeyPolicy", Resource: "*"}, policyeval.AllowAll)
	}
	return nil
}
