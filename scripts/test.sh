#!/usr/bin/env bash
# Runs the whole test suite (Java unit tests, generated-C tests on the host, golden comparisons).
# Tests that need ../shared/assets are skipped with a message when it is absent.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/setup.sh"
cd "$root"
exec mvn -B -ntp verify "$@"
