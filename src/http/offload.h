// offload(pool, fn): runs blocking work (disk I/O, fsync, SQLite) on a thread
// pool and resumes the calling coroutine on its own executor with the result.
// await_callback<T>(start): awaits a callback-style API; start(cb) must call
// cb(T) once, from any thread.
#pragma once

#include <boost/asio/async_result.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>
#include <optional>
#include <type_traits>

namespace nimbus::http {

template <typename F>
auto offload(boost::asio::thread_pool& pool, F fn) -> boost::asio::awaitable<std::invoke_result_t<F>> {
  using R = std::invoke_result_t<F>;
  // Asio's completion needs a default-constructible value: carry R in an optional.
  // The task is a named local, not a lambda inside the co_await operand: GCC 12
  // destroys a move-captured coroutine parameter there twice (a double free
  // when fn owns memory, as a captured std::function does).
  auto task = [fn = std::move(fn)]() mutable -> boost::asio::awaitable<std::optional<R>> { co_return fn(); };
  auto result = co_await boost::asio::co_spawn(pool, std::move(task), boost::asio::use_awaitable);
  co_return std::move(*result);
}

template <typename T, typename Start>
boost::asio::awaitable<T> await_callback(Start start) {
  namespace asio = boost::asio;
  // The initiation is a named local, not a temporary inside the co_await
  // expression: GCC 12 mishandles move-captured temporaries there.
  auto shared_start = std::make_shared<Start>(std::move(start));
  auto initiation = [shared_start](auto handler) {
    auto h = std::make_shared<decltype(handler)>(std::move(handler));
    (*shared_start)([h](T value) {
      auto ex = asio::get_associated_executor(*h);
      asio::post(ex, [h, value = std::move(value)]() mutable { (*h)(std::move(value)); });
    });
  };
  co_return co_await asio::async_initiate<decltype(asio::use_awaitable), void(T)>(initiation, asio::use_awaitable);
}

}  // namespace nimbus::http
