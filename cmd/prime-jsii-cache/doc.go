// Command prime-jsii-cache primes the project's jsii package cache
// (.jsii-cache/, see internal/runtime/jsiicache) so that synthesis loads the AWS
// provider bindings lazily: it lets the jsii runtime extract the bindings
// into the cache (once per version), then rewrites the provider's
// lib/index.js there into lazy exports and records the result. `make setup`
// runs it from the project directory; running it again changes nothing.
//
// When the rewriter does not recognise the index.js (a future version of the
// bindings), it leaves the file as the runtime extracted it, writes no stamp,
// says so and exits 0: synthesis then works as without the cache, only
// slower.
package main
