// SPDX-License-Identifier: Apache-2.0
#include "alert/alert_email.h"

#include <unistd.h>

#include <algorithm>
#include <climits>
#include <sstream>

#include "alert/mime.h"
#include "core/backup_steps.h"
#include "core/duration.h"
#include "core/time_format.h"

namespace ibackupmon {
namespace {

constexpr std::size_t kNameBytes = 120;        // a device name in the body
constexpr std::size_t kSubjectName = 60;       // a device name in the subject
constexpr std::size_t kValueBytes = 300;       // an evidence value
constexpr std::size_t kParagraphBytes = 2000;  // a summary or fix text

// A multi-line text (a fix): each line cleaned on its own, so the line breaks survive.
std::string cleanLines(const std::string& s, std::size_t max) {
  std::string out;
  std::size_t start = 0;
  while (start <= s.size() && out.size() < max) {
    std::size_t end = s.find('\n', start);
    if (end == std::string::npos) end = s.size();
    if (!out.empty()) out += '\n';
    out += cleanDeviceText(std::string_view(s).substr(start, end - start), max - out.size());
    start = end + 1;
  }
  return out;
}

std::string deviceName(const DeviceStatus& d) {
  if (d.label && !d.label->empty()) return cleanDeviceText(*d.label, kNameBytes);
  return d.name.empty() ? cleanDeviceText(d.udid, kNameBytes) : cleanDeviceText(d.name, kNameBytes);
}

std::string backupLine(const std::optional<TimePoint>& t, TimePoint now) {
  if (!t) return "never seen";
  auto age = std::chrono::duration_cast<Duration>(now - *t);
  return formatAge(age < Duration{0} ? Duration{0} : age) + " ago (" + formatRfc3339(*t) + ")";
}

std::string noticeLabel(const Notice& n) {
  switch (n.kind) {
    case NoticeKind::Opened: return "NEW";
    case NoticeKind::Reminder: return "STILL FAILING";
    case NoticeKind::Resolved: return "RESOLVED";
  }
  return "";
}

std::string dashboardLink(const std::string& url, const std::string& udid) {
  if (url.empty()) return "";
  std::string sep = url.find('?') == std::string::npos ? "?" : "&";
  return cleanDeviceText(url, 2000) + sep + "var-udid=" + urlEncode(udid);
}

const Condition* findCondition(const DeviceStatus& d, const std::string& id) {
  for (const auto& c : d.conditions) {
    if (c.id == id) return &c;
  }
  return nullptr;
}

// Key/value rows shared by both renderings.
std::vector<std::pair<std::string, std::string>> identityRows(const AlertEmailContent& c,
                                                              const DeviceStatus& d) {
  std::string model = d.productType ? cleanDeviceText(*d.productType, 64) : "unknown";
  if (d.iosVersion) model += " (iOS " + cleanDeviceText(*d.iosVersion, 32) + ")";
  std::vector<std::pair<std::string, std::string>> rows = {
      {"Host", cleanDeviceText(c.host, 255)},
      {"Device", deviceName(d)},
      {"Model", model},
      {"UDID", cleanDeviceText(d.udid, 100)},
      {"Serial", d.serial ? cleanDeviceText(*d.serial, 64) : "unknown"},
      {"Last iCloud backup", backupLine(d.lastCloudBackup, c.now)},
      {"Last computer backup", backupLine(d.lastComputerBackup, c.now)},
      {"Connected", d.connected ? "yes" : "no"},
  };
  if (d.location) rows.emplace_back("Location", cleanDeviceText(*d.location, kNameBytes));
  if (d.slot) {
    std::string slot =
        d.slot->label ? cleanDeviceText(*d.slot->label, kNameBytes) + ", port " : "port ";
    slot += cleanDeviceText(d.slot->port, 64) + ", link ";
    slot += d.slot->speedMbps ? formatMbps(*d.slot->speedMbps) + " Mbit/s" : "unknown";
    rows.emplace_back("Slot", slot);
  }
  return rows;
}

// A fix as the email shows it: lines that are one of Apple's generic iCloud steps become one
// reference to the list stated once at the end ("Apple's iCloud steps 4, 5, 7"); the tailored
// lines stay as they are. Sets usesGeneric when a reference was made.
std::string compactFix(const std::string& fix, bool& usesGeneric) {
  const auto& generic = icloudBackupSteps();
  std::vector<std::size_t> refs;
  std::string rest;
  std::size_t start = 0;
  while (start <= fix.size()) {
    std::size_t end = fix.find('\n', start);
    if (end == std::string::npos) end = fix.size();
    std::string line = fix.substr(start, end - start);
    start = end + 1;
    std::string body = line;
    if (auto dot = line.find(". "); dot != std::string::npos && dot > 0 && dot <= 2 &&
                                    line.find_first_not_of("0123456789") == dot) {
      body = line.substr(dot + 2);
    }
    bool matched = false;
    for (std::size_t i = 0; i < generic.size(); ++i) {
      if (body == generic[i]) refs.push_back(i + 1), matched = true;
    }
    if (!matched && !line.empty()) rest += (rest.empty() ? "" : "\n") + line;
    if (end == fix.size()) break;
  }
  if (refs.empty()) return fix;
  usesGeneric = true;
  std::string out = refs.size() == 1 ? "Apple's iCloud step " : "Apple's iCloud steps ";
  for (std::size_t i = 0; i < refs.size(); ++i) out += (i ? ", " : "") + std::to_string(refs[i]);
  out += " (listed once below)";
  if (!rest.empty()) out += "\n" + rest;
  return out;
}

// The first step of a fix, without its number.
std::string firstStep(const std::string& fix) {
  std::string line = fix.substr(0, fix.find('\n'));
  if (auto dot = line.find(". "); dot != std::string::npos && dot > 0 && dot <= 2 &&
                                  line.find_first_not_of("0123456789") == dot) {
    line = line.substr(dot + 2);
  }
  return line;
}

// What to do first, for the summary: a generic step as a short reference ("Apple's iCloud step 4:
// Free iCloud storage"), so the full text stays stated once; anything else as it is.
std::string doFirstOf(const std::string& fix) {
  const std::string step = firstStep(fix);
  const auto& generic = icloudBackupSteps();
  for (std::size_t i = 0; i < generic.size(); ++i) {
    if (step != generic[i]) continue;
    const std::string head = step.substr(0, std::min(step.find(" ("), step.find(',')));
    return "Apple's iCloud step " + std::to_string(i + 1) + ": " + head;
  }
  return step;
}

// One summary line per device, worst first.
struct SummaryRow {
  int rank = 0;  // lower is worse
  std::string slot, name, state, since, doFirst;
  TimePoint sinceAt{};
};

SummaryRow summaryOf(const AlertEmailDevice& e) {
  SummaryRow r;
  const DeviceStatus& d = e.device;
  r.slot = d.slot && d.slot->label ? cleanDeviceText(*d.slot->label, kNameBytes) : "";
  r.name = deviceName(d);
  std::optional<Severity> worst;
  std::optional<TimePoint> since;
  bool anyOpen = false;
  for (const auto& n : e.notices) {
    if (n.kind == NoticeKind::Resolved) continue;
    anyOpen = true;
    if (!worst || n.severity > *worst) worst = n.severity;
    if (n.openedAt != TimePoint{} && (!since || n.openedAt < *since)) since = n.openedAt;
  }
  // The condition to act on first: the worst open one alerted on (conditions come worst first).
  const Condition* first = nullptr;
  for (const auto& c : d.conditions) {
    for (const auto& n : e.notices) {
      if (n.kind != NoticeKind::Resolved && n.key.condition == c.id && first == nullptr) first = &c;
    }
  }
  if (first != nullptr && (!since || first->since < *since)) since = first->since;
  if (!anyOpen) {
    r.state = "resolved";
    r.rank = 3;
    r.doFirst = "nothing: resolved";
  } else {
    r.state = toString(worst.value_or(Severity::Warning));
    r.rank = worst == Severity::Critical ? 0 : worst == Severity::Warning ? 1 : 2;
    r.doFirst = first != nullptr && !first->fix.empty()
                    ? cleanDeviceText(doFirstOf(first->fix), 300)
                    : "see the details below";
  }
  if (since) {
    r.sinceAt = *since;
    r.since = formatRfc3339(*since);
  }
  return r;
}

std::vector<std::pair<SummaryRow, const AlertEmailDevice*>> summaryRows(
    const AlertEmailContent& c) {
  std::vector<std::pair<SummaryRow, const AlertEmailDevice*>> rows;
  for (const auto& d : c.devices) rows.emplace_back(summaryOf(d), &d);
  std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
    if (a.first.rank != b.first.rank) return a.first.rank < b.first.rank;
    return a.first.sinceAt < b.first.sinceAt;
  });
  return rows;
}

void textSummary(std::ostringstream& o, const std::vector<SummaryRow>& rows) {
  o << "Summary, worst first:\n";
  for (const auto& r : rows) {
    o << "  " << r.state << " | " << (r.slot.empty() ? "" : r.slot + " | ") << r.name;
    if (!r.since.empty()) o << " | since " << r.since;
    o << " | do first: " << r.doFirst << "\n";
  }
  o << "\n";
}

const char* stateColour(const std::string& state) {
  if (state == "critical") return "#b71c1c";
  if (state == "warning") return "#e65100";
  if (state == "resolved") return "#1b5e20";
  return "#37474f";
}

constexpr const char* kTable =
    "border-collapse:collapse;font-family:Arial,Helvetica,sans-serif;"
    "font-size:14px;margin:0 0 16px 0";
constexpr const char* kCell =
    "border:1px solid #cfd8dc;padding:4px 8px;text-align:left;"
    "vertical-align:top";
constexpr const char* kHead =
    "border:1px solid #cfd8dc;padding:4px 8px;text-align:left;"
    "background:#eceff1";

void htmlSummary(std::ostringstream& o, const std::vector<SummaryRow>& rows) {
  o << "<h2 style=\"font-family:Arial,Helvetica,sans-serif;font-size:18px\">Summary, worst "
       "first</h2>\n<table style=\""
    << kTable << "\">\n<tr>";
  for (const char* h : {"State", "Slot", "Device", "Since", "Do first"}) {
    o << "<th style=\"" << kHead << "\">" << h << "</th>";
  }
  o << "</tr>\n";
  for (const auto& r : rows) {
    o << "<tr><td style=\"" << kCell << ";color:#ffffff;background:" << stateColour(r.state)
      << "\">" << htmlEscape(r.state) << "</td><td style=\"" << kCell << "\">" << htmlEscape(r.slot)
      << "</td><td style=\"" << kCell << "\"><b>" << htmlEscape(r.name) << "</b></td><td style=\""
      << kCell << "\">" << htmlEscape(r.since) << "</td><td style=\"" << kCell << "\">"
      << htmlEscape(r.doFirst) << "</td></tr>\n";
  }
  o << "</table>\n";
}

std::string notesLine(const AlertEmailDevice& e) {
  std::string out;
  for (const auto& n : e.notes) {
    if (n.empty()) continue;
    out += (out.empty() ? "" : "; ") + cleanDeviceText(n, kValueBytes);
  }
  return out;
}

void textCondition(std::ostringstream& o, const Condition& c, bool& usesGeneric) {
  o << "  - " << cleanDeviceText(c.id, 64) << " (" << toString(c.severity) << ", "
    << toString(c.confidence) << ", since " << formatRfc3339(c.since) << ")\n";
  if (!c.summary.empty()) o << "      " << cleanDeviceText(c.summary, kParagraphBytes) << "\n";
  for (const auto& [k, v] : c.evidence) {
    o << "      evidence: " << cleanDeviceText(k, 64) << " = " << cleanDeviceText(v, kValueBytes)
      << "\n";
  }
  if (!c.fix.empty()) {
    std::string fix = cleanLines(compactFix(c.fix, usesGeneric), kParagraphBytes);
    std::string indented;
    for (char ch : fix) indented += ch == '\n' ? std::string("\n           ") : std::string(1, ch);
    o << "      fix: " << indented << "\n";
  }
}

void textDevice(std::ostringstream& o, const AlertEmailContent& c, const AlertEmailDevice& e,
                bool& usesGeneric) {
  o << "== " << deviceName(e.device);
  for (const auto& n : e.notices)
    o << " | " << noticeLabel(n) << ": " << cleanDeviceText(n.key.condition, 64);
  o << "\n";
  for (const auto& [k, v] : identityRows(c, e.device)) o << k << ": " << v << "\n";
  if (!e.device.conditions.empty()) o << "Conditions:\n";
  for (const auto& cond : e.device.conditions) textCondition(o, cond, usesGeneric);
  for (const auto& n : e.notices) {
    if (n.kind != NoticeKind::Resolved && !findCondition(e.device, n.key.condition)) {
      o << "  - " << cleanDeviceText(n.key.condition, 64) << " (" << toString(n.severity) << ")\n";
    }
  }
  if (const auto notes = notesLine(e); !notes.empty()) o << "Notes: " << notes << "\n";
  if (!c.dashboardUrl.empty())
    o << "Dashboard: " << dashboardLink(c.dashboardUrl, e.device.udid) << "\n";
  o << "Grafana/Prometheus label: udid=\"" << cleanDeviceText(e.device.udid, 100) << "\"\n\n";
}

void textAck(std::ostringstream& o, const AlertEmailDevice& e) {
  o << "  - " << deviceName(e.device) << " (" << cleanDeviceText(e.device.udid, 100) << "): "
    << (e.ack && !e.ack->condition.empty() ? cleanDeviceText(e.ack->condition, 64)
                                           : "all conditions");
  if (e.ack && e.ack->until) o << ", until " << formatRfc3339(*e.ack->until);
  if (e.ack && !e.ack->comment.empty()) o << " - " << cleanDeviceText(e.ack->comment, kValueBytes);
  o << "\n";
}

std::string tr(const std::string& k, const std::string& v) {
  return std::string("<tr><th align=\"left\" style=\"") + kHead + "\">" + htmlEscape(k) +
         "</th><td style=\"" + kCell + "\">" + htmlEscape(v) + "</td></tr>\n";
}

// Escaped text whose line breaks become <br>.
std::string htmlLines(const std::string& text) {
  std::string out;
  std::size_t start = 0;
  while (true) {
    std::size_t end = text.find('\n', start);
    out += htmlEscape(text.substr(start, end == std::string::npos ? end : end - start));
    if (end == std::string::npos) break;
    out += "<br>";
    start = end + 1;
  }
  return out;
}

void htmlCondition(std::ostringstream& o, const Condition& c, bool& usesGeneric) {
  o << "<li><b>" << htmlEscape(cleanDeviceText(c.id, 64)) << "</b> (" << toString(c.severity)
    << ", " << toString(c.confidence) << ", since " << formatRfc3339(c.since) << ")";
  if (!c.summary.empty()) o << "<br>" << htmlEscape(cleanDeviceText(c.summary, kParagraphBytes));
  if (!c.evidence.empty()) o << "<br>Evidence:<ul>";
  for (const auto& [k, v] : c.evidence) {
    o << "<li><code>" << htmlEscape(cleanDeviceText(k, 64))
      << "</code> = " << htmlEscape(cleanDeviceText(v, kValueBytes)) << "</li>";
  }
  if (!c.evidence.empty()) o << "</ul>";
  if (!c.fix.empty()) {
    o << "<b>Fix:</b> " << htmlLines(cleanLines(compactFix(c.fix, usesGeneric), kParagraphBytes));
  }
  o << "</li>\n";
}

void htmlDevice(std::ostringstream& o, const AlertEmailContent& c, const AlertEmailDevice& e,
                bool& usesGeneric) {
  o << "<h3 style=\"font-family:Arial,Helvetica,sans-serif;font-size:16px;margin:16px 0 4px "
       "0\">"
    << htmlEscape(deviceName(e.device));
  for (const auto& n : e.notices) {
    o << " &mdash; " << noticeLabel(n) << ": " << htmlEscape(cleanDeviceText(n.key.condition, 64));
  }
  o << "</h3>\n<table style=\"" << kTable << "\">\n";
  for (const auto& [k, v] : identityRows(c, e.device)) o << tr(k, v);
  if (const auto notes = notesLine(e); !notes.empty()) o << tr("Notes", notes);
  o << "</table>\n<ul style=\"font-family:Arial,Helvetica,sans-serif;font-size:14px\">\n";
  for (const auto& cond : e.device.conditions) htmlCondition(o, cond, usesGeneric);
  o << "</ul>\n";
  if (!c.dashboardUrl.empty()) {
    std::string link = htmlEscape(dashboardLink(c.dashboardUrl, e.device.udid));
    o << "<p><a href=\"" << link << "\">Dashboard</a></p>\n";
  }
  o << "<p>Label: <code>udid=&quot;" << htmlEscape(cleanDeviceText(e.device.udid, 100))
    << "&quot;</code></p>\n";
}

std::string hostSubject(const AlertEmailContent& c) {
  const Notice& n = c.hostNotices.front();
  std::string what = n.kind == NoticeKind::Resolved   ? "resolved: "
                     : n.kind == NoticeKind::Reminder ? "reminder: "
                                                      : "";
  if (n.key.condition == kUsbmuxdWedgedCondition) return what + "usbmuxd answers nothing";
  return what + cleanDeviceText(n.key.condition, 64);
}

void textHost(std::ostringstream& o, const AlertEmailContent& c) {
  for (const auto& n : c.hostNotices) {
    o << "== Host " << cleanDeviceText(c.host, 255) << " | " << noticeLabel(n) << ": "
      << cleanDeviceText(n.key.condition, 64) << "\n"
      << hostAlertLine(c.host, n) << "\n\n";
  }
}

void htmlHost(std::ostringstream& o, const AlertEmailContent& c) {
  for (const auto& n : c.hostNotices) {
    o << "<h3>Host " << htmlEscape(cleanDeviceText(c.host, 255)) << " &mdash; " << noticeLabel(n)
      << ": " << htmlEscape(cleanDeviceText(n.key.condition, 64)) << "</h3>\n<p>"
      << htmlEscape(hostAlertLine(c.host, n)) << "</p>\n";
  }
}

std::string subjectOf(const AlertEmailContent& c) {
  std::string prefix = "[ibackupmon] " + cleanDeviceText(c.host, 64) + ": ";
  if (c.test) return prefix + "test alert";
  if (!c.hostNotices.empty()) {
    if (c.devices.empty()) return prefix + hostSubject(c);
    prefix += hostSubject(c) + "; ";
  }
  int opened = 0, reminders = 0, resolved = 0;
  for (const auto& d : c.devices) {
    for (const auto& n : d.notices) {
      (n.kind == NoticeKind::Opened     ? opened
       : n.kind == NoticeKind::Reminder ? reminders
                                        : resolved) += 1;
    }
  }
  if (c.devices.size() == 1 && !c.devices[0].notices.empty()) {
    const auto& d = c.devices[0];
    std::string what = resolved > 0 && opened + reminders == 0 ? "resolved: " : "";
    if (reminders > 0 && opened == 0) what = "reminder: ";
    return prefix + what + truncateUtf8(deviceName(d.device), kSubjectName) + " " +
           cleanDeviceText(d.notices[0].key.condition, 64) +
           (d.notices.size() > 1 ? " (+" + std::to_string(d.notices.size() - 1) + ")" : "");
  }
  std::ostringstream s;
  s << prefix << c.devices.size() << " devices:";
  if (opened) s << " " << opened << " new";
  if (reminders) s << " " << reminders << " still failing";
  if (resolved) s << " " << resolved << " resolved";
  return s.str();
}

}  // namespace

RenderedEmail renderAlertEmail(const AlertEmailContent& c) {
  std::ostringstream t, h;
  h << "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head><body>\n";
  if (c.test) {
    t << "This is a test alert from ibackupmon on " << cleanDeviceText(c.host, 255)
      << ". Email delivery works.\n\n";
    h << "<p>This is a test alert from ibackupmon on " << htmlEscape(cleanDeviceText(c.host, 255))
      << ". Email delivery works.</p>\n";
  }
  textHost(t, c);
  htmlHost(h, c);
  const auto rows = summaryRows(c);
  if (!rows.empty()) {
    std::vector<SummaryRow> summary;
    for (const auto& [row, device] : rows) summary.push_back(row);
    textSummary(t, summary);
    htmlSummary(h, summary);
  }
  bool usesGeneric = false;
  for (const auto& [row, device] : rows) {
    textDevice(t, c, *device, usesGeneric);
    htmlDevice(h, c, *device, usesGeneric);
  }
  if (usesGeneric) {
    t << "Apple's iCloud steps (referred to above by number):\n";
    h << "<h3 style=\"font-family:Arial,Helvetica,sans-serif;font-size:16px\">Apple's iCloud "
         "steps (referred to above by number)</h3>\n<ol style=\"font-family:Arial,Helvetica,"
         "sans-serif;font-size:14px\">\n";
    const auto& steps = icloudBackupSteps();
    for (std::size_t i = 0; i < steps.size(); ++i) {
      t << "  " << i + 1 << ". " << steps[i] << "\n";
      h << "<li>" << htmlEscape(steps[i]) << "</li>\n";
    }
    t << "\n";
    h << "</ol>\n";
  }
  if (!c.acknowledged.empty()) {
    t << "Acknowledged (not re-alerting):\n";
    h << "<h3>Acknowledged (not re-alerting)</h3>\n<ul>\n";
    for (const auto& a : c.acknowledged) {
      textAck(t, a);
      std::ostringstream one;
      textAck(one, a);
      h << "<li>" << htmlEscape(one.str().substr(4)) << "</li>\n";
    }
    h << "</ul>\n";
  }
  t << "-- \nibackupmon on " << cleanDeviceText(c.host, 255) << ", " << formatRfc3339(c.now)
    << "\n";
  h << "<p><small>ibackupmon on " << htmlEscape(cleanDeviceText(c.host, 255)) << ", "
    << formatRfc3339(c.now) << "</small></p>\n</body></html>\n";
  return RenderedEmail{subjectOf(c), t.str(), h.str()};
}

std::string hostAlertLine(const std::string& host, const Notice& n) {
  const std::string stamp = formatRfc3339(n.openedAt);
  const std::string since = stamp.substr(11, 5) + " UTC (" + stamp + ")";
  const std::string h = cleanDeviceText(host, 255);
  if (n.key.condition == kUsbmuxdWedgedCondition) {
    if (n.kind == NoticeKind::Resolved) {
      return "usbmuxd on " + h + " answers again (it answered nothing from " + since + ")";
    }
    return "usbmuxd on " + h + " accepts connections but answers nothing since " + since +
           "; devices cannot be read: `systemctl restart usbmuxd`";
  }
  return cleanDeviceText(n.key.condition, 64) + " on " + h + " since " + since +
         (n.kind == NoticeKind::Resolved ? ", resolved" : "");
}

std::string alertHostName(const AlertsConfig& alerts) {
  if (!alerts.hostName.empty()) return alerts.hostName;
  char buf[HOST_NAME_MAX + 1] = {0};
  if (gethostname(buf, sizeof buf - 1) != 0 || buf[0] == 0) return "localhost";
  return stripControls(buf);
}

std::string assembleMessage(const MailHeaders& m, const RenderedEmail& e) {
  std::string boundary = "=_ibackupmon_" + std::to_string(toUnixSeconds(m.date));
  std::string to;
  for (const auto& addr : m.to) to += (to.empty() ? "" : ", ") + stripControls(addr);
  std::string out;
  out += encodeHeader("From", m.from);
  out += encodeHeader("To", to);
  out += encodeHeader("Subject", e.subject);
  out += "Date: " + rfc5322Date(m.date) + "\r\n";
  out += "Message-ID: " + stripControls(m.messageId) + "\r\n";
  out += "Auto-Submitted: auto-generated\r\n";
  out += "MIME-Version: 1.0\r\n";
  out += "Content-Type: multipart/alternative; boundary=\"" + boundary + "\"\r\n\r\n";
  auto part = [&](const char* type, const std::string& body) {
    out += "--" + boundary + "\r\n";
    out += std::string("Content-Type: ") + type + "; charset=utf-8\r\n";
    out += "Content-Transfer-Encoding: quoted-printable\r\n\r\n";
    out += quotedPrintable(body) + "\r\n";
  };
  part("text/plain", e.text);
  part("text/html", e.html);
  out += "--" + boundary + "--\r\n";
  return out;
}

}  // namespace ibackupmon
