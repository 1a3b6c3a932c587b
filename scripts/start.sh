#!/usr/bin/env bash
# One command from a fresh Debian 12 machine to a running nimbus:
# installs the packages, builds, serves on 127.0.0.1:4566 with data in
# ./.nimbus, and deploys the reference applications (examples/thumbnail).
# Extra arguments go to `nimbus serve`. Ctrl-C stops nimbus.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh

port=4566
endpoint="http://127.0.0.1:$port"
build/src/cli/nimbus serve --port "$port" --data-dir ./.nimbus "$@" &
server=$!
trap 'kill -TERM "$server" 2>/dev/null; wait "$server"' INT TERM
for _ in $(seq 100); do
  curl -sf "$endpoint/_nimbus/health" >/dev/null && break
  kill -0 "$server" 2>/dev/null || { wait "$server"; exit 1; }
  sleep 0.1
done

examples/thumbnail/deploy.sh "$endpoint"
# A picture to try it with.
sample="$PWD/.nimbus/sample.jpg"
[ -f "$sample" ] || /usr/bin/python3 - "$sample" <<'PY'
import sys
from PIL import Image, ImageDraw
im = Image.new("RGB", (1600, 1200), (30, 90, 160))
d = ImageDraw.Draw(im)
for i in range(0, 1600, 100):
    d.ellipse((i, i * 3 // 4, i + 300, i * 3 // 4 + 300), fill=(250, 180 - i // 10, 40 + i // 12))
im.save(sys.argv[1], quality=90)
PY

cat <<TXT

nimbus is running on $endpoint (credentials test / test), with the thumbnail
application deployed: pictures put under s3://photos/input/ get a 200x200
thumbnail under s3://photos/serverless/input/. Try:

  export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1
  aws --endpoint-url $endpoint s3 cp $sample s3://photos/input/sample.jpg
  aws --endpoint-url $endpoint s3 ls s3://photos --recursive
  aws --endpoint-url $endpoint s3 cp s3://photos/serverless/input/sample.jpg thumbnail.jpg

TXT
wait "$server"
