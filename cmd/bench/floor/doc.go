// Command floor is the benchmark's floor: the smallest CDKTF Go program that
// creates one resource from the AWS provider bindings. Every synthesis pays
// its cost (starting Node.js and loading the provider assembly). Like the
// app, it takes the fast path (internal/runtime/jsiicache) when it is primed.
package main
