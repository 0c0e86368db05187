// Package docs holds the repository's reference documents and the tests that
// keep them honest: docs/aws-rules.md lists every AWS fact the code relies
// on, with its source, and every `docs/aws-rules.md#<anchor>` cited anywhere
// in the repository must name a heading or an explicit id of that file;
// layers_test.go writes down the order of the packages' layers and fails
// when an import goes against it.
package docs
