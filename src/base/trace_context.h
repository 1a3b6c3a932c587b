// Trace context as AWS X-Ray passes it (`X-Amzn-Trace-Id: Root=1-5759e988-
// bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1`) and as W3C
// Trace Context does (`traceparent: 00-<32 hex>-<16 hex>-01`), read from
// either and written as X-Ray's, the form Lambda's runtimes and AWS SDKs use.
#pragma once

#include <string>
#include <string_view>

namespace nimbus::base {

struct TraceContext {
  std::string root;    // "1-5759e988-bd862e3fe1be46a994272793"
  std::string parent;  // the calling span's id, 16 hex; empty at the start of a trace
  bool sampled = true;

  bool valid() const { return !root.empty(); }
  std::string header() const;  // X-Amzn-Trace-Id value
  std::string w3c_trace_id() const;  // the 32 hex digits of root
};

// From an X-Amzn-Trace-Id value, else a traceparent value; invalid if neither parses.
TraceContext parse_trace_context(std::string_view amzn_trace_id, std::string_view traceparent = {});
TraceContext new_trace();          // a new root, sampled, no parent
std::string new_span_id();         // 16 hex digits

}  // namespace nimbus::base
