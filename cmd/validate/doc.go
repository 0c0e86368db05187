// Command validate proves the synthesized stacks against Terraform itself and
// the real AWS provider, offline: for every stack, `terraform validate` on the
// stack as synthesized and `terraform plan -refresh=false` on a copy with fake
// credentials and a stub of the cross-stack remote state, whose plan must
// create exactly what the configuration says (see internal/proof/tfcheck).
//
// Without arguments it checks the configuration named by
// CLOUDTRAIL_MRK_CONFIG (or the built-in default when that is unset), as a
// user does before deploying. With -project it checks every configuration
// the project ships: the built-in default, examples/*.yaml,
// testdata/variants/*.yaml (one per switch that changes which resources
// exist) and the organization example with 1 and 16 replica regions; this is
// what `make test` runs.
package main
