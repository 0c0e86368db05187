// Package jsiicache keeps a project-local jsii package cache in which the AWS
// provider bindings load lazily, and points the jsii runtime at it.
//
// The jsii runtime (jsii-runtime-go v1.106, @jsii/kernel) extracts every
// library's npm tarball into a package cache before loading it. An entry of
// that cache lives at <root>/<package name>/<version>/<sha256 of the tarball
// followed by "\x00"+name and "\x00"+version>, and the runtime uses it as it
// is once the file .jsii-runtime-package-cache exists in it; it never checks
// the extracted files again. The root is $JSII_RUNTIME_PACKAGE_CACHE_ROOT,
// else a directory in the user's ~/.cache shared by every jsii app.
//
// `make setup` (cmd/prime-jsii-cache) primes <project>/.jsii-cache, lets the
// runtime extract the bindings there, rewrites the provider's lib/index.js
// into lazy exports (RewriteIndex) and its 114 MB assembly without the
// documentation the kernel never reads (StripAssemblyDocs, down to 50 MB),
// and records what it did in a stamp file.
// Because the entry's path holds the tarball's digest, a rewritten index.js
// is never used with another version of the bindings: a new version gets an
// entry of its own, extracted by the runtime as usual.
//
// Use, called by the app's main and by the jsii test packages before the
// first jsii call, sets JSII_RUNTIME_PACKAGE_CACHE_ROOT to that cache only
// when the stamp, the runtime's completion marker and the rewritten
// index.js all still agree; otherwise the app runs exactly as without it,
// and Use says why in a one-line notice. Constructs imported by other apps
// never reach this package.
package jsiicache
