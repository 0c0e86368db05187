// Command cloudtrail-mrk synthesizes an organization CloudTrail whose logs are
// encrypted with a KMS multi-region key, as one Terraform stack per AWS
// account. The configuration file is named by CLOUDTRAIL_MRK_CONFIG; without
// it the built-in default configuration is used.
package main
