#include "aws/service.h"

#include "aws/json_protocol.h"

namespace nimbus::aws {

Call::Call(http::Request& req, const ServiceDescriptor& service, std::string request_id)
    : request(req), service(service), protocol(protocol_for(service, req)), request_id(std::move(request_id)) {}

std::string Call::url_query() const {
  size_t q = request.target.find('?');
  return q == std::string::npos ? std::string() : request.target.substr(q + 1);
}

http::Response Call::reply(const boost::json::value& body, int status) const {
  return json_response(protocol, body, request_id, status);
}

http::Response Call::reply_xml(std::string_view result_xml) const {
  return query_response(operation, service.xml_namespace, result_xml, request_id);
}

http::Response Call::fail(const base::Error& e) const {
  if (service.errors) return fail(service.errors(e));
  return fail(ServiceError{500, "InternalFailure", e.message, "", false});
}

http::Response Call::fail(const ServiceError& e) const {
  return error_response(protocol, e, request_id, service.xml_namespace);
}

}  // namespace nimbus::aws
