#!/usr/bin/env bash
# The API contract, checked by third-party tools: docs/openapi.yaml against Spectral's
# OpenAPI rules (.spectral.yaml: spectral:oas, nothing switched off; any finding, even a
# hint, fails), then a sweep of every route, good and bad requests, sent to a real
# mock-server through Prism's validating proxy (tests/contract/sweep.mjs): any response that
# breaks the document fails; then the simulated upstream's answers validated against Klaviyo's
# own documents (tests/contract/klaviyo-upstream.test.mjs). Expects LIVEDATA_MOCK_SERVER (default build/mock-server/mock-server).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
export LIVEDATA_MOCK_SERVER=${LIVEDATA_MOCK_SERVER:-$root/build/mock-server/mock-server}

(cd "$root/tests/contract" && npm ci --no-audit --no-fund --loglevel=error)
echo "== contract: Spectral (spectral:oas) on docs/openapi.yaml"
"$root/tests/contract/node_modules/.bin/spectral" lint "$root/docs/openapi.yaml" \
  --ruleset "$root/.spectral.yaml" --fail-severity=hint
echo "== contract: every route through Prism's validating proxy"
node "$root/tests/contract/sweep.mjs"
echo "== contract: the simulated upstream against Klaviyo's OpenAPI documents (../shared/klaviyo-openapi)"
node --test "$root/tests/contract/klaviyo-upstream.test.mjs"
