#include "queue/retry_policy.h"

#include <algorithm>

namespace nimbus::queue {

RetryDecision decide_retry(int attempts_before, int64_t age_ms, AttemptOutcome outcome, const RetryConfig& config) {
  using Kind = RetryDecision::Kind;
  if (outcome == AttemptOutcome::kSuccess) return {Kind::kDone, 0, "", attempts_before + 1};
  bool throttled = outcome == AttemptOutcome::kThrottled;
  int attempts = throttled ? attempts_before : attempts_before + 1;
  // Age is checked first: a throttled message waits, but not past its maximum age.
  if (age_ms > config.max_age_ms) return {Kind::kDeadLetter, 0, "EventAgeExceeded", attempts};
  if (outcome == AttemptOutcome::kGone || attempts > config.max_retries)
    return {Kind::kDeadLetter, 0, "RetriesExhausted", attempts};
  if (throttled || config.delays_ms.empty()) {
    return {throttled ? Kind::kRetryUnspent : Kind::kRetry, config.throttle_delay_ms, "", attempts};
  }
  size_t step = std::min(static_cast<size_t>(attempts - 1), config.delays_ms.size() - 1);
  return {Kind::kRetry, config.delays_ms[step], "", attempts};
}

}  // namespace nimbus::queue
