// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Writes the Prometheus text exposition format (version 0.0.4) straight into a string. The
/// per-device families are most of a scrape (29,000 series for 1000 devices); prometheus-cpp's
/// TextSerializer needs them as MetricFamily objects first and then writes label values through
/// an ostream one character at a time, which made it most of the scrape's cost
/// (docs/performance.md, section "Metrics").
///
///   TextWriter w(out);
///   w.family("ibackupmon_device_connected", "1 when attached.", "gauge");
///   w.sample("ibackupmon_device_connected", {{"udid", udid}}, 1);

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace ibackupmon::metrics {

using LabelPair = std::pair<std::string_view, std::string_view>;

class TextWriter {
 public:
  explicit TextWriter(std::string& out) : out_(out) {}

  /// The `# HELP` and `# TYPE` lines that open a family.
  void family(std::string_view name, std::string_view help, std::string_view type);
  /// One sample line; label names must be valid, label values may be anything (escaped here).
  /// A label whose value is empty is left out: Prometheus reads both alike, and an identity
  /// label with an empty value ("name" of a device never read) would look like a real value.
  void sample(std::string_view name, std::initializer_list<LabelPair> labels, double value);

 private:
  void escaped(std::string_view text, bool quotes);
  void value(double v);

  std::string& out_;
};

}  // namespace ibackupmon::metrics
