#!/usr/bin/env bash
# Run the whole test suite in the development environment (built or refreshed first).
# Extra arguments go to pytest, e.g. tools/test.sh -k zoo
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$repo/tools/setup_env.sh"
# shellcheck source=tools/env.sh
source "$repo/tools/env.sh"
cd "$repo"
exec python -m pytest test "$@"
