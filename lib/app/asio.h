// SPDX-License-Identifier: Apache-2.0
#pragma once
/// The one way to include Boost.Asio: Boost 1.74's awaitable.hpp uses std::exchange without
/// including <utility>, which GCC 12 in C++20 rejects.

#include <utility>

#include <boost/asio.hpp>
