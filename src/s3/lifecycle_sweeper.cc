#include "s3/lifecycle_sweeper.h"

#include <spdlog/spdlog.h>

#include "base/time.h"
#include "s3/errors.h"
#include "s3/lifecycle.h"
#include "storage/store.h"

namespace nimbus::s3 {

namespace {

constexpr const char* kSetting = "lifecycle";

bool due(const LifecycleRule& r, int64_t created_ms, int64_t now_ms, int64_t day_ms) {
  if (r.expiration_days && now_ms >= lifecycle_due_ms(created_ms, *r.expiration_days, day_ms)) return true;
  return r.expiration_date_ms && now_ms >= *r.expiration_date_ms;
}

}  // namespace

LifecycleSweeper::LifecycleSweeper(storage::Store& store, SweeperOptions options)
    : store_(store), options_(options) {}

LifecycleSweeper::~LifecycleSweeper() { stop(); }

void LifecycleSweeper::start() { thread_ = std::thread([this] { run(); }); }

void LifecycleSweeper::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void LifecycleSweeper::run() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    lock.unlock();
    auto counts = sweep_once(base::now_ms());
    if (counts.expired || counts.aborted_uploads)
      spdlog::info("lifecycle: expired {} objects, aborted {} incomplete uploads", counts.expired,
                   counts.aborted_uploads);
    lock.lock();
    wake_.wait_for(lock, std::chrono::milliseconds(options_.interval_ms), [this] { return stopping_; });
  }
}

SweepCounts LifecycleSweeper::sweep_once(int64_t now_ms) {
  SweepCounts counts;
  for (const auto& bucket : store_.list_buckets()) {
    auto doc = store_.get_bucket_setting(bucket.name, kSetting);
    if (!doc || !*doc) continue;
    S3Error err;
    auto rules = parse_lifecycle_configuration(**doc, err);
    if (!rules) {
      spdlog::warn("lifecycle: bucket {}: stored rules do not parse ({}); skipped", bucket.name, err.message);
      continue;
    }
    for (const auto& rule : *rules) {
      if (!rule.enabled) continue;
      if (rule.expiration_days || rule.expiration_date_ms) expire_current(bucket.name, rule, now_ms, counts);
      if (rule.noncurrent_days || rule.expired_object_delete_marker.value_or(false))
        expire_versions(bucket.name, rule, now_ms, counts);
      if (rule.abort_incomplete_upload_days) abort_uploads(bucket.name, rule, now_ms, counts);
    }
  }
  return counts;
}

// Current versions past Days or Date: deleted (a delete marker in a versioned bucket).
void LifecycleSweeper::expire_current(const std::string& bucket, const LifecycleRule& rule, int64_t now_ms,
                                      SweepCounts& counts) {
  storage::ListQuery q;
  q.prefix = rule.filter.prefix;
  while (true) {
    auto page = store_.list_objects(bucket, q);
    if (!page) return;
    for (const auto& o : page->objects) {
      if (!lifecycle_filter_matches(rule.filter, o.key, o.size, o.tags)) continue;
      if (!due(rule, o.last_modified_ms, now_ms, options_.day_ms)) continue;
      auto removed = store_.delete_object(bucket, o.key, context());
      if (removed && removed->existed) ++counts.expired;
    }
    if (!page->truncated || page->objects.empty()) return;
    q.start_after = page->objects.back().key;
  }
}

// Noncurrent versions NoncurrentDays after they stopped being current (beyond
// the NewerNoncurrentVersions newest kept), and delete markers left alone with
// no versions behind them (ExpiredObjectDeleteMarker): removed for good.
void LifecycleSweeper::expire_versions(const std::string& bucket, const LifecycleRule& rule, int64_t now_ms,
                                       SweepCounts& counts) {
  storage::ListVersionsQuery q;
  q.prefix = rule.filter.prefix;
  std::vector<storage::ObjectMeta> key_versions;  // one key's, newest first
  auto settle_key = [&] {
    if (key_versions.empty()) return;
    const std::string& key = key_versions.front().key;
    if (rule.expired_object_delete_marker.value_or(false) && key_versions.size() == 1 &&
        key_versions.front().delete_marker && key_versions.front().is_latest) {
      auto removed = store_.delete_object(bucket, key, context(), {}, key_versions.front().version_id);
      if (removed) ++counts.expired;
    }
    if (rule.noncurrent_days) {
      int noncurrent_seen = 0;
      for (size_t i = 1; i < key_versions.size(); ++i) {
        const auto& v = key_versions[i];
        if (v.delete_marker) continue;
        ++noncurrent_seen;
        if (rule.newer_noncurrent_versions && noncurrent_seen <= *rule.newer_noncurrent_versions) continue;
        if (!lifecycle_filter_matches(rule.filter, v.key, v.size, v.tags)) continue;
        // It became noncurrent when the next newer version was written.
        int64_t noncurrent_since = key_versions[i - 1].last_modified_ms;
        if (now_ms < lifecycle_due_ms(noncurrent_since, *rule.noncurrent_days, options_.day_ms)) continue;
        auto removed = store_.delete_object(bucket, v.key, context(), {}, v.version_id);
        if (removed) ++counts.expired;
      }
    }
    key_versions.clear();
  };
  while (true) {
    auto page = store_.list_versions(bucket, q);
    if (!page) return;
    for (auto& v : page->versions) {
      if (!key_versions.empty() && key_versions.front().key != v.key) settle_key();
      key_versions.push_back(std::move(v));
    }
    if (!page->truncated) break;
    q.key_marker = page->next_key_marker;
    q.version_id_marker = page->next_version_id_marker;
  }
  settle_key();
}

void LifecycleSweeper::abort_uploads(const std::string& bucket, const LifecycleRule& rule, int64_t now_ms,
                                     SweepCounts& counts) {
  storage::ListUploadsQuery q;
  q.prefix = rule.filter.prefix;
  while (true) {
    auto page = store_.list_uploads(bucket, q);
    if (!page) return;
    for (const auto& u : page->uploads)
      if (now_ms >= lifecycle_due_ms(u.initiated_ms, *rule.abort_incomplete_upload_days, options_.day_ms) &&
          store_.abort_upload(u))
        ++counts.aborted_uploads;
    if (!page->truncated) return;
    q.key_marker = page->next_key_marker;
    q.upload_id_marker = page->next_upload_id_marker;
  }
}

storage::RequestContext LifecycleSweeper::context() {
  storage::RequestContext ctx;
  ctx.request_id = "lifecycle";
  ctx.principal = "s3.amazonaws.com";  // who S3 names as the requester of lifecycle events
  ctx.lifecycle = true;
  return ctx;
}

}  // namespace nimbus::s3
