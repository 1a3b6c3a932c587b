// buses::Store: EventBridge's event buses and rules (with their targets),
// durable in DATA_DIR/buses.db (WAL, synchronous=FULL) and held in memory
// for reads, each rule with its event pattern parsed once. A write goes to
// SQLite first and reaches the in-memory copy only once it is committed, so
// a reader never sees what a crash could take back. The default bus always
// exists.
//
// THREADING RULE: every method may be called from any thread. Reads copy
// under the state mutex: call them from io threads freely. Writes fsync:
// call them from the blocking pool; they serialise on a write mutex.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "buses/types.h"
#include "patterns/filter_policy.h"
#include "schedules/expression.h"

namespace nimbus::buses {

// A rule as the matcher uses it: the rule and its parsed pattern (null for a
// schedule-only rule, which matches no event).
struct CompiledRule {
  Rule rule;
  std::shared_ptr<const patterns::FilterPolicy> pattern;
  std::vector<InputPlan> inputs;  // each target's input, parsed once (rule.targets' order)
  std::shared_ptr<const schedules::Expression> schedule;  // a scheduled rule's expression, parsed
};

// A rule's ScheduleExpression, parsed, with PutRule's refusal text.
base::Result<schedules::Expression> parse_rule_schedule(const std::string& text);

// The event-pattern grammar, and its parse with EventBridge's refusal text
// (kInvalidArgument, reason "InvalidEventPatternException").
base::Result<patterns::FilterPolicy> parse_event_pattern(const std::string& text);

class Store {
 public:
  static base::Result<std::unique_ptr<Store>> open(const std::string& path, const std::string& region);
  ~Store();

  const std::string& region() const;
  std::string bus_arn(const std::string& name) const;
  std::string rule_arn(const std::string& bus, const std::string& name) const;

  // kAlreadyExists when it exists.
  base::Result<Bus> create_bus(Bus b);
  // kNotFound when absent; kInvalidArgument for the default bus; kConflict while it has rules.
  base::Status delete_bus(const std::string& name);
  std::optional<Bus> bus(const std::string& name) const;
  std::vector<Bus> buses() const;  // by name

  // Creates or replaces a rule (its targets and tags kept unless given).
  base::Result<Rule> put_rule(Rule r);
  // kConflict while it has targets; ok when absent.
  base::Status delete_rule(const std::string& bus, const std::string& name);
  base::Status set_state(const std::string& bus, const std::string& name, const std::string& state);
  base::Status set_targets(const std::string& bus, const std::string& name, std::vector<Target> targets);
  std::optional<Rule> rule(const std::string& bus, const std::string& name) const;
  std::vector<Rule> rules(const std::string& bus) const;  // by name
  // The enabled rules of a bus with an event pattern: what PutEvents matches against.
  std::vector<std::shared_ptr<const CompiledRule>> matchable(const std::string& bus) const;

  // The enabled rules with a ScheduleExpression: what the rule timer fires.
  std::vector<std::shared_ptr<const CompiledRule>> scheduled() const;
  std::shared_ptr<const CompiledRule> compiled(const std::string& bus, const std::string& name) const;
  // When a scheduled rule last fired (its due time), kept so that a restart
  // catches up at most once. Blocking (fsync).
  std::optional<int64_t> last_fired(const std::string& rule_arn) const;
  base::Status set_last_fired(const std::string& rule_arn, int64_t due_ms);
  base::Status set_last_fired(const std::vector<std::pair<std::string, int64_t>>& fires);  // one transaction
  // Called after every change to buses or rules, outside the store's locks
  // (the rule timer re-reads them). Set once, before use.
  void on_change(std::function<void()> listener);

  // Tags of a bus or rule, by ARN: kNotFound for neither.
  base::Status set_tags(const std::string& arn, std::map<std::string, std::string> tags);
  base::Result<std::map<std::string, std::string>> tags(const std::string& arn) const;

 private:
  struct Impl;
  explicit Store(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace nimbus::buses
