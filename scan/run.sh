#!/usr/bin/env bash
# Synthesizes the default configuration and every file in examples/ as HCL
# (Trivy misreads nested blocks in cdk.tf.json, and reads the HCL rendering
# correctly), scans every stack with Trivy's misconfiguration checks, and
# fails on any finding that scan/ignore.yaml does not accept with a reason.
set -euo pipefail
cd "$(dirname "$0")/.."

TRIVY_VERSION=v0.74.0
# The pinned version only (its checks and their ids are what scan/ignore.yaml
# accepts findings of): a trivy on PATH when it is that version, else the one
# built here once per machine and kept between runs, else build it.
cache="${XDG_CACHE_HOME:-$HOME/.cache}/cloudtrail-mrk/trivy-$TRIVY_VERSION"
trivy="$cache/trivy"
if onpath=$(command -v trivy) && [ "$("$onpath" --version 2>/dev/null | sed -n 's/^Version: //p')" = "${TRIVY_VERSION#v}" ]; then
  trivy=$onpath
  echo "scan: using Trivy $TRIVY_VERSION from PATH ($trivy)"
elif [ -x "$trivy" ]; then
  echo "scan: using Trivy $TRIVY_VERSION from $cache"
else
  echo "scan: building Trivy $TRIVY_VERSION into $cache (about 8 minutes on 2 cores, once per machine)"
  mkdir -p "$cache"
  GOEXPERIMENT=jsonv2 GOBIN="$cache" go install "github.com/aquasecurity/trivy/cmd/trivy@$TRIVY_VERSION"
fi

out="$(pwd)/cdktf.out.scan"
rm -rf "$out"
mkdir -p "$out"
go build -o "$out/cloudtrail-mrk" .

# Trivy runs its S3 object-level logging checks (CIS 3.8/3.9: AWS-0171 and
# AWS-0172) only for a CIS compliance report, and its Terraform adapter does
# not read advanced_event_selector, so it cannot judge the trail's data
# events. The access check (access/run.sh, cmd/check-access) does: it
# evaluates the synthesized selectors against the events they must and must
# not log.

configs=("default=")
for f in examples/*.yaml; do
  configs+=("$(basename "$f" .yaml)=$f")
done

reports=()
for c in "${configs[@]}"; do
  name=${c%%=*}
  file=${c#*=}
  CLOUDTRAIL_MRK_CONFIG="$file" SYNTH_HCL_OUTPUT=true CDKTF_OUTDIR="$out/$name" "$out/cloudtrail-mrk"
  # Trivy reads this HCL; a part it cannot parse would be scanned less, or
  # not at all, without any finding. Repair what cdktf's rendering gets
  # wrong (scan/hcl.go), then Terraform's own parser must accept every file.
  go run ./scan -repair-hcl "$out/$name" >/dev/null
  if ! TF_CLI_CONFIG_FILE=/dev/null terraform fmt -recursive -write=false -list=false "$out/$name" >/dev/null; then
    echo "scan: the HCL rendering of $name does not parse (see terraform's message above)" >&2
    exit 2
  fi
  for dir in "$out/$name"/stacks/*/; do
    stack=$(basename "$dir")
    "$trivy" config --skip-check-update --quiet --format json \
      --output "$out/$name.$stack.json" "$dir"
    reports+=("$name/$stack=$out/$name.$stack.json")
  done
done

go run ./scan -ignore scan/ignore.yaml "${reports[@]}"
