#!/usr/bin/env bash
# Reproduces docs/results.md: the transfer-learning experiments (about half an hour on 2 cores).
# Needs ../shared/assets (person_detect) beside the project and Debian's dataset-fashion-mnist
# (scripts/setup.sh installs it).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/setup.sh"
exec "$root/mcutrain" experiments --out "$root/docs" "$@"
