// Sends spans to an OpenTelemetry collector as OTLP/HTTP JSON: POST
// <endpoint>/v1/traces with resourceSpans (service.name "nimbus"). Trace
// ids are X-Ray's roots as 32 hex digits, as X-Ray and W3C map them. A
// collector that is down or slow (2 s) costs a warning and that batch.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "observability/span_store.h"

namespace nimbus::observability {

class OtlpExporter {
 public:
  // endpoint: http://host:port (then /v1/traces is added) or a full .../v1/traces URL.
  static base::Result<std::unique_ptr<OtlpExporter>> create(const std::string& endpoint);
  ~OtlpExporter();
  void send(const std::vector<Span>& spans);
  static std::string to_json(const std::vector<Span>& spans);

  struct Impl;

 private:
  explicit OtlpExporter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace nimbus::observability
