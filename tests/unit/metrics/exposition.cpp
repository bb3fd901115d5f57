// SPDX-License-Identifier: Apache-2.0
#include "exposition.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "support/child_process.h"

namespace ibackupmon::testing {

std::optional<double> sampleValue(const std::string& text, const std::string& series) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.size() > series.size() && line.compare(0, series.size(), series) == 0 &&
        line[series.size()] == ' ') {
      return std::strtod(line.c_str() + series.size() + 1, nullptr);
    }
  }
  return std::nullopt;
}

std::vector<std::string> samplesOf(const std::string& text, const std::string& name) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.compare(0, name.size(), name) == 0 && line.size() > name.size() &&
        (line[name.size()] == '{' || line[name.size()] == ' ')) {
      out.push_back(line);
    }
  }
  return out;
}

std::string promtoolCheckMetrics(const std::string& text, int& exitCode) {
  char path[] = "/tmp/ibackupmon-metrics-XXXXXX";
  const int fd = mkstemp(path);
  if (fd < 0) {
    exitCode = -1;
    return "mkstemp failed";
  }
  close(fd);
  std::ofstream(path) << text;
  const auto r =
      runProcess({"promtool", "check", "metrics"}, {.stdinFile = path, .err = Output::toStdout()});
  exitCode = r.exitCode;
  std::string output = r.out;
  unlink(path);
  return output;
}

std::string writeTempFile(const std::string& content) {
  char path[] = "/tmp/ibackupmon-pass-XXXXXX";
  const int fd = mkstemp(path);
  EXPECT_GE(fd, 0);
  close(fd);
  std::ofstream(path) << content;
  return path;
}

}  // namespace ibackupmon::testing
