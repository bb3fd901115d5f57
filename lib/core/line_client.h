// SPDX-License-Identifier: Apache-2.0
#pragma once
/// The client side of a JSON-lines control socket (ibackupmond's [alerts] control_socket,
/// ibackupmon-sim's --control): one request line out, one reply line back, on a fresh
/// connection to a UNIX stream socket. What the lines mean is the caller's.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"

namespace ibackupmon {

/// Error codes of exchangeLine; each message is the system's reason ("Connection refused")
/// alone, for the caller to put in its own words.
namespace line_error {
inline constexpr char kPathTooLong[] = "socket_path_too_long";
inline constexpr char kSocket[] = "socket";    ///< socket() failed
inline constexpr char kConnect[] = "connect";  ///< nobody listens there, or no access
inline constexpr char kSend[] = "send";  ///< the request could not be written, nor a reply read
inline constexpr char kNoReply[] = "no_reply";  ///< closed (or timed out) before a whole line
}  // namespace line_error

/// Sends `request` and a newline, then reads up to the first newline; returns that line without
/// it. With a timeout, a read that waits longer gives up (kNoReply); without one it waits as long
/// as the peer keeps the connection open. A peer that answers and closes before reading (a
/// server refusing a connection) is still heard: its reply is returned though the write failed.
Expected<std::string> exchangeLine(const std::string& socketPath, std::string_view request,
                                   std::optional<std::chrono::milliseconds> timeout);

}  // namespace ibackupmon
