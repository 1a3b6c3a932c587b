// Glob matching as IAM matches actions and resources: '*' any run of
// characters (none included), '?' exactly one. S3 bucket policies, REST
// authorizers' policies and HTTP API authorizers' identity rules all use it.
// Iterative, backtracking only to the last star: no recursion, and a hostile
// pattern costs at most pattern x text steps.
// THREADING RULE: a pure function; any thread.
#pragma once

#include <string_view>

namespace nimbus::base {

bool wildcard_match(std::string_view pattern, std::string_view text, bool case_insensitive = false);

}  // namespace nimbus::base
