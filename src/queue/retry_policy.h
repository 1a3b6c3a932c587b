// The retry policy of at-least-once delivery, as a pure function: given how
// many attempts a message has spent, its age, how the latest attempt ended
// and the configuration, what happens next. Lambda's asynchronous invocation
// rules are one configuration of it (retries spaced by a schedule, a maximum
// event age, throttles that wait without spending an attempt); event source
// mappings and EventBridge targets will be others.
// Threading: pure functions of values.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace nimbus::queue {

struct RetryConfig {
  // Waits before retry 1, 2, ...; the last repeats. Empty: retries wait throttle_delay_ms.
  std::vector<int64_t> delays_ms;
  int max_retries = 2;        // attempts after the first; the first failure past it dead-letters
  int64_t max_age_ms = 6LL * 3600 * 1000;  // a message older than this is not tried again
  int64_t throttle_delay_ms = 500;         // the wait after a throttled attempt
};

enum class AttemptOutcome {
  kSuccess,
  kFailed,     // the attempt ran and failed (a function error, a timeout): it counts
  kThrottled,  // could not start now (over a concurrency limit): does not count
  kGone,       // can never succeed (the target no longer exists)
};

struct RetryDecision {
  enum class Kind {
    kDone,            // settled: acknowledge
    kRetry,           // try again after delay_ms; the attempt was spent
    kRetryUnspent,    // try again after delay_ms without spending an attempt (throttled)
    kDeadLetter,      // give up, for `condition`
  };
  Kind kind = Kind::kDone;
  int64_t delay_ms = 0;
  std::string condition;  // kDeadLetter: "RetriesExhausted" or "EventAgeExceeded" (Lambda's names)
  int attempts = 0;       // attempts spent, the latest one included when it counted
  bool operator==(const RetryDecision&) const = default;
};

// attempts_before: attempts spent before the latest one; age_ms: now minus
// the message's first send.
RetryDecision decide_retry(int attempts_before, int64_t age_ms, AttemptOutcome outcome, const RetryConfig& config);

}  // namespace nimbus::queue
