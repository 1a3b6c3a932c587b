#!/usr/bin/env bash
# One command from a fresh Debian 12 machine to a running nimbus:
# installs the packages, builds, and serves on 127.0.0.1:4566 with data in
# ./.nimbus. Extra arguments go to `nimbus serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
cat <<'TXT'

nimbus is starting on http://127.0.0.1:4566 (credentials test / test). Try:
  export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1
  aws --endpoint-url http://127.0.0.1:4566 s3 mb s3://photos
  aws --endpoint-url http://127.0.0.1:4566 s3 cp README.md s3://photos/input/README.md
  aws --endpoint-url http://127.0.0.1:4566 s3 ls s3://photos --recursive

TXT
exec build/src/cli/nimbus serve --data-dir ./.nimbus "$@"
