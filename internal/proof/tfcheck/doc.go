// Package tfcheck proves synthesized stacks against Terraform itself and the
// real AWS provider: `terraform validate` on each stack as synthesized, and an
// offline `terraform plan` on a copy whose provider credentials are fake and
// whose cross-stack remote state is a stub. It is plain Go (no jsii): it runs
// the terraform binary through HashiCorp's terraform-exec, reads Terraform's
// JSON output through terraform-json, and reads and writes the stacks'
// Terraform JSON configuration itself (terraform-json models what Terraform
// prints, not the configuration syntax it reads).
//
// Nothing here talks to AWS: the plan copy has static fake credentials, the
// provider's skip flags, no assume_role and no backend, and the environment
// of every terraform call is stripped of AWS credentials and profiles.
package tfcheck
