# The Terraform configuration of tests/e2e/test_terraform_apigateway.py: a
# Python echo function behind an HTTP API (apigatewayv2: CORS, a REQUEST
# Lambda authorizer, a named auto-deployed stage with throttling and stage
# variables) and behind a REST API (apigateway: a {proxy+} resource, an API
# key with a usage plan, method throttling).
#
# Pointing the provider at nimbus takes the provider block below: static
# keys, no credential or account lookups, and an endpoint per service the
# configuration uses (apigateway for REST APIs, apigatewayv2 for HTTP APIs).

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

  endpoints {
    apigateway   = var.endpoint
    apigatewayv2 = var.endpoint
    lambda       = var.endpoint
    sts          = var.endpoint
    iam          = var.endpoint
  }
}

resource "aws_lambda_function" "echo" {
  function_name    = "tf-api-echo"
  role             = "arn:aws:iam::000000000000:role/lambda-role"
  runtime          = "python3.11"
  handler          = "app.echo"
  filename         = var.function_zip
  source_code_hash = filebase64sha256(var.function_zip)
  timeout          = 10
}

resource "aws_lambda_function" "authorizer" {
  function_name    = "tf-api-authorizer"
  role             = "arn:aws:iam::000000000000:role/lambda-role"
  runtime          = "python3.11"
  handler          = "app.authorize"
  filename         = var.function_zip
  source_code_hash = filebase64sha256(var.function_zip)
  timeout          = 10
}

# ---------------------------------------------------------------- HTTP API

resource "aws_apigatewayv2_api" "http" {
  name          = "tf-http-api"
  protocol_type = "HTTP"
  description   = "made by Terraform"

  cors_configuration {
    allow_origins = ["https://app.example.com"]
    allow_methods = ["GET", "POST"]
    allow_headers = ["content-type", "x-token"]
    max_age       = 300
  }

  tags = {
    project = "nimbus-e2e"
  }
}

resource "aws_apigatewayv2_integration" "echo" {
  api_id                 = aws_apigatewayv2_api.http.id
  integration_type       = "AWS_PROXY"
  integration_uri        = aws_lambda_function.echo.invoke_arn
  integration_method     = "POST"
  payload_format_version = "2.0"
  timeout_milliseconds   = 10000
}

resource "aws_apigatewayv2_authorizer" "token" {
  api_id                            = aws_apigatewayv2_api.http.id
  name                              = "tf-token"
  authorizer_type                   = "REQUEST"
  authorizer_uri                    = aws_lambda_function.authorizer.invoke_arn
  authorizer_payload_format_version = "2.0"
  enable_simple_responses           = true
  identity_sources                  = ["$request.header.x-token"]
  authorizer_result_ttl_in_seconds  = 0
}

resource "aws_apigatewayv2_route" "item" {
  api_id             = aws_apigatewayv2_api.http.id
  route_key          = "GET /items/{id}"
  target             = "integrations/${aws_apigatewayv2_integration.echo.id}"
  authorization_type = "CUSTOM"
  authorizer_id      = aws_apigatewayv2_authorizer.token.id
}

resource "aws_apigatewayv2_route" "default" {
  api_id    = aws_apigatewayv2_api.http.id
  route_key = "$default"
  target    = "integrations/${aws_apigatewayv2_integration.echo.id}"
}

resource "aws_apigatewayv2_stage" "prod" {
  api_id      = aws_apigatewayv2_api.http.id
  name        = "prod"
  auto_deploy = true

  default_route_settings {
    throttling_burst_limit = 50
    throttling_rate_limit  = 100
  }

  stage_variables = {
    colour = "blue"
  }

  tags = {
    project = "nimbus-e2e"
  }
}

resource "aws_lambda_permission" "http_api" {
  statement_id  = "AllowHttpApi"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.echo.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_apigatewayv2_api.http.execution_arn}/*"
}

resource "aws_lambda_permission" "http_authorizer" {
  statement_id  = "AllowHttpApiAuthorizer"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.authorizer.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_apigatewayv2_api.http.execution_arn}/authorizers/${aws_apigatewayv2_authorizer.token.id}"
}

# ---------------------------------------------------------------- REST API

resource "aws_api_gateway_rest_api" "rest" {
  name        = "tf-rest-api"
  description = "made by Terraform"

  endpoint_configuration {
    types = ["REGIONAL"]
  }

  tags = {
    project = "nimbus-e2e"
  }
}

resource "aws_api_gateway_resource" "proxy" {
  rest_api_id = aws_api_gateway_rest_api.rest.id
  parent_id   = aws_api_gateway_rest_api.rest.root_resource_id
  path_part   = "{proxy+}"
}

resource "aws_api_gateway_resource" "keyed" {
  rest_api_id = aws_api_gateway_rest_api.rest.id
  parent_id   = aws_api_gateway_rest_api.rest.root_resource_id
  path_part   = "keyed"
}

resource "aws_api_gateway_method" "proxy_any" {
  rest_api_id   = aws_api_gateway_rest_api.rest.id
  resource_id   = aws_api_gateway_resource.proxy.id
  http_method   = "ANY"
  authorization = "NONE"
}

resource "aws_api_gateway_method" "keyed_get" {
  rest_api_id      = aws_api_gateway_rest_api.rest.id
  resource_id      = aws_api_gateway_resource.keyed.id
  http_method      = "GET"
  authorization    = "NONE"
  api_key_required = true
}

resource "aws_api_gateway_integration" "proxy_any" {
  rest_api_id             = aws_api_gateway_rest_api.rest.id
  resource_id             = aws_api_gateway_resource.proxy.id
  http_method             = aws_api_gateway_method.proxy_any.http_method
  type                    = "AWS_PROXY"
  integration_http_method = "POST"
  uri                     = aws_lambda_function.echo.invoke_arn
}

resource "aws_api_gateway_integration" "keyed_get" {
  rest_api_id             = aws_api_gateway_rest_api.rest.id
  resource_id             = aws_api_gateway_resource.keyed.id
  http_method             = aws_api_gateway_method.keyed_get.http_method
  type                    = "AWS_PROXY"
  integration_http_method = "POST"
  uri                     = aws_lambda_function.echo.invoke_arn
}

resource "aws_api_gateway_deployment" "rest" {
  rest_api_id = aws_api_gateway_rest_api.rest.id
  description = "first"

  triggers = {
    redeployment = sha1(jsonencode([
      aws_api_gateway_resource.proxy.id,
      aws_api_gateway_resource.keyed.id,
      aws_api_gateway_method.proxy_any.id,
      aws_api_gateway_method.keyed_get.id,
      aws_api_gateway_integration.proxy_any.id,
      aws_api_gateway_integration.keyed_get.id,
    ]))
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_api_gateway_stage" "test" {
  rest_api_id   = aws_api_gateway_rest_api.rest.id
  deployment_id = aws_api_gateway_deployment.rest.id
  stage_name    = "test"
  description   = "the test stage"

  variables = {
    colour = "green"
  }

  tags = {
    project = "nimbus-e2e"
  }
}

resource "aws_api_gateway_method_settings" "all" {
  rest_api_id = aws_api_gateway_rest_api.rest.id
  stage_name  = aws_api_gateway_stage.test.stage_name
  method_path = "*/*"

  settings {
    throttling_burst_limit = 40
    throttling_rate_limit  = 80
  }
}

resource "aws_api_gateway_api_key" "client" {
  name  = "tf-client"
  value = "tf-client-key-0123456789abcdef"
}

resource "aws_api_gateway_usage_plan" "basic" {
  name = "tf-basic"

  api_stages {
    api_id = aws_api_gateway_rest_api.rest.id
    stage  = aws_api_gateway_stage.test.stage_name
  }

  throttle_settings {
    burst_limit = 20
    rate_limit  = 10
  }

  quota_settings {
    limit  = 1000
    period = "DAY"
  }
}

resource "aws_api_gateway_usage_plan_key" "client" {
  key_id        = aws_api_gateway_api_key.client.id
  key_type      = "API_KEY"
  usage_plan_id = aws_api_gateway_usage_plan.basic.id
}

resource "aws_lambda_permission" "rest_api" {
  statement_id  = "AllowRestApi"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.echo.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_api_gateway_rest_api.rest.execution_arn}/*"
}

# ---------------------------------------------------------------- outputs

output "http_api_id" {
  value = aws_apigatewayv2_api.http.id
}

output "http_api_endpoint" {
  value = aws_apigatewayv2_api.http.api_endpoint
}

output "http_invoke_url" {
  value = aws_apigatewayv2_stage.prod.invoke_url
}

output "rest_api_id" {
  value = aws_api_gateway_rest_api.rest.id
}

output "rest_invoke_url" {
  value = aws_api_gateway_stage.test.invoke_url
}

output "api_key_id" {
  value = aws_api_gateway_api_key.client.id
}

output "usage_plan_id" {
  value = aws_api_gateway_usage_plan.basic.id
}
