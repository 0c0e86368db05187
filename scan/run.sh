#!/usr/bin/env bash
# Synthesizes the default configuration and every file in examples/ as HCL
# (Trivy misreads nested blocks in cdk.tf.json, and reads the HCL rendering
# correctly), scans every stack with Trivy's misconfiguration checks, and
# fails on any finding that scan/ignore.yaml does not accept with a reason.
set -euo pipefail
cd "$(dirname "$0")/.."

TRIVY_VERSION=v0.74.0
# Built once per machine and kept between runs.
cache="${XDG_CACHE_HOME:-$HOME/.cache}/cloudtrail-mrk/trivy-$TRIVY_VERSION"
trivy="$cache/trivy"
if [ ! -x "$trivy" ]; then
  echo "scan: building Trivy $TRIVY_VERSION into $cache (about 8 minutes on 2 cores, once per machine)"
  mkdir -p "$cache"
  GOEXPERIMENT=jsonv2 GOBIN="$cache" go install "github.com/aquasecurity/trivy/cmd/trivy@$TRIVY_VERSION"
fi

out="$(pwd)/cdktf.out.scan"
rm -rf "$out"
mkdir -p "$out/checks"
go build -o "$out/cloudtrail-mrk" .

# Trivy runs its S3 object-level logging checks (CIS 3.8/3.9: AWS-0171 and
# AWS-0172) only for a CIS compliance report, never in a plain config scan.
# So that the scan proves Trivy recognises the trail's data event selectors,
# run the same two checks, taken from the trivy-checks module Trivy
# v0.74.0 embeds, as custom checks USR-0171 and USR-0172.
CHECKS_VERSION=v1.12.2-0.20251219190323-79d27547baf5
checks_dir=$(go mod download -json "github.com/aquasecurity/trivy-checks@$CHECKS_VERSION" |
  sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
for check in enable_object_write_logging enable_object_read_logging; do
  sed -e 's/^package builtin\.aws\.s3\.aws\(0*[0-9]*\)$/package user.aws.s3.aws\1/' \
      -e 's/^#   id: AWS-/#   id: USR-/' \
      -e '/^#   frameworks:$/,/^#       - "3\.1[01]"$/d' \
      -e '/^#   aliases:$/,/^#     - enable-object-\(read\|write\)-logging$/d' \
      "$checks_dir/checks/cloud/aws/s3/$check.rego" > "$out/checks/$check.rego"
  grep -q '^#   id: USR-017[12]$' "$out/checks/$check.rego" ||
    { echo "scan: could not adapt Trivy's $check check" >&2; exit 2; }
done

configs=("default=")
for f in examples/*.yaml; do
  configs+=("$(basename "$f" .yaml)=$f")
done

reports=()
for c in "${configs[@]}"; do
  name=${c%%=*}
  file=${c#*=}
  CLOUDTRAIL_MRK_CONFIG="$file" SYNTH_HCL_OUTPUT=true CDKTF_OUTDIR="$out/$name" "$out/cloudtrail-mrk"
  for dir in "$out/$name"/stacks/*/; do
    stack=$(basename "$dir")
    "$trivy" config --skip-check-update --quiet --format json \
      --config-check "$out/checks" --check-namespaces user \
      --output "$out/$name.$stack.json" "$dir"
    reports+=("$name/$stack=$out/$name.$stack.json")
  done
done

go run ./scan -ignore scan/ignore.yaml "${reports[@]}"
