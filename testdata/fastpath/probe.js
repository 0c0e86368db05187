// Preloaded into the jsii runtime's Node.js processes (its launcher and the
// kernel it starts) by TestFastPathSynthesizesTheSameBytes
// (NODE_OPTIONS=--require): when a process exits, appends to the file named
// by CLOUDTRAIL_MRK_PROBE_OUT a line with how many modules of
// @cdktf/provider-aws's lib/ it loaded. It writes nothing to stdout, which
// carries the jsii protocol.
"use strict";
const fs = require("fs");
const path = require("path");
const lib = path.join("node_modules", "@cdktf", "provider-aws", "lib") + path.sep;
process.on("exit", () => {
  const n = Object.keys(require.cache).filter((p) => p.includes(lib)).length;
  fs.appendFileSync(process.env.CLOUDTRAIL_MRK_PROBE_OUT, `${n}\n`);
});
