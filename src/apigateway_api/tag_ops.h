// Private to apigateway_api/: the tag operations both APIs share. HTTP APIs
// (/v2/tags/ARN) and REST APIs (/tags/ARN) tag an API or one of its stages,
// named by an ARN arn:aws:apigateway:REGION::/<collection>/ID[/stages/NAME];
// the two differ only in the collection, the document kinds, the route's
// parameter name and TagResource's answer, which a TagScheme says.
// THREADING RULE: as every operation (call.h): io threads; writes go to the
// blocking pool through Deps::update.
#pragma once

#include <string_view>

#include "apigateway_api/call.h"

namespace nimbus::apigateway_api {

struct TagScheme {
  std::string_view collection;  // "apis" or "restapis"
  std::string_view api_kind, stage_kind;
  std::string_view what;        // "HTTP APIs", for the message refusing another ARN
  std::string_view arn_param;   // the route's capture holding the ARN
  int tagged_status;            // TagResource's status: 201 with {} (v2), 204 without a body (v1)
};

boost::asio::awaitable<http::Response> get_tags(Deps& d, Call& call, const TagScheme& scheme);
boost::asio::awaitable<http::Response> tag_resource(Deps& d, Call& call, const TagScheme& scheme);
boost::asio::awaitable<http::Response> untag_resource(Deps& d, Call& call, const TagScheme& scheme);

}  // namespace nimbus::apigateway_api
