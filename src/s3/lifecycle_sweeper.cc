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
    storage::RequestContext ctx;
    ctx.request_id = "lifecycle";
    ctx.principal = "s3.amazonaws.com";  // who S3 names as the requester of lifecycle events
    ctx.lifecycle = true;
    for (const auto& rule : *rules) {
      if (!rule.enabled) continue;
      if (rule.expiration_days || rule.expiration_date_ms) {
        storage::ListQuery q;
        q.prefix = rule.filter.prefix;
        q.max_keys = 1000;
        while (true) {
          auto page = store_.list_objects(bucket.name, q);
          if (!page) break;
          for (const auto& o : page->objects) {
            // Object tags are not kept yet, so a rule that filters by tags takes in nothing.
            if (!lifecycle_filter_matches(rule.filter, o.key, o.size, {})) continue;
            if (!due(rule, o.last_modified_ms, now_ms, options_.day_ms)) continue;
            auto removed = store_.delete_object(bucket.name, o.key, ctx);
            if (removed && *removed) ++counts.expired;
          }
          if (!page->truncated || page->objects.empty()) break;
          q.start_after = page->objects.back().key;
        }
      }
      if (rule.abort_incomplete_upload_days) {
        storage::ListUploadsQuery q;
        q.prefix = rule.filter.prefix;
        while (true) {
          auto page = store_.list_uploads(bucket.name, q);
          if (!page) break;
          for (const auto& u : page->uploads)
            if (now_ms >= lifecycle_due_ms(u.initiated_ms, *rule.abort_incomplete_upload_days, options_.day_ms) &&
                store_.abort_upload(u))
              ++counts.aborted_uploads;
          if (!page->truncated) break;
          q.key_marker = page->next_key_marker;
          q.upload_id_marker = page->next_upload_id_marker;
        }
      }
    }
  }
  return counts;
}

}  // namespace nimbus::s3
