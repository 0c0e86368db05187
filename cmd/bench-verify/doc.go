// Command bench-verify measures the offline verifier on a generated
// organization-sized trail bucket against its floor: reading, gunzipping and
// hashing (SHA-256) the same files with Go's standard library alone, on the
// same number of goroutines. It fails when the verifier takes more than 1.5
// times the floor. `make bench` runs it; docs/performance.md records it.
package main
