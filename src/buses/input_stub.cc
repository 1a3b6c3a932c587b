#include "buses/input.h"
#include <boost/json/serialize.hpp>
namespace nimbus::buses {
base::Status validate_target_input(const TargetInput&) { return {}; }
std::string render_target_input(const TargetInput& in, const boost::json::value& event, const RuleContext&) {
  if (in.input) return *in.input;
  return boost::json::serialize(event);
}
}
