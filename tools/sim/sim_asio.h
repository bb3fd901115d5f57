// SPDX-License-Identifier: Apache-2.0
#pragma once
/// The simulator's single entry to Boost.Asio (<utility> first, as lib/app/asio.h does).

#include <utility>

#include <boost/asio.hpp>

namespace sim {
namespace asio = boost::asio;
/// One socket type for UNIX and TCP clients alike.
using Socket = asio::generic::stream_protocol::socket;
/// A coroutine. GCC 12 miscompiles `if (!co_await f())` (SIGILL) and double-destroys temporaries
/// inside a co_await expression: await into a named variable, pass named lvalues by reference.
template <class T>
using Task = asio::awaitable<T>;
}  // namespace sim
