#!/usr/bin/env bash
# Synthesizes the default configuration and every file in examples/ and runs
# the access check (cmd/check-access) over each: every expectation derived
# from the configuration must hold.
set -euo pipefail
cd "$(dirname "$0")/.."

out="$(pwd)/cdktf.out.access"
rm -rf "$out"
mkdir -p "$out"
go build -o "$out/cloudtrail-mrk" .
go build -o "$out/check-access" ./cmd/check-access

configs=("default=")
for f in examples/*.yaml; do
  configs+=("$(basename "$f" .yaml)=$f")
done
status=0
for c in "${configs[@]}"; do
  name=${c%%=*}
  file=${c#*=}
  CLOUDTRAIL_MRK_CONFIG="$file" CDKTF_OUTDIR="$out/$name" "$out/cloudtrail-mrk"
  CLOUDTRAIL_MRK_CONFIG="$file" "$out/check-access" -out "$out/$name" || status=1
done
exit $status
