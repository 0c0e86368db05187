// Package docs holds the repository's reference documents and the test that
// keeps them honest: docs/aws-rules.md lists every AWS fact the code relies
// on, with its source, and every `docs/aws-rules.md#<anchor>` cited anywhere
// in the repository must name a heading or an explicit id of that file.
package docs
