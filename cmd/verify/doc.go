// Command verify checks a CloudTrail trail's digest chain and log files for
// every account and region of the organization, from S3 or offline from a
// directory copy, and optionally the recovery copy. docs/verify.md is its
// manual. Exit status: 0 valid, 1 invalid (findings), 2 could not check.
package main
