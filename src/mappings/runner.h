// mappings::Runner: keeps one SqsPoller running for every enabled mapping in
// the Store, started, restarted and stopped as mappings change (the Store's
// listener calls reconcile()).
//
// THREADING RULE: reconcile() and stop() may be called from any thread but
// block while pollers stop (a join): call them from the blocking pool or
// the server's own threads, never an io thread. They serialise on a mutex.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "mappings/sqs_poller.h"
#include "mappings/store.h"

namespace nimbus::mappings {

class Runner {
 public:
  Runner(Store& store, sqs::Queues& queues, InvokeFunction invoke, PollerOptions options);
  ~Runner();
  void reconcile();
  void stop();
  size_t running() const;

 private:
  Store& store_;
  sqs::Queues& queues_;
  InvokeFunction invoke_;
  PollerOptions options_;
  mutable std::mutex mu_;
  bool stopped_ = false;
  std::map<std::string, std::unique_ptr<SqsPoller>> pollers_;  // by uuid
};

}  // namespace nimbus::mappings
