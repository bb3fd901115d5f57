// SPDX-License-Identifier: Apache-2.0
#include "metrics/text_writer.h"

#include <charconv>
#include <cmath>

namespace ibackupmon::metrics {

void TextWriter::family(std::string_view name, std::string_view help, std::string_view type) {
  out_ += "# HELP ";
  out_ += name;
  out_ += ' ';
  escaped(help, false);
  out_ += "\n# TYPE ";
  out_ += name;
  out_ += ' ';
  out_ += type;
  out_ += '\n';
}

void TextWriter::sample(std::string_view name, std::initializer_list<LabelPair> labels, double v) {
  out_ += name;
  char separator = '{';
  for (const auto& [label, text] : labels) {
    if (text.empty()) continue;  // Prometheus reads an empty value as no label: never write one
    out_ += separator;
    out_ += label;
    out_ += "=\"";
    escaped(text, true);
    out_ += '"';
    separator = ',';
  }
  if (separator == ',') out_ += '}';
  out_ += ' ';
  value(v);
  out_ += '\n';
}

// The format escapes backslash and line feed everywhere, and double quotes in label values.
// Runs of plain characters are appended at once: this loop is the hot path of a scrape.
void TextWriter::escaped(std::string_view text, bool quotes) {
  std::size_t plain = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c != '\\' && c != '\n' && (c != '"' || !quotes)) continue;
    out_.append(text.data() + plain, i - plain);
    out_ += '\\';
    out_ += c == '\n' ? 'n' : c;
    plain = i + 1;
  }
  out_.append(text.data() + plain, text.size() - plain);
}

// The same text as prometheus-cpp's serializer (printf "%.16g"), without its ostream: whole
// numbers (0/1 flags, byte counts, most timestamps) as integers, the rest with 16 significant
// digits.
void TextWriter::value(double v) {
  if (std::isnan(v)) {
    out_ += "NaN";
    return;
  }
  if (std::isinf(v)) {
    out_ += v < 0 ? "-Inf" : "+Inf";
    return;
  }
  char buf[64];
  std::to_chars_result r;
  if (v == std::trunc(v) && std::fabs(v) < 1e15) {
    r = std::to_chars(buf, buf + sizeof buf, static_cast<long long>(v));
  } else {
    r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general, 16);
  }
  out_.append(buf, r.ptr);
}

}  // namespace ibackupmon::metrics
