// Package verify checks a CloudTrail trail's digest chain and log files, as
// the CloudTrail User Guide describes ("Validating CloudTrail log file
// integrity", "CloudTrail digest file structure", "Custom implementations of
// CloudTrail log file integrity validation"): every digest of every account
// and region, its signature, the chain from digest to digest, every log
// file the digests list, the log files no digest lists and, optionally, the
// recovery copy. It reads through a Store (a directory here, S3 in
// verify/s3store) and public keys through a KeySource; it is plain Go.
package verify
