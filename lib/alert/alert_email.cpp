// SPDX-License-Identifier: Apache-2.0
#include "alert/alert_email.h"

#include <unistd.h>

#include <climits>
#include <sstream>

#include "alert/mime.h"
#include "core/duration.h"
#include "core/time_format.h"

namespace ibackupmon {
namespace {

constexpr std::size_t kNameBytes = 120;        // a device name in the body
constexpr std::size_t kSubjectName = 60;       // a device name in the subject
constexpr std::size_t kValueBytes = 300;       // an evidence value
constexpr std::size_t kParagraphBytes = 2000;  // a summary or fix text

// Every device-supplied string passes through here before it reaches either body.
std::string clean(std::string_view s, std::size_t max) {
  return truncateUtf8(stripControls(s), max);
}

std::string deviceName(const DeviceStatus& d) {
  if (d.label && !d.label->empty()) return clean(*d.label, kNameBytes);
  return d.name.empty() ? clean(d.udid, kNameBytes) : clean(d.name, kNameBytes);
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
  return clean(url, 2000) + sep + "var-udid=" + urlEncode(udid);
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
  std::string model = d.productType ? clean(*d.productType, 64) : "unknown";
  if (d.iosVersion) model += " (iOS " + clean(*d.iosVersion, 32) + ")";
  std::vector<std::pair<std::string, std::string>> rows = {
      {"Host", clean(c.host, 255)},
      {"Device", deviceName(d)},
      {"Model", model},
      {"UDID", clean(d.udid, 100)},
      {"Serial", d.serial ? clean(*d.serial, 64) : "unknown"},
      {"Last iCloud backup", backupLine(d.lastCloudBackup, c.now)},
      {"Last computer backup", backupLine(d.lastComputerBackup, c.now)},
      {"Connected", d.connected ? "yes" : "no"},
  };
  if (d.location) rows.emplace_back("Location", clean(*d.location, kNameBytes));
  if (d.slot) {
    std::string slot = d.slot->label ? clean(*d.slot->label, kNameBytes) + ", port " : "port ";
    slot += clean(d.slot->port, 64) + ", link ";
    slot += d.slot->speedMbps ? formatMbps(*d.slot->speedMbps) + " Mbit/s" : "unknown";
    rows.emplace_back("Slot", slot);
  }
  return rows;
}

void textCondition(std::ostringstream& o, const Condition& c) {
  o << "  - " << clean(c.id, 64) << " (" << toString(c.severity) << ", " << toString(c.confidence)
    << ", since " << formatRfc3339(c.since) << ")\n";
  if (!c.summary.empty()) o << "      " << clean(c.summary, kParagraphBytes) << "\n";
  for (const auto& [k, v] : c.evidence) {
    o << "      evidence: " << clean(k, 64) << " = " << clean(v, kValueBytes) << "\n";
  }
  if (!c.fix.empty()) o << "      fix: " << clean(c.fix, kParagraphBytes) << "\n";
}

void textDevice(std::ostringstream& o, const AlertEmailContent& c, const AlertEmailDevice& e) {
  o << "== " << deviceName(e.device);
  for (const auto& n : e.notices)
    o << " | " << noticeLabel(n) << ": " << clean(n.key.condition, 64);
  o << "\n";
  for (const auto& [k, v] : identityRows(c, e.device)) o << k << ": " << v << "\n";
  if (!e.device.conditions.empty()) o << "Conditions:\n";
  for (const auto& cond : e.device.conditions) textCondition(o, cond);
  for (const auto& n : e.notices) {
    if (n.kind != NoticeKind::Resolved && !findCondition(e.device, n.key.condition)) {
      o << "  - " << clean(n.key.condition, 64) << " (" << toString(n.severity) << ")\n";
    }
  }
  if (!c.dashboardUrl.empty())
    o << "Dashboard: " << dashboardLink(c.dashboardUrl, e.device.udid) << "\n";
  o << "Grafana/Prometheus label: udid=\"" << clean(e.device.udid, 100) << "\"\n\n";
}

void textAck(std::ostringstream& o, const AlertEmailDevice& e) {
  o << "  - " << deviceName(e.device) << " (" << clean(e.device.udid, 100) << "): "
    << (e.ack && !e.ack->condition.empty() ? clean(e.ack->condition, 64) : "all conditions");
  if (e.ack && e.ack->until) o << ", until " << formatRfc3339(*e.ack->until);
  if (e.ack && !e.ack->comment.empty()) o << " - " << clean(e.ack->comment, kValueBytes);
  o << "\n";
}

std::string tr(const std::string& k, const std::string& v) {
  return "<tr><th align=\"left\">" + htmlEscape(k) + "</th><td>" + htmlEscape(v) + "</td></tr>\n";
}

void htmlCondition(std::ostringstream& o, const Condition& c) {
  o << "<li><b>" << htmlEscape(clean(c.id, 64)) << "</b> (" << toString(c.severity) << ", "
    << toString(c.confidence) << ", since " << formatRfc3339(c.since) << ")";
  if (!c.summary.empty()) o << "<br>" << htmlEscape(clean(c.summary, kParagraphBytes));
  if (!c.evidence.empty()) o << "<br>Evidence:<ul>";
  for (const auto& [k, v] : c.evidence) {
    o << "<li><code>" << htmlEscape(clean(k, 64))
      << "</code> = " << htmlEscape(clean(v, kValueBytes)) << "</li>";
  }
  if (!c.evidence.empty()) o << "</ul>";
  if (!c.fix.empty()) o << "Fix: " << htmlEscape(clean(c.fix, kParagraphBytes));
  o << "</li>\n";
}

void htmlDevice(std::ostringstream& o, const AlertEmailContent& c, const AlertEmailDevice& e) {
  o << "<h3>" << htmlEscape(deviceName(e.device));
  for (const auto& n : e.notices) {
    o << " &mdash; " << noticeLabel(n) << ": " << htmlEscape(clean(n.key.condition, 64));
  }
  o << "</h3>\n<table>\n";
  for (const auto& [k, v] : identityRows(c, e.device)) o << tr(k, v);
  o << "</table>\n<ul>\n";
  for (const auto& cond : e.device.conditions) htmlCondition(o, cond);
  o << "</ul>\n";
  if (!c.dashboardUrl.empty()) {
    std::string link = htmlEscape(dashboardLink(c.dashboardUrl, e.device.udid));
    o << "<p><a href=\"" << link << "\">Dashboard</a></p>\n";
  }
  o << "<p>Label: <code>udid=&quot;" << htmlEscape(clean(e.device.udid, 100))
    << "&quot;</code></p>\n";
}

std::string hostSubject(const AlertEmailContent& c) {
  const Notice& n = c.hostNotices.front();
  std::string what = n.kind == NoticeKind::Resolved   ? "resolved: "
                     : n.kind == NoticeKind::Reminder ? "reminder: "
                                                      : "";
  if (n.key.condition == kUsbmuxdWedgedCondition) return what + "usbmuxd answers nothing";
  return what + clean(n.key.condition, 64);
}

void textHost(std::ostringstream& o, const AlertEmailContent& c) {
  for (const auto& n : c.hostNotices) {
    o << "== Host " << clean(c.host, 255) << " | " << noticeLabel(n) << ": "
      << clean(n.key.condition, 64) << "\n"
      << hostAlertLine(c.host, n) << "\n\n";
  }
}

void htmlHost(std::ostringstream& o, const AlertEmailContent& c) {
  for (const auto& n : c.hostNotices) {
    o << "<h3>Host " << htmlEscape(clean(c.host, 255)) << " &mdash; " << noticeLabel(n) << ": "
      << htmlEscape(clean(n.key.condition, 64)) << "</h3>\n<p>"
      << htmlEscape(hostAlertLine(c.host, n)) << "</p>\n";
  }
}

std::string subjectOf(const AlertEmailContent& c) {
  std::string prefix = "[ibackupmon] " + clean(c.host, 64) + ": ";
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
           clean(d.notices[0].key.condition, 64) +
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
    t << "This is a test alert from ibackupmon on " << clean(c.host, 255)
      << ". Email delivery works.\n\n";
    h << "<p>This is a test alert from ibackupmon on " << htmlEscape(clean(c.host, 255))
      << ". Email delivery works.</p>\n";
  }
  textHost(t, c);
  htmlHost(h, c);
  for (const auto& d : c.devices) {
    textDevice(t, c, d);
    htmlDevice(h, c, d);
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
  t << "-- \nibackupmon on " << clean(c.host, 255) << ", " << formatRfc3339(c.now) << "\n";
  h << "<p><small>ibackupmon on " << htmlEscape(clean(c.host, 255)) << ", " << formatRfc3339(c.now)
    << "</small></p>\n</body></html>\n";
  return RenderedEmail{subjectOf(c), t.str(), h.str()};
}

std::string hostAlertLine(const std::string& host, const Notice& n) {
  const std::string stamp = formatRfc3339(n.openedAt);
  const std::string since = stamp.substr(11, 5) + " UTC (" + stamp + ")";
  const std::string h = clean(host, 255);
  if (n.key.condition == kUsbmuxdWedgedCondition) {
    if (n.kind == NoticeKind::Resolved) {
      return "usbmuxd on " + h + " answers again (it answered nothing from " + since + ")";
    }
    return "usbmuxd on " + h + " accepts connections but answers nothing since " + since +
           "; devices cannot be read: `systemctl restart usbmuxd`";
  }
  return clean(n.key.condition, 64) + " on " + h + " since " + since +
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
