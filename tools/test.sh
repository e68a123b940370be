#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite (unit, CLI, golden, round trip,
# and the differential tests against the official chat templates).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
ctest --test-dir build --output-on-failure -j "$(nproc)"
