#include "aws/protocol.h"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "aws/json_protocol.h"
#include "aws/query_protocol.h"

namespace nimbus::aws {

std::string_view protocol_name(Protocol p) {
  switch (p) {
    case Protocol::kJson10: return "json-1.0";
    case Protocol::kJson11: return "json-1.1";
    case Protocol::kQuery: return "query";
    case Protocol::kRestJson: return "rest-json";
    case Protocol::kRestXml: return "rest-xml";
  }
  return "unknown";
}

http::Response error_response(Protocol p, const ServiceError& e, std::string_view request_id,
                              std::string_view xml_namespace) {
  http::Response r;
  r.status = e.status;
  switch (p) {
    case Protocol::kJson10:
    case Protocol::kJson11:
    case Protocol::kRestJson: {
      // One JSON error shape: botocore reads __type (or x-amzn-ErrorType)
      // and message; Lambda's clients also read Type and Reason.
      boost::json::object body{{"__type", e.code}, {"message", e.message}};
      if (p == Protocol::kRestJson) body["Type"] = e.sender ? "User" : "Service";
      if (!e.reason.empty()) body["Reason"] = e.reason;
      r.set("Content-Type", std::string(json_content_type(p)));
      r.set("x-amzn-ErrorType", e.code);
      r.set("x-amzn-RequestId", std::string(request_id));
      if (!e.query_code.empty()) r.set("x-amzn-query-error", e.query_code + (e.sender ? ";Sender" : ";Receiver"));
      r.body = boost::json::serialize(body);
      return r;
    }
    case Protocol::kQuery: {
      std::string xmlns = xml_namespace.empty() ? "" : " xmlns=\"" + xml_escape(xml_namespace) + "\"";
      r.set("Content-Type", "text/xml");
      r.set("x-amzn-RequestId", std::string(request_id));
      r.body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ErrorResponse" + xmlns + "><Error><Type>" +
               (e.sender ? "Sender" : "Receiver") + "</Type><Code>" +
               xml_escape(e.query_code.empty() ? e.code : e.query_code) + "</Code><Message>" +
               xml_escape(e.message) + "</Message></Error><RequestId>" + xml_escape(request_id) +
               "</RequestId></ErrorResponse>";
      return r;
    }
    case Protocol::kRestXml: {
      r.set("Content-Type", "application/xml");
      r.set("x-amz-request-id", std::string(request_id));
      r.body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + xml_escape(e.code) + "</Code><Message>" +
               xml_escape(e.message) + "</Message><RequestId>" + xml_escape(request_id) + "</RequestId></Error>";
      return r;
    }
  }
  return r;
}

Protocol infer_protocol(const http::Request& req, Protocol fallback) {
  std::string type = req.header("content-type");
  if (!req.header("x-amz-target").empty())
    return type.find("x-amz-json-1.0") != std::string::npos ? Protocol::kJson10 : Protocol::kJson11;
  if (type.rfind("application/x-www-form-urlencoded", 0) == 0) return Protocol::kQuery;
  size_t q = req.target.find('?');
  if (q != std::string::npos) {
    std::string_view query = std::string_view(req.target).substr(q + 1);
    if (query.rfind("Action=", 0) == 0 || query.find("&Action=") != std::string_view::npos) return Protocol::kQuery;
  }
  return fallback;
}

}  // namespace nimbus::aws
