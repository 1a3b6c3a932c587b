// What a service declares to the edge: a ServiceDescriptor (name, SigV4
// signing names, X-Amz-Target prefixes, path prefixes, host patterns, wire
// protocol, error table, handler), and the Call its handler receives — the
// authenticated request, its caller, and replies/errors rendered in the
// service's protocol.
//
// Adding a JSON or query service:
//   ServiceDescriptor d;
//   d.name = "sts"; d.title = "STS"; d.protocol = Protocol::kQuery;
//   d.signing_names = {"sts"};
//   d.xml_namespace = "https://sts.amazonaws.com/doc/2011-06-15/";
//   d.operations = {"GetCallerIdentity", "AssumeRole"};
//   d.errors = &sts_error;                       // base::Error -> ServiceError, the one table
//   d.handler = [&](Call& c) { return service.handle(c); };
//   router.add(std::move(d));
// The handler then sees c.operation (from X-Amz-Target or Action; rest-json
// services set it from their RouteTable), c.body, c.params (query),
// c.caller, and answers c.reply(json) / c.reply_xml(result) / c.fail(error).
//
// THREADING RULE: descriptors are built before the server starts and read
// from io threads afterwards (const). A Call belongs to one request.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/value.hpp>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/sigv4.h"
#include "aws/authenticate.h"
#include "aws/protocol.h"
#include "aws/query_protocol.h"
#include "base/result.h"
#include "http/message.h"

namespace nimbus::aws {

class Call;
struct ServiceDescriptor;

using Handler = std::function<boost::asio::awaitable<http::Response>(Call&)>;
using RawHandler = std::function<boost::asio::awaitable<http::Response>(http::Request&)>;
using Matcher = std::function<bool(const http::Request&)>;

enum class AuthMode {
  kSigV4,  // the edge runs aws::authenticate before the handler (body read, signature verified)
  kOwn,    // the handler gets the raw request and authenticates itself (S3, the admin API)
};

struct ServiceDescriptor {
  std::string name;   // "logs": metrics' and spans' service label, routing tables
  std::string title;  // "CloudWatch Logs": for messages
  Protocol protocol = Protocol::kJson11;
  // A service that speaks two protocols (SQS: query or JSON 1.0, by
  // X-Amz-Target and Content-Type) chooses each request's here; null: `protocol`.
  std::function<Protocol(const http::Request&)> protocol_of;
  std::vector<std::string> signing_names;   // SigV4 scope services: {"logs"}; empty with kOwn: any
  std::vector<std::string> target_prefixes; // X-Amz-Target prefixes: {"Logs_20140328."}
  std::vector<std::string> path_prefixes;   // unsigned/unscoped requests by path: {"/2015-03-31/"}
  std::vector<std::string> host_patterns;   // "*.lambda-url.*": '*' matches one or more host labels' text
  std::string xml_namespace;                // query: the reply's xmlns
  std::string api_version;                  // query: the Version= requests carry (checked when set)
  std::vector<std::string> operations;      // JSON/query: known operations; others are refused
  ErrorTable errors = nullptr;              // null: every base::Error is 500 InternalFailure
  size_t max_body = 1 << 20;
  AuthMode auth = AuthMode::kSigV4;
  bool records_itself = false;              // S3 reports its own requests (s3::Options::on_request)
  // Checked before any signature is looked at, in registration order
  // (/_nimbus/, GET /metrics; API Gateway's and function URLs' unsigned
  // traffic next).
  Matcher claims;
  Handler handler;          // AuthMode::kSigV4
  RawHandler raw_handler;   // AuthMode::kOwn
};

class Call {
 public:
  Call(http::Request& req, const ServiceDescriptor& service, std::string request_id);

  http::Request& request;
  const ServiceDescriptor& service;
  Protocol protocol;      // this request's: the service's, or its protocol_of's choice
  std::string request_id;
  std::string operation;  // JSON: X-Amz-Target's suffix; query: Action; rest-json: set by the handler
  std::string body;       // read and hashed by the auth step
  auth::VerifiedRequest auth;
  Caller caller;
  QueryParams params;     // query protocol: Action's parameters (form body and URL query)
  std::string path() const { return request.target.substr(0, request.target.find('?')); }
  std::string url_query() const;

  // Replies and errors in the service's protocol.
  http::Response reply(const boost::json::value& body, int status = 200) const;  // JSON protocols
  http::Response reply_xml(std::string_view result_xml) const;                  // query: <OpResult> content
  http::Response fail(const base::Error& e) const;                              // via service.errors
  http::Response fail(const ServiceError& e) const;
};

// The protocol a request to this service speaks (protocol_of, else protocol).
Protocol protocol_for(const ServiceDescriptor& d, const http::Request& req);

}  // namespace nimbus::aws
