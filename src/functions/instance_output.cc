// Log capture on the invoker: an instance's output pipe read into lines,
// each line to the active invocation's log tail, the log store and (within
// the echo budget) nimbus's own log.
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <boost/asio/steady_timer.hpp>
#include <cerrno>

#include "functions/invoker_impl.h"

namespace nimbus::functions {

namespace asio = boost::asio;

void Invoker::Impl::log_line(Instance& inst, const std::string& line) {
  // What the child writes when its exec fails (process.cc): kept, so that its
  // exit is reported as Lambda reports a bootstrap that cannot run.
  if (!inst.init_ms && inst.exec_error.empty() && line.rfind("fork/exec ", 0) == 0) inst.exec_error = line;
  if (inst.active) inst.active->log.add(line);
  emit(inst, inst.active ? std::string_view(inst.active->inv.request_id) : std::string_view(), line);
}

void Invoker::Impl::emit(Instance& inst, std::string_view request_id, const std::string& line) {
  switch (echo.admit(inst.cfg.name)) {
    case EchoBudget::Verdict::kEcho:
      spdlog::info("[{}] {}", inst.cfg.name, line);
      break;
    case EchoBudget::Verdict::kFirstHeld: {
      // The summary is written when the window ends, whether or not the function goes on printing.
      auto wait = std::chrono::milliseconds(std::max<int64_t>(0, echo.window_end_ms(inst.cfg.name) - clock.steady_ms()));
      auto timer = std::make_shared<asio::steady_timer>(strand, wait);
      timer->async_wait([self = shared_from_this(), timer, name = inst.cfg.name](const boost::system::error_code&) {
        self->echo.end_window(name);
      });
      break;
    }
    case EchoBudget::Verdict::kHeld:
      break;
  }
  if (options.log_sink) options.log_sink(LogLine{inst.cfg.name, inst.log_stream, request_id, clock.now_ms(), line});
}

// Output is read on the strand only (readiness from the reactor, the read
// itself here), so finish() can take everything written before a response
// without racing a read in flight.
bool Invoker::Impl::drain_output(const std::shared_ptr<Instance>& inst) {
  if (!inst->output.is_open()) return false;
  auto on_line = [&](const std::string& line) { log_line(*inst, line); };
  for (;;) {
    ssize_t n = ::read(inst->output.native_handle(), inst->read_buf, sizeof inst->read_buf);
    if (n > 0) {
      inst->lines.feed(std::string_view(inst->read_buf, static_cast<size_t>(n)), on_line);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
    // End of output: the process (and everything it started) closed it.
    inst->lines.finish(on_line);
    boost::system::error_code ec;
    inst->output.close(ec);
    return false;
  }
}

void Invoker::Impl::read_output(const std::shared_ptr<Instance>& inst) {
  if (options.log_backlogged && options.log_backlogged()) {
    // The log store is behind: the output waits in the pipe, and the function with it.
    auto wait = std::make_shared<asio::steady_timer>(strand, std::chrono::milliseconds(10));
    wait->async_wait([self = shared_from_this(), inst, wait](const boost::system::error_code&) {
      if (inst->output.is_open()) self->read_output(inst);
    });
    return;
  }
  inst->output.async_wait(asio::posix::stream_descriptor::wait_read,
                          [self = shared_from_this(), inst](const boost::system::error_code& ec) {
                            if (ec) return;
                            if (self->drain_output(inst)) self->read_output(inst);
                          });
}

}  // namespace nimbus::functions
