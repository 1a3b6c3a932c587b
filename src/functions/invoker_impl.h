// The invoker's insides, shared by the files that implement it (internal to
// functions/): invoker.cc (the invocation's life: admit, start, dispatch,
// finish, stop, exit), instance.cc (the runtime's side of an instance),
// instance_output.cc (log capture), provisioned.cc (always-warm instances).
//
// THREADING RULE: everything here runs on `strand`; the strand never blocks
// (the registry's reads take a snapshot, log sinks queue, the spawner's calls
// are short). Only `pools.total()` and `key_depth` (under keys_mu) are read
// from other threads.
#pragma once

#include <boost/asio/io_context.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "base/clock.h"
#include "functions/instance.h"
#include "functions/invoker.h"
#include "functions/log_capture.h"
#include "functions/pools.h"
#include "functions/spawner.h"

namespace nimbus::functions {

struct Invoker::Impl : std::enable_shared_from_this<Invoker::Impl> {
  Impl(boost::asio::io_context& io, Registry& registry, RuntimeEndpointFactory& endpoints, InvokerOptions options);

  boost::asio::io_context& io;
  Strand strand;
  Registry& registry;
  RuntimeEndpointFactory& endpoints;
  InvokerOptions options;
  const base::Clock& clock;
  std::shared_ptr<ProcessSpawner> spawner;
  Pools pools;
  bool stopping = false;
  std::map<std::pair<std::string, std::string>, int> provisioned;  // (function, qualifier) -> warm instances
  mutable std::mutex keys_mu;
  std::map<std::string, int> key_depth;  // instance access key -> depth of its current invocation
  EchoBudget echo;  // a function's output lines copied to nimbus's own log

  // invoker.cc
  void invoke(InvokeRequest req, InvokeDone done);
  base::Result<std::shared_ptr<Instance>> start(const FunctionConfig& cfg);
  // Fails an invocation no instance could start for (Runtime.InvalidEntrypoint: reason).
  void fail_entrypoint(const FunctionConfig& cfg, const Invocation& inv, const std::string& reason, InvokeDone done);
  void dispatch(const std::shared_ptr<Instance>& inst, Invocation inv, InvokeDone done,
                std::shared_ptr<ResponseStream> stream = nullptr);
  void hand_out(Instance& inst);
  void finish(const std::shared_ptr<Instance>& inst, InvokeResult result);
  // A streamed invocation's head, once (instance.cc and finish()).
  void send_head(Instance& inst, bool streamed, std::string content_type);
  void stop(const std::shared_ptr<Instance>& inst);
  void on_exit(const std::shared_ptr<Instance>& inst);
  void arm_idle(const std::shared_ptr<Instance>& inst);
  void record(const InvocationRecord& r) {
    if (options.on_invocation) options.on_invocation(r);
  }
  // instance_output.cc
  void read_output(const std::shared_ptr<Instance>& inst);
  bool drain_output(const std::shared_ptr<Instance>& inst);
  void log_line(Instance& inst, const std::string& line);  // the active invocation's, if any
  void emit(Instance& inst, std::string_view request_id, const std::string& line);
  // provisioned.cc
  void reconcile(const std::string& function, const std::string& qualifier);
};

}  // namespace nimbus::functions
