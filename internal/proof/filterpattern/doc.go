// Package filterpattern evaluates CloudWatch Logs JSON filter patterns
// against JSON log events, offline, so that tests can show which CloudTrail
// records a metric filter counts. It implements the JSON part of the syntax
// documented in the CloudWatch Logs User Guide, "Filter pattern syntax for
// metric filters, subscription filters, filter log events, and Live Tail"
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html):
//
//   - `{ selector op value }` with op one of =, !=, <, >, <=, >=; string
//     values quoted or bare, with `*` as a wildcard; numeric values;
//   - `selector IS NULL`, `IS TRUE`, `IS FALSE`, `selector NOT EXISTS`;
//   - selectors `$.a.b`, array indexes `$.a[0].b`, `$.c[0][1]`, keys
//     with periods `$.['cluster.name']`, and the wildcard selector `[*]`
//     ("You can use the JSON wildcard to select any array element"), with
//     the guide's quotas: at most one in a property selector and three in a
//     pattern; a comparison through it holds when it holds for any element,
//     and only `=` is implemented through it;
//   - `&&`, `||` (&& binds tighter, as the documentation's compound examples
//     show) and parentheses.
//
// Anything else is refused with an error rather than guessed: text and
// space-delimited patterns, regular expressions (%...%), `$.*`, `[*]` with
// any operator but `=`, and comparisons whose outcome the documentation does not define (a string
// compared with a number, `!=` or IS NULL on a field the event lacks). Such
// an undefined comparison is an error only when it decides the result:
// `false && undefined` is false.
package filterpattern
