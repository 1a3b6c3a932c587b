// A queue one thread drains in batches: producers push from any thread and
// return at once; the writer thread hands everything queued since its last
// turn to `write` (one transaction per batch, not per item), and runs
// `periodic` (retention, exports) every so often. flush() waits until what
// was pushed before it has been written.
#pragma once

#include <malloc.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace nimbus::observability {

template <typename T>
class BatchWriter {
 public:
  struct Options {
    std::chrono::milliseconds interval{20};
    std::function<void(std::vector<T>&)> write;
    std::chrono::milliseconds periodic_interval{60000};
    std::function<void()> periodic;  // optional; first run one interval after start
  };

  explicit BatchWriter(Options options) : options_(std::move(options)) {
    thread_ = std::thread([this] { run(); });
  }
  ~BatchWriter() { stop(); }
  BatchWriter(const BatchWriter&) = delete;
  BatchWriter& operator=(const BatchWriter&) = delete;

  void push(std::vector<T> items, uint64_t bytes) {
    backlog_ += bytes;
    std::lock_guard lock(mu_);
    for (auto& i : items) queue_.push_back(std::move(i));
    queued_bytes_ += bytes;
    ++pushed_;
  }
  uint64_t backlog_bytes() const { return backlog_; }
  void flush() {
    std::unique_lock lock(mu_);
    uint64_t want = pushed_;
    wake_.notify_all();
    written_cv_.wait(lock, [&] { return written_ >= want || stopped_; });
  }
  // Writes what is queued, then ends the thread.
  void stop() {
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
      stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  void run() {
    auto next_periodic = std::chrono::steady_clock::now() + options_.periodic_interval;
    std::unique_lock lock(mu_);
    for (;;) {
      wake_.wait_for(lock, options_.interval, [&] { return stopping_ || !queue_.empty(); });
      if (!queue_.empty()) {
        std::vector<T> batch;
        batch.swap(queue_);
        uint64_t bytes = std::exchange(queued_bytes_, 0);
        uint64_t upto = pushed_;
        lock.unlock();
        options_.write(batch);
        backlog_ -= bytes;
        batch = {};
        // After a burst (a function printing megabytes) the freed memory would
        // stay with the process; hand it back to the system once drained. The
        // burst is counted across batches: on a loaded machine it arrives as
        // many small batches, and the one that drains it may itself be small.
        written_since_trim_ += bytes;
        if (written_since_trim_ > kTrimAfterBytes && backlog_ == 0) {
          ::malloc_trim(0);
          written_since_trim_ = 0;
        }
        lock.lock();
        written_ = upto;
        written_cv_.notify_all();
      }
      if (stopping_ && queue_.empty()) break;
      if (options_.periodic && std::chrono::steady_clock::now() >= next_periodic) {
        lock.unlock();
        options_.periodic();
        lock.lock();
        next_periodic = std::chrono::steady_clock::now() + options_.periodic_interval;
      }
    }
    stopped_ = true;
    written_cv_.notify_all();
  }

  static constexpr uint64_t kTrimAfterBytes = 4u << 20;
  Options options_;
  std::mutex mu_;
  std::condition_variable wake_, written_cv_;
  std::vector<T> queue_;
  uint64_t queued_bytes_ = 0;
  uint64_t written_since_trim_ = 0;  // writer thread only
  std::atomic<uint64_t> backlog_{0};
  uint64_t pushed_ = 0, written_ = 0;
  bool stopping_ = false, stopped_ = false;
  std::thread thread_;
};

}  // namespace nimbus::observability
