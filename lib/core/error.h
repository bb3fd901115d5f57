// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Errors as values at I/O boundaries: Expected<T> = tl::expected<T, Error>.

#include <string>
#include <utility>

#include <tl/expected.hpp>

namespace ibackupmon {

struct Error {
  std::string code;     ///< stable machine-readable id, e.g. "password_protected", "sqlite_full"
  std::string message;  ///< one line for a human, naming what was wrong and where
};

template <class T>
using Expected = tl::expected<T, Error>;

inline tl::unexpected<Error> makeError(std::string code, std::string message) {
  return tl::unexpected<Error>(Error{std::move(code), std::move(message)});
}

}  // namespace ibackupmon
