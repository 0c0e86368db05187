// Rewrites a jsii assembly (.jsii) without its documentation: every "docs"
// object is dropped and the JSON is written without indentation; nothing
// else changes (same keys in the same order, same values). The jsii kernel
// reads types, members and their signatures from the assembly, never their
// documentation, and parsing a third of the bytes costs a third of the time
// and memory. Usage: node strip-assembly-docs.js <file> <package name>.
// Exit status 3, file untouched: not a jsii/0.10.0 assembly of that package.
"use strict";
const fs = require("fs");

function fail(why) {
  console.error(why);
  process.exit(3);
}

const [file, name] = process.argv.slice(-2);
const src = fs.readFileSync(file, "utf8");
let assembly;
try {
  assembly = JSON.parse(src);
} catch (e) {
  fail(`${file} is not JSON: ${e.message}`);
}
const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
if (!isObject(assembly) || assembly.schema !== "jsii/0.10.0" || assembly.name !== name || !isObject(assembly.types) ||
    typeof assembly.jsiiVersion !== "string") {
  fail(`${file} is not a jsii/0.10.0 assembly of ${name}`);
}
// Maps keyed by names the assembly does not control must not hold a "docs"
// entry that would be taken for documentation.
for (const map of ["dependencies", "dependencyClosure", "types", "submodules"]) {
  if (isObject(assembly[map]) && Object.prototype.hasOwnProperty.call(assembly[map], "docs")) {
    fail(`${file}: ${map} has an entry named "docs"`);
  }
}
const out = JSON.stringify(assembly, (key, value) => (key === "docs" && isObject(value) ? undefined : value));
if (out === src) {
  console.log("unchanged");
} else {
  fs.writeFileSync(`${file}.tmp`, out, { mode: fs.statSync(file).mode & 0o777 });
  fs.renameSync(`${file}.tmp`, file);
  console.log("rewritten");
}
