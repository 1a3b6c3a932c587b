# A function URL for the alias (issue 13): aws_lambda_function_url calls
# Create/Get/Update/DeleteFunctionUrlConfig.
resource "aws_lambda_function_url" "live" {
  function_name      = aws_lambda_function.on_upload.function_name
  qualifier          = aws_lambda_alias.live.name
  authorization_type = "NONE"
  cors {
    allow_origins = ["https://example.com"]
    allow_methods = ["GET", "POST"]
    max_age       = 60
  }
}

output "function_url" {
  value = aws_lambda_function_url.live.function_url
}
