// The architecture of examples/organization.yaml written with the AWS CDK
// (aws-cdk-lib), for `make bench` to time beside our synthesis: a
// multi-region KMS key with two replicas and its policy, an Object-Lock
// trail bucket with its policy, access logs and lifecycle, a recovery
// bucket fed by S3 replication, and an organization trail with CloudWatch
// Logs, SNS, Insights and S3 data events, for two accounts. A CloudFormation
// stack lives in one region, so the key's replicas and the recovery bucket
// take a stack per replica region (Terraform reaches them through aliased
// providers in one stack). Plain JavaScript: no compile step.
//
//   CDK_OUTDIR=/tmp/out node app.js
"use strict";
const cdk = require("aws-cdk-lib");
const cloudtrail = require("aws-cdk-lib/aws-cloudtrail");
const iam = require("aws-cdk-lib/aws-iam");
const kms = require("aws-cdk-lib/aws-kms");
const logs = require("aws-cdk-lib/aws-logs");
const s3 = require("aws-cdk-lib/aws-s3");
const sns = require("aws-cdk-lib/aws-sns");

const home = "us-east-1";
const management = "111122223333";
const logArchive = "444455556666";
const orgId = "o-exampleorg1";
const trailName = "organization-trail";
const prefix = "org";
const bucketName = "example-org-cloudtrail-444455556666";
const recoveryRegion = "us-west-2";
const recoveryBucketName = "example-org-cloudtrail-444455556666-usw2";
const replicaRegions = [recoveryRegion, "eu-west-1"];
const alias = "alias/organization-trail";
const administrators = ["arn:aws:iam::444455556666:role/KeyAdministrator"];
const readers = [new iam.AccountPrincipal("777788889999"), new iam.ArnPrincipal("arn:aws:iam::444455556666:role/LogReader")];
const trailArn = `arn:aws:cloudtrail:${home}:${management}:trail/${trailName}`;
const cloudtrailPrincipal = new iam.ServicePrincipal("cloudtrail.amazonaws.com");

// The key policy, the same for the primary and every replica.
function keyPolicy() {
  const doc = new iam.PolicyDocument();
  doc.addStatements(
    new iam.PolicyStatement({ sid: "AccountRootAdministers", principals: [new iam.AccountRootPrincipal()], actions: ["kms:*"], resources: ["*"] }),
    new iam.PolicyStatement({
      sid: "AdministratorsManageNotUse", principals: administrators.map((a) => new iam.ArnPrincipal(a)), resources: ["*"],
      actions: ["kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListResourceTags", "kms:PutKeyPolicy",
        "kms:EnableKeyRotation", "kms:DisableKeyRotation", "kms:TagResource", "kms:UntagResource", "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion"],
    }),
    new iam.PolicyStatement({
      sid: "CloudTrailEncrypts", principals: [cloudtrailPrincipal], actions: ["kms:GenerateDataKey*"], resources: ["*"],
      conditions: {
        StringLike: { "kms:EncryptionContext:aws:cloudtrail:arn": `arn:aws:cloudtrail:*:${management}:trail/*` },
        StringEquals: { "aws:SourceArn": trailArn },
      },
    }),
    new iam.PolicyStatement({ sid: "CloudTrailDescribes", principals: [cloudtrailPrincipal], actions: ["kms:DescribeKey"], resources: ["*"], conditions: { StringEquals: { "aws:SourceArn": trailArn } } }),
    new iam.PolicyStatement({ sid: "CloudTrailBucketKey", principals: [cloudtrailPrincipal], actions: ["kms:Decrypt"], resources: ["*"], conditions: { StringEquals: { "aws:SourceArn": trailArn } } }),
    ...readers.map((r, i) => new iam.PolicyStatement({
      sid: `ReaderDecrypts${i}`, principals: [r], actions: ["kms:Decrypt", "kms:ReEncryptFrom"], resources: ["*"],
      conditions: { Null: { "kms:EncryptionContext:aws:cloudtrail:arn": "false" } },
    })),
  );
  return doc;
}

// lockedBucket is a trail or recovery bucket: Object Lock, versioning,
// SSE-KMS with a Bucket Key, public access blocked, owner enforced, TLS only,
// access logs into a bucket of their own, and the lifecycle.
function lockedBucket(scope, id, name, key, extra) {
  const accessLogs = new s3.Bucket(scope, `${id}AccessLogs`, {
    bucketName: `${name}-access-logs`, encryption: s3.BucketEncryption.S3_MANAGED, versioned: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL, enforceSSL: true, objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    lifecycleRules: [{ expiration: cdk.Duration.days(365), noncurrentVersionExpiration: cdk.Duration.days(30) }],
    removalPolicy: cdk.RemovalPolicy.RETAIN,
  });
  return new s3.Bucket(scope, id, {
    bucketName: name, objectLockEnabled: true, objectLockDefaultRetention: s3.ObjectLockRetention.governance(cdk.Duration.days(400)),
    versioned: true, encryption: s3.BucketEncryption.KMS, encryptionKey: key, bucketKeyEnabled: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL, enforceSSL: true, objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    serverAccessLogsBucket: accessLogs,
    lifecycleRules: [{
      transitions: [{ storageClass: s3.StorageClass.INFREQUENT_ACCESS, transitionAfter: cdk.Duration.days(30) }],
      expiration: cdk.Duration.days(3650), noncurrentVersionExpiration: cdk.Duration.days(400),
    }],
    removalPolicy: cdk.RemovalPolicy.RETAIN,
    ...extra,
  });
}

class LogArchiveStack extends cdk.Stack {
  constructor(scope, id, props) {
    super(scope, id, props);
    this.key = new kms.Key(this, "Key", {
      multiRegion: true, enableKeyRotation: true, rotationPeriod: cdk.Duration.days(365), pendingWindow: cdk.Duration.days(30),
      alias, policy: keyPolicy(), removalPolicy: cdk.RemovalPolicy.RETAIN,
    });
    // A multi-region key's replica keeps the primary's key id.
    const recoveryKey = kms.Key.fromKeyArn(this, "RecoveryKey", this.formatArn({ service: "kms", region: recoveryRegion, resource: "key", resourceName: this.key.keyId }));
    const recovery = s3.Bucket.fromBucketAttributes(this, "Recovery", { bucketName: recoveryBucketName, region: recoveryRegion });
    const bucket = lockedBucket(this, "TrailBucket", bucketName, this.key, {
      replicationRules: [{ destination: recovery, kmsKey: recoveryKey, sseKmsEncryptedObjects: true, deleteMarkerReplication: false, priority: 0 }],
    });
    const paths = [`${prefix}/AWSLogs/${management}/*`, `${prefix}/AWSLogs/${orgId}/*`];
    bucket.addToResourcePolicy(new iam.PolicyStatement({
      sid: "CloudTrailAclCheck", principals: [cloudtrailPrincipal], actions: ["s3:GetBucketAcl"], resources: [bucket.bucketArn],
      conditions: { StringEquals: { "aws:SourceArn": trailArn } },
    }));
    paths.forEach((p, i) => bucket.addToResourcePolicy(new iam.PolicyStatement({
      sid: `CloudTrailWrite${i}`, principals: [cloudtrailPrincipal], actions: ["s3:PutObject"], resources: [bucket.arnForObjects(p)],
      conditions: { StringEquals: { "s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": trailArn } },
    })));
    bucket.addToResourcePolicy(new iam.PolicyStatement({
      sid: "ReadersList", principals: readers, actions: ["s3:ListBucket"], resources: [bucket.bucketArn],
      conditions: { StringLike: { "s3:prefix": [`${prefix}/AWSLogs/*`] } },
    }));
    bucket.addToResourcePolicy(new iam.PolicyStatement({ sid: "ReadersRead", principals: readers, actions: ["s3:GetObject"], resources: [bucket.arnForObjects(`${prefix}/AWSLogs/*`)] }));
  }
}

class ReplicaStack extends cdk.Stack {
  constructor(scope, id, props, primary, withRecoveryBucket) {
    super(scope, id, props);
    const replica = new kms.CfnReplicaKey(this, "Replica", { primaryKeyArn: primary.keyArn, keyPolicy: keyPolicy(), pendingWindowInDays: 30 });
    replica.applyRemovalPolicy(cdk.RemovalPolicy.RETAIN);
    new kms.CfnAlias(this, "Alias", { aliasName: alias, targetKeyId: replica.attrKeyId });
    if (withRecoveryBucket) {
      lockedBucket(this, "RecoveryBucket", recoveryBucketName, kms.Key.fromKeyArn(this, "ReplicaKey", replica.attrArn));
    }
  }
}

class ManagementStack extends cdk.Stack {
  constructor(scope, id, props) {
    super(scope, id, props);
    // The log-archive account's key ARN, given at deploy time (a
    // CloudFormation stack cannot reference another account's stack).
    const keyArn = new cdk.CfnParameter(this, "TrailKeyArn", { type: "String" });
    const logGroupName = `cloudtrail/${trailName}`;
    const monitoringKey = new kms.Key(this, "MonitoringKey", { enableKeyRotation: true, pendingWindow: cdk.Duration.days(30), alias: "alias/organization-trail-monitoring" });
    monitoringKey.addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal(`logs.${home}.amazonaws.com`)],
      actions: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"], resources: ["*"],
      conditions: { ArnEquals: { "kms:EncryptionContext:aws:logs:arn": this.formatArn({ service: "logs", resource: "log-group", resourceName: logGroupName, arnFormat: cdk.ArnFormat.COLON_RESOURCE_NAME }) } },
    }));
    const logGroup = new logs.LogGroup(this, "LogGroup", { logGroupName, retention: logs.RetentionDays.THIRTEEN_MONTHS, encryptionKey: monitoringKey, removalPolicy: cdk.RemovalPolicy.RETAIN });
    const topic = new sns.Topic(this, "Notifications", { topicName: `${trailName}-notifications`, masterKey: monitoringKey, enforceSSL: true });
    const trail = new cloudtrail.Trail(this, "Trail", {
      trailName, isMultiRegionTrail: true, includeGlobalServiceEvents: true, enableFileValidation: true,
      isOrganizationTrail: true, orgId, s3KeyPrefix: prefix,
      bucket: s3.Bucket.fromBucketName(this, "TrailBucket", bucketName),
      encryptionKey: kms.Key.fromKeyArn(this, "TrailKey", keyArn.valueAsString),
      sendToCloudWatchLogs: true, cloudWatchLogGroup: logGroup, snsTopic: topic,
      insightTypes: [cloudtrail.InsightType.API_CALL_RATE, cloudtrail.InsightType.API_ERROR_RATE],
    });
    trail.logAllS3DataEvents();
  }
}

// As in the cdk.json that `cdk init` writes: access logs are delivered under
// a bucket policy (S3 recommends it over ACLs, which BucketOwnerEnforced
// disables).
const app = new cdk.App({ context: { "@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy": true } });
const archive = new LogArchiveStack(app, "log-archive", { env: { account: logArchive, region: home } });
replicaRegions.forEach((region) => new ReplicaStack(app, `log-archive-${region}`,
  { env: { account: logArchive, region }, crossRegionReferences: true }, archive.key, region === recoveryRegion));
new ManagementStack(app, "management", { env: { account: management, region: home } });
cdk.Tags.of(app).add("owner", "security-engineering");
cdk.Tags.of(app).add("purpose", "organization-audit-trail");
app.synth();
