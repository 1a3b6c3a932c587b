// Log capture: turning what an instance writes into log lines, and how
// much of it nimbus's own log repeats.
// - LineSplitter cuts the output pipe's bytes into lines; a line longer than
//   one CloudWatch event (256 KiB less its 26 bytes of overhead) is passed on
//   in pieces, as Lambda splits it, so an instance printing without newlines
//   cannot grow nimbus's memory. A line that starts with kEventMark (ASCII
//   RS, 0x1E) is one event of several lines, written by nimbus's Python
//   runtime for an exception and its traceback as Lambda's runtime writes
//   them: the mark is dropped and each "\r" in it becomes a line break.
// - LogTail keeps an invocation's last 4 KB, what LogType=Tail returns.
// - EchoBudget lets nimbus's log have a function's first 200 lines in each
//   10 s window and then one summary line, so that a function printing in a
//   loop cannot fill the disk through nimbus's log (the log store, with its
//   own caps, gets every line).
//
// THREADING RULE: not thread-safe; each is owned by the invoker and used on
// its strand only.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "base/clock.h"

namespace nimbus::functions {

class LineSplitter {
 public:
  static constexpr size_t kMaxLineBytes = 256 * 1024 - 26;
  static constexpr char kEventMark = '\x1e';
  using OnLine = std::function<void(const std::string&)>;
  // Adds bytes read from the pipe; on_line gets each line completed by them.
  void feed(std::string_view bytes, const OnLine& on_line);
  // The output ended: an unterminated last line is passed on.
  void finish(const OnLine& on_line);

 private:
  // A line, or a piece of one (ends: false); the pieces after the first continue it.
  void pass(std::string line, bool ends, const OnLine& on_line);
  std::string partial_;
  bool continuing_ = false;  // the last piece passed on did not end its line
  bool framed_ = false;      // the line being passed on started with kEventMark
};

class LogTail {
 public:
  static constexpr size_t kTailBytes = 4096;
  void add(std::string_view line);
  std::string tail() const;

 private:
  std::string text_;
};

class EchoBudget {
 public:
  static constexpr uint64_t kLinesPerWindow = 200;
  static constexpr int64_t kWindowMs = 10'000;
  enum class Verdict {
    kEcho,       // write the line to nimbus's log
    kFirstHeld,  // do not; the first held back in this window: end_window() at window_end_ms()
    kHeld,       // do not
  };
  // in_log_store: the lines held back are in the log store (the summary says where).
  EchoBudget(const base::Clock& clock, bool in_log_store) : clock_(clock), in_log_store_(in_log_store) {}
  Verdict admit(const std::string& function);
  int64_t window_end_ms(const std::string& function) const;  // on the clock's steady time
  // Ends function's window, writing the summary of the lines held back (if
  // any) to nimbus's log.
  void end_window(const std::string& function);

 private:
  struct Window {
    std::optional<int64_t> start_ms;
    uint64_t lines = 0, held_back = 0;
  };
  const base::Clock& clock_;
  bool in_log_store_;
  std::map<std::string, Window> windows_;  // per function
};

}  // namespace nimbus::functions
