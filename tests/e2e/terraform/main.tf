# The Terraform configuration of tests/e2e/test_terraform.py: an S3 bucket
# whose uploads under incoming/ run a Python function, with the resources
# Terraform users put beside them. versioning.tf and cors.tf are copied in
# only when the nimbus under test serves those calls (the test probes).
#
# Pointing the provider at nimbus takes the provider block below: static
# keys, no credential or account lookups, path-style S3, and an endpoint per
# service the configuration uses.

terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "5.100.0"
    }
  }
}

variable "endpoint" {
  type = string
}

variable "bucket" {
  type = string
}

variable "function_zip" {
  type = string
}

provider "aws" {
  access_key                  = "test"
  secret_key                  = "test"
  region                      = "us-east-1"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  s3_use_path_style           = true

  endpoints {
    s3     = var.endpoint
    lambda = var.endpoint
    sts    = var.endpoint
    iam    = var.endpoint
    logs   = var.endpoint
  }
}

resource "aws_s3_bucket" "uploads" {
  bucket = var.bucket
  tags = {
    project = "nimbus-e2e"
  }
}

resource "aws_lambda_function" "on_upload" {
  function_name    = "tf-on-upload"
  role             = "arn:aws:iam::000000000000:role/lambda-role"
  runtime          = "python3.11"
  handler          = "app.handler"
  filename         = var.function_zip
  source_code_hash = filebase64sha256(var.function_zip)
  timeout          = 10
  memory_size      = 128
  publish          = true

  tracing_config {
    mode = "Active"
  }

  environment {
    variables = {
      MARK = "from-terraform"
    }
  }

  tags = {
    project = "nimbus-e2e"
  }
}

resource "aws_lambda_alias" "live" {
  name             = "live"
  function_name    = aws_lambda_function.on_upload.function_name
  function_version = aws_lambda_function.on_upload.version
}

resource "aws_lambda_function_event_invoke_config" "on_upload" {
  function_name                = aws_lambda_function.on_upload.function_name
  maximum_retry_attempts       = 1
  maximum_event_age_in_seconds = 600
}

resource "aws_lambda_permission" "from_s3" {
  statement_id  = "AllowS3Invoke"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.on_upload.function_name
  principal     = "s3.amazonaws.com"
  source_arn    = aws_s3_bucket.uploads.arn
}

resource "aws_s3_bucket_notification" "uploads" {
  bucket = aws_s3_bucket.uploads.id

  lambda_function {
    lambda_function_arn = aws_lambda_function.on_upload.arn
    events              = ["s3:ObjectCreated:*"]
    filter_prefix       = "incoming/"
  }

  depends_on = [aws_lambda_permission.from_s3]
}

resource "aws_s3_bucket_lifecycle_configuration" "uploads" {
  bucket = aws_s3_bucket.uploads.id

  rule {
    id     = "expire-incoming"
    status = "Enabled"

    filter {
      prefix = "incoming/"
    }

    expiration {
      days = 30
    }
  }

  rule {
    id     = "abort-uploads"
    status = "Enabled"

    filter {}

    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }
}

resource "aws_s3_bucket_public_access_block" "uploads" {
  bucket                  = aws_s3_bucket.uploads.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

output "function_arn" {
  value = aws_lambda_function.on_upload.arn
}

output "alias_arn" {
  value = aws_lambda_alias.live.arn
}
