// buses::Router: PutEvents' work between the wire and the durable queue.
// It checks each entry as EventBridge does (per-entry errors, never the
// whole request), builds the event envelope exactly as AWS writes it
// (version, id, detail-type, source, account, time, region, resources,
// detail), matches it against the enabled rules of its bus and hands one
// delivery per matching target, with the target's input rendered, to
// buses::Deliveries: all the request's deliveries in one transaction,
// durable before PutEvents answers. route() does the same for an event that
// arrives from another bus (a bus target).
//
// THREADING RULE: put_events() and route() fsync: call them from the
// blocking pool or a consumer's thread. test_pattern() is pure.
#pragma once

#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"

namespace nimbus::buses {

class Store;
class Deliveries;

struct PutEventsEntry {
  std::optional<std::string> source, detail_type, detail;
  std::string bus;  // a name or an ARN; empty: the default bus
  std::vector<std::string> resources;
  std::optional<int64_t> time_ms;
  std::string trace_header;
};

struct EntryResult {
  std::string event_id;  // set when accepted
  std::string error_code, error_message;
};

// The largest request PutEvents takes (all entries together), as AWS.
inline constexpr size_t kMaxPutEventsBytes = 256 * 1024;

class Router {
 public:
  Router(Store& store, Deliveries& deliveries, const base::Clock& clock = base::system_clock());

  // One result per entry, in order. An error of the whole call (the queue
  // could not be written) leaves nothing accepted.
  base::Result<std::vector<EntryResult>> put_events(const std::vector<PutEventsEntry>& entries);
  // An event from another bus: matched against this bus's rules and delivered.
  base::Status route(const std::string& bus, const std::string& event_json, const std::string& delivery_id);
  // A scheduled rule's event for its due time (AWS's Scheduled Event:
  // detail-type "Scheduled Event", source "aws.events", resources [the rule's
  // ARN], detail {}), delivered to every target of the rule. Idempotent per
  // (rule, due time) while the deliveries are queued.
  base::Status fire(const struct CompiledRule& rule, int64_t due_ms);
  // The same, for many rules due at once: their deliveries added to `out`,
  // for one enqueue() (one transaction, one fsync) of them all.
  void scheduled_deliveries(const CompiledRule& rule, int64_t due_ms, std::vector<struct Delivery>& out);
  base::Status enqueue(std::vector<Delivery> deliveries);
  // TestEventPattern: whether event (JSON text) matches pattern. InvalidArgument
  // (reason InvalidEventPatternException) for a bad pattern; InvalidArgument for a bad event.
  static base::Result<bool> test_pattern(const std::string& pattern, const std::string& event_json);

  // The bus name an entry's EventBusName (name or ARN) means.
  static std::string bus_name_of(const std::string& name_or_arn);

 private:
  // Adds the deliveries of one event to `out`.
  void deliver(const CompiledRule& compiled, const boost::json::value& event, const std::string& event_text,
               const std::string& id_prefix, const std::string& ingestion, std::vector<struct Delivery>& out);
  void match(const std::string& bus, const boost::json::value& event, const std::string& event_text,
             const std::string& id_prefix, std::vector<struct Delivery>& out);
  Store& store_;
  Deliveries& deliveries_;
  const base::Clock& clock_;
};

}  // namespace nimbus::buses
