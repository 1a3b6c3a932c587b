#!/usr/bin/env bash
# Deploys the thumbnail pipeline into a running nimbus with the AWS CLI:
# a bucket, the `thumbnail` function (build/examples/thumbnail/bootstrap),
# and a notification that runs it for every object created under input/.
# Idempotent: run it again after a rebuild to redeploy the code.
#
#   examples/thumbnail/deploy.sh [ENDPOINT]     (default http://127.0.0.1:4566)
#   examples/thumbnail/deploy.sh --python [ENDPOINT]
#
# --python deploys the seed's own Python handler instead
# (examples/python/thumbnail/image_processing.py on the python3.11 runtime,
# Pillow) as `thumbnail-python` on bucket `photos-python`.
#
# BUCKET (photos), FUNCTION (thumbnail), THUMBNAIL_BOOTSTRAP (the built
# function) and the usual AWS_* variables
# (default test/test, us-east-1) change what it talks to; AWS_CLI picks the
# aws binary (default: Debian's /usr/bin/aws when present, else aws on PATH).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
python=false
[ "${1:-}" = "--python" ] && { python=true; shift; }
endpoint="${1:-http://127.0.0.1:4566}"
if $python; then
  bucket="${BUCKET:-photos-python}" function="${FUNCTION:-thumbnail-python}"
else
  bucket="${BUCKET:-photos}" function="${FUNCTION:-thumbnail}"
fi
export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-test}" AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-test}"
export AWS_DEFAULT_REGION="${AWS_DEFAULT_REGION:-${AWS_REGION:-us-east-1}}" AWS_PAGER=""
cli="${AWS_CLI:-}"
[ -n "$cli" ] || { [ -x /usr/bin/aws ] && cli=/usr/bin/aws; } || cli=aws
aws() { "$cli" --endpoint-url "$endpoint" --output text "$@"; }

package="$(mktemp -d)"
trap 'rm -rf "$package"' EXIT
if $python; then
  runtime=python3.11 handler=image_processing.lambda_handler environment="Variables={PYTHONUNBUFFERED=1}"
  (cd "$root/examples/python/thumbnail" && zip -q "$package/function.zip" image_processing.py)
else
  runtime=provided.al2023 handler=bootstrap environment="Variables={VIPS_CONCURRENCY=1}"
  bootstrap="${THUMBNAIL_BOOTSTRAP:-$root/build/examples/thumbnail/bootstrap}"
  [ -x "$bootstrap" ] || { echo "deploy: $bootstrap is missing; run scripts/build.sh" >&2; exit 1; }
  cp "$bootstrap" "$package/bootstrap"
  (cd "$package" && zip -q function.zip bootstrap)
fi

aws s3api head-bucket --bucket "$bucket" >/dev/null 2>&1 || aws s3api create-bucket --bucket "$bucket" >/dev/null
if aws lambda get-function --function-name "$function" >/dev/null 2>&1; then
  aws lambda update-function-code --function-name "$function" --zip-file "fileb://$package/function.zip" >/dev/null
else
  aws lambda create-function --function-name "$function" --runtime "$runtime" --handler "$handler" \
    --role "arn:aws:iam::000000000000:role/$function" --memory-size 512 --timeout 30 \
    --environment "$environment" \
    --zip-file "fileb://$package/function.zip" >/dev/null
fi
arn="arn:aws:lambda:$AWS_DEFAULT_REGION:000000000000:function:$function"
aws s3api put-bucket-notification-configuration --bucket "$bucket" --notification-configuration \
  "{\"LambdaFunctionConfigurations\":[{\"Id\":\"thumbnails\",\"LambdaFunctionArn\":\"$arn\",
    \"Events\":[\"s3:ObjectCreated:*\"],
    \"Filter\":{\"Key\":{\"FilterRules\":[{\"Name\":\"prefix\",\"Value\":\"input/\"}]}}}]}"
echo "deployed: s3://$bucket/input/* -> $function -> s3://$bucket/serverless/input/*"
