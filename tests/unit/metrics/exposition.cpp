// SPDX-License-Identifier: Apache-2.0
#include "exposition.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

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
  const std::string cmd = std::string("promtool check metrics < ") + path + " 2>&1";
  std::string output;
  if (FILE* p = popen(cmd.c_str(), "r")) {
    char buf[4096];
    for (std::size_t got; (got = fread(buf, 1, sizeof buf, p)) > 0;) output.append(buf, got);
    const int status = pclose(p);
    exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  } else {
    exitCode = -1;
  }
  unlink(path);
  return output;
}

}  // namespace ibackupmon::testing
