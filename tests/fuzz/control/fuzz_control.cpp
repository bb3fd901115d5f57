// SPDX-License-Identifier: Apache-2.0
// libFuzzer harness: any bytes as request lines on the control socket (split at '\n', as the
// socket server does) reach the daemon's real command table: CommandDispatcher and the alert
// engine's ack, unack and acks, on a real database in a scratch directory. Every line gets exactly
// one reply, a JSON object with a boolean "ok"; a refusal carries an error message and a known
// code.
#include <spdlog/spdlog.h>
#include <stdlib.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>

#include "app/alert_engine.h"
#include "app/control_commands.h"
#include "core/sanitize.h"

namespace {

using namespace ibackupmon;

class FixedClock final : public Clock {
 public:
  TimePoint now() const override { return fromUnixSeconds(1764000000); }
};

struct Daemon {
  Daemon() {
    spdlog::set_level(spdlog::level::off);
    // On tmpfs where there is one: the database syncs on every ack.
    std::string base = std::filesystem::is_directory("/dev/shm") ? "/dev/shm" : "/tmp";
    std::string templ = base + "/ibackupmon-fuzz-control-XXXXXX";
    if (!mkdtemp(templ.data())) std::abort();
    dir = templ;
    auto opened = AlertRepository::open(dir + "/ibackupmon.db");
    if (!opened) std::abort();
    repo = std::make_unique<AlertRepository>(std::move(*opened));
    AlertEngineOptions options;
    options.host = "fuzz-host";
    engine = std::make_unique<AlertEngine>(io, clock, *repo, nullptr, nullptr, metrics, options);
    if (!engine->start()) std::abort();
    for (const char* name : {"ack", "unack", "acks"}) {  // as AlertsComponent::addCommands
      auto ok = commands.add(name, ControlAccess::AnyPeer,
                             [e = engine.get()](ControlRequest req, ControlReply reply) {
                               e->handleControl(std::move(req.line), std::move(reply));
                             });
      if (!ok) std::abort();
    }
  }
  ~Daemon() {
    engine->stop();
    io.run();
    engine.reset();
    repo.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }

  std::string dir;
  FixedClock clock;
  NullAlertMetrics metrics;
  boost::asio::io_context io;
  std::unique_ptr<AlertRepository> repo;
  std::unique_ptr<AlertEngine> engine;
  CommandDispatcher commands;
};

Daemon& daemon() {
  static Daemon d;
  return d;
}

void checkReply(const std::string& reply) {
  static const std::set<std::string, std::less<>> kCodes = {
      std::string(control_code::kBadRequest),   std::string(control_code::kUnknownCommand),
      std::string(control_code::kBadArguments), std::string(control_code::kRefused),
      std::string(control_code::kNoSuchDevice), std::string(control_code::kFailed)};
  if (!isValidUtf8(reply) || reply.find('\n') != std::string::npos) std::abort();
  const auto j = nlohmann::json::parse(reply, nullptr, false);
  if (j.is_discarded() || !j.is_object()) std::abort();
  const auto ok = j.find("ok");
  if (ok == j.end() || !ok->is_boolean()) std::abort();
  if (!ok->get<bool>()) {
    const auto error = j.find("error");
    const auto code = j.find("code");
    if (error == j.end() || !error->is_string() || error->get<std::string>().empty()) std::abort();
    if (code == j.end() || !code->is_string() || !kCodes.count(code->get<std::string>())) {
      std::abort();
    }
  }
}

// One request through the dispatcher, as the socket server makes it; the reply, exactly one.
std::string ask(Daemon& d, std::string line, ControlPeer peer) {
  int replies = 0;
  std::string reply;
  d.commands.dispatch(std::move(line), peer, [&](std::string r) {
    ++replies;
    reply = std::move(r);
  });
  d.io.restart();
  d.io.poll();  // the engine replies on its strand
  if (replies != 1) std::abort();
  checkReply(reply);
  return reply;
}

// Every input starts from no acknowledgement, through the same commands: a crash found after
// many inputs replays from its own input alone.
void reset(Daemon& d) {
  const auto list = nlohmann::json::parse(ask(d, R"({"command":"acks"})", {}), nullptr, false);
  std::set<std::string> udids;
  for (const auto& a : list.value("acks", nlohmann::json::array())) {
    if (a.contains("udid") && a["udid"].is_string()) udids.insert(a["udid"].get<std::string>());
  }
  for (const auto& u : udids) {
    ask(d, nlohmann::json{{"command", "unack"}, {"udid", u}}.dump(), {});
  }
  if (!udids.empty()) {  // unack without a condition removes every ack of the device
    const auto after = nlohmann::json::parse(ask(d, R"({"command":"acks"})", {}));
    if (!after.at("acks").empty()) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1 || size > 16 * 1024) return 0;
  Daemon& d = daemon();
  // Byte 0: whether the peer is root (the only fact about a peer a command may use).
  const ControlPeer peer{data[0] % 2 ? std::optional<uid_t>(0) : std::optional<uid_t>(1000)};
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  for (int n = 0; n < 8 && !rest.empty(); ++n) {
    const auto end = rest.find('\n');
    std::string line(rest.substr(0, end));
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    ask(d, std::move(line), peer);
  }
  reset(d);
  return 0;
}
