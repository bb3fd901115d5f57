// SPDX-License-Identifier: Apache-2.0
#pragma once
/// What idevicebackup2 (libimobiledevice 1.3.0) prints while it backs a device up, read as it
/// arrives: the overall progress, the device's ErrorCode and the last lines for a human.
///
/// The tool redraws progress bars with '\r' and prints two kinds of them:
///   "\r[=====   ...   ]  42% (1.2 MB/2.4 MB)     "  one batch of files being received
///   "\r[=====   ...   ]  10% Finished\n"            the device's overall progress
/// A failed backup prints "ErrorCode 208: Device locked (MBErrorDomain/208)" (the code is the
/// device's; the description is device text), "Received N files from device." and
/// "Backup Failed (Error Code 208)."; a successful one ends with "Backup Successful.". Its exit
/// status is -ErrorCode modulo 256 (0 for ErrorCode 256), so the ErrorCode line is the truth.
///
/// Into a pipe the tool's stdout is fully buffered: it flushes at every received block of file
/// data and at its exit, so an overall-progress line arrives with the next block at the latest.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ibackupmon::backup {

inline constexpr std::size_t kTailLines = 20;
inline constexpr std::size_t kMaxTailLineBytes = 200;

struct OutputState {
  /// The device's overall progress (0..100) from the last "NNN% Finished" line.
  std::optional<double> percent;
  /// Progress of the batch of files being received (0..100), from the last "NNN% (a/b)" bar.
  std::optional<double> transferPercent;
  /// The first "ErrorCode N: ..." line's N.
  std::optional<int> errorCode;
  /// That line's description, else the first "ERROR: ..." line; sanitised.
  std::string errorMessage;
  /// A "Backup Successful." line was printed.
  bool reportedSuccess = false;
  /// The last kTailLines lines, sanitised (no control characters, valid UTF-8, at most
  /// kMaxTailLineBytes each); progress bars left out.
  std::vector<std::string> tail;
};

/// Feeds on the tool's merged stdout and stderr in whatever chunks they arrive.
class OutputParser {
 public:
  void feed(std::string_view bytes);
  /// Reads a last line that has no line end (call at end of output).
  void finish();
  const OutputState& state() const { return state_; }

 private:
  void endSegment();
  void takeLine(std::string_view raw);

  OutputState state_;
  std::string segment_;  // the text since the last '\r' or '\n'
};

/// {"-u", udid, "backup", ["--full",] directory}: the arguments of `idevicebackup2`.
std::vector<std::string> backupArguments(const std::string& udid, const std::string& directory,
                                         bool full);

}  // namespace ibackupmon::backup
