// SPDX-License-Identifier: Apache-2.0
// Debian's real prometheus-alertmanager on loopback receives, groups and resolves the engine's
// alerts; it mails its notifications to the aiosmtpd sink, so grouping is seen as one email.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <fstream>
#include <future>
#include <nlohmann/json.hpp>

#include "app/alert_engine.h"
#include "smtp_sink.h"
#include "temp_dir.h"

namespace ibackupmon {
namespace {

using namespace std::chrono_literals;
using testing::waitFor;

int freePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

class Alertmanager {
 public:
  Alertmanager(const std::filesystem::path& dir, int smtpPort) : port_(freePort()) {
    std::ofstream(dir / "am.yml")
        << "global:\n  resolve_timeout: 5m\n"
        << "  smtp_smarthost: '127.0.0.1:" << smtpPort << "'\n"
        << "  smtp_from: 'alertmanager@test'\n  smtp_require_tls: false\n"
        << "route:\n  receiver: mail\n  group_by: [host, condition]\n"
        << "  group_wait: 1s\n  group_interval: 1s\n  repeat_interval: 1h\n"
        << "receivers:\n  - name: mail\n    email_configs:\n"
        << "      - to: admins@test\n        send_resolved: true\n";
    std::string cfg = "--config.file=" + (dir / "am.yml").string();
    std::string storage = "--storage.path=" + (dir / "am-data").string();
    std::string listen = "--web.listen-address=127.0.0.1:" + std::to_string(port_);
    server_ = std::make_unique<testing::Child>(
        std::vector<std::string>{"/usr/bin/prometheus-alertmanager", cfg, storage, listen,
                                 "--cluster.listen-address=", "--log.level=warn"},
        testing::ProcessOptions{.dieWithParent = true});
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  nlohmann::json get(const std::string& path) {
    HttpOptions o;
    o.timeout = 2s;
    auto r = http_.get(url() + path, o);
    if (!r || !isSuccess(*r)) return nullptr;
    return nlohmann::json::parse(r->body, nullptr, false);
  }

 private:
  int port_;
  std::unique_ptr<testing::Child> server_;  // SIGTERM, waited for, when the test ends
  CurlHttpClient http_;
};

class NoMetrics final : public AlertMetrics {
 public:
  void alertSent(std::string_view) override { ++posts; }
  void alertFailed(std::string_view) override {}
  void setOutboxDepth(std::size_t) override {}
  void setAppleServiceActiveEvents(std::string_view, std::size_t) override {}
  void feedSucceeded(std::string_view, TimePoint) override {}
  void feedFailed(std::string_view) override {}
  std::atomic<int> posts{0};
};

DeviceStatus device(int i, bool stale) {
  DeviceStatus d;
  d.udid = "00008101-00000000000000" + std::to_string(10 + i);
  d.name = "Lab iPhone " + std::to_string(i);
  d.backupState = stale ? BackupState::Stale : BackupState::Ok;
  if (stale) d.conditions.push_back(Condition{"backup_stale", Severity::Warning});
  return d;
}

TEST(AlertmanagerTest, ReceivesGroupsAndResolvesTheDaemonsAlerts) {
  testing::TempDir dir;
  testing::SmtpSink sink(dir.path() / "mail");
  ASSERT_TRUE(sink.start());
  Alertmanager am(dir.path(), sink.port());
  ASSERT_TRUE(waitFor([&] { return am.get("/api/v2/status") != nullptr; }, 30s));

  auto repo = AlertRepository::open(dir.file("ibackupmon.db"));
  ASSERT_TRUE(repo);
  CurlHttpClient http;
  AlertsConfig cfg;
  cfg.groupWindow = 0s;
  cfg.alertmanager.url = am.url();
  cfg.alertmanager.resendInterval = 1s;
  AlertmanagerClient client(http, cfg.alertmanager);
  SystemClock clock;  // Alertmanager judges startsAt/endsAt by its own clock
  NoMetrics metrics;
  AlertEngineOptions o;
  o.alerts = cfg;
  o.host = "lab-host";
  boost::asio::io_context io;
  auto guard = boost::asio::make_work_guard(io);
  AlertEngine engine(io, clock, *repo, nullptr, &client, metrics, o);
  ASSERT_TRUE(engine.start());
  std::thread loop([&] { io.run(); });
  auto push = [&](bool stale) {
    FleetView v;
    v.at = clock.now();
    for (int i = 0; i < 3; ++i) v.devices.push_back(device(i, stale));
    engine.onFleetStatus(v);
  };

  push(true);
  nlohmann::json groups;
  ASSERT_TRUE(waitFor([&] {
    groups = am.get("/api/v2/alerts/groups");
    return groups.is_array() && groups.size() == 1 && groups[0]["alerts"].size() == 3;
  }));
  EXPECT_EQ(groups[0]["labels"],
            (nlohmann::json{{"host", "lab-host"}, {"condition", "backup_stale"}}));
  auto labels = groups[0]["alerts"][0]["labels"];
  EXPECT_EQ(labels.size(), 5u) << labels.dump();
  EXPECT_EQ(labels["alertname"], "IbackupmonBackupStale");
  EXPECT_EQ(labels["severity"], "warning");
  EXPECT_EQ(labels["host"], "lab-host");
  EXPECT_EQ(labels["condition"], "backup_stale");
  EXPECT_EQ(groups[0]["alerts"][0]["annotations"]["device_name"].get<std::string>().rfind(
                "Lab iPhone", 0),
            0u);
  // Alertmanager grouped them: one notification lists the three devices.
  ASSERT_TRUE(waitFor([&] { return sink.messages().size() == 1; }));
  std::string firing = sink.messages()[0];
  EXPECT_NE(firing.find("FIRING"), std::string::npos);
  int before = metrics.posts;
  ASSERT_TRUE(waitFor([&] { return metrics.posts >= before + 2; }));  // re-posted while active

  push(false);  // every backup completed
  ASSERT_TRUE(waitFor([&] {
    auto active = am.get("/api/v2/alerts");
    return active.is_array() && active.empty();
  }));
  ASSERT_TRUE(waitFor([&] {
    auto m = sink.messages();
    return m.size() == 2 && m[1].find("RESOLVED") != std::string::npos;
  }));

  engine.stop();
  guard.reset();
  io.stop();
  loop.join();
}

}  // namespace
}  // namespace ibackupmon
