# Bucket versioning: included by tests/e2e/test_terraform.py only when the
# nimbus under test answers PutBucketVersioning.
resource "aws_s3_bucket_versioning" "uploads" {
  bucket = aws_s3_bucket.uploads.id

  versioning_configuration {
    status = "Enabled"
  }
}
