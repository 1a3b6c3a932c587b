// offload(pool, fn): runs blocking work (disk I/O, fsync, SQLite) on a thread
// pool and resumes the calling coroutine on its own executor with the result.
#pragma once

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <optional>
#include <type_traits>

namespace nimbus::http {

template <typename F>
auto offload(boost::asio::thread_pool& pool, F fn) -> boost::asio::awaitable<std::invoke_result_t<F>> {
  using R = std::invoke_result_t<F>;
  // Asio's completion needs a default-constructible value: carry R in an optional.
  auto result = co_await boost::asio::co_spawn(
      pool, [fn = std::move(fn)]() mutable -> boost::asio::awaitable<std::optional<R>> { co_return fn(); },
      boost::asio::use_awaitable);
  co_return std::move(*result);
}

}  // namespace nimbus::http
