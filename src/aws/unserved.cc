#include "aws/unserved.h"

#include <array>

namespace nimbus::aws {

namespace {

// The services the next issues add and those clients reach for first; any
// other scope is named by its signing name alone.
constexpr std::array kKnown = {
    KnownService{"dynamodb", "DynamoDB", Protocol::kJson10, "DynamoDB_20120810.", ""},
    KnownService{"dynamodb", "DynamoDB Streams", Protocol::kJson10, "DynamoDBStreams_20120810.", ""},
    KnownService{"iam", "IAM", Protocol::kQuery, "", "https://iam.amazonaws.com/doc/2010-05-08/"},
    KnownService{"events", "EventBridge", Protocol::kJson11, "AWSEvents.", ""},
    KnownService{"scheduler", "EventBridge Scheduler", Protocol::kRestJson, "", ""},
    KnownService{"cloudformation", "CloudFormation", Protocol::kQuery, "",
                 "http://cloudformation.amazonaws.com/doc/2010-05-15/"},
    KnownService{"apigateway", "API Gateway", Protocol::kRestJson, "", ""},
    KnownService{"execute-api", "API Gateway", Protocol::kRestJson, "", ""},
    KnownService{"kms", "KMS", Protocol::kJson11, "TrentService.", ""},
    KnownService{"secretsmanager", "Secrets Manager", Protocol::kJson11, "secretsmanager.", ""},
    KnownService{"ssm", "Systems Manager", Protocol::kJson11, "AmazonSSM.", ""},
    KnownService{"kinesis", "Kinesis", Protocol::kJson11, "Kinesis_20131202.", ""},
    KnownService{"monitoring", "CloudWatch", Protocol::kQuery, "GraniteServiceVersion20100801.",
                 "http://monitoring.amazonaws.com/doc/2010-08-01/"},
    KnownService{"states", "Step Functions", Protocol::kJson10, "AWSStepFunctions.", ""},
    KnownService{"ec2", "EC2", Protocol::kQuery, "", "http://ec2.amazonaws.com/doc/2016-11-15/"},
    KnownService{"ecr", "ECR", Protocol::kJson11, "AmazonEC2ContainerRegistry_V20150921.", ""},
    KnownService{"route53", "Route 53", Protocol::kRestXml, "", ""},
};

}  // namespace

std::optional<KnownService> known_by_signing_name(std::string_view name) {
  for (const auto& k : kKnown)
    if (k.signing_name == name) return k;
  return std::nullopt;
}

std::optional<KnownService> known_by_target(std::string_view target) {
  for (const auto& k : kKnown)
    if (!k.target_prefix.empty() && target.rfind(k.target_prefix, 0) == 0) return k;
  return std::nullopt;
}

http::Response unserved_response(const http::Request& req, std::string_view name, std::string_view request_id) {
  auto known = known_by_signing_name(name);
  if (!known) known = known_by_target(name);
  std::string label(name);
  if (known) label = std::string(known->title) + " (" + std::string(known->signing_name) + ")";
  else if (size_t dot = label.find('.'); dot != std::string::npos) label = label.substr(0, dot);
  Protocol p = infer_protocol(req, known ? known->protocol : Protocol::kJson11);
  bool query = p == Protocol::kQuery || p == Protocol::kRestXml;
  ServiceError e{501, query ? "NotImplemented" : "NotImplementedException",
                 "nimbus does not serve " + label + " yet", "", false};
  return error_response(p, e, request_id, known ? known->xml_namespace : std::string_view());
}

}  // namespace nimbus::aws
