// SPDX-License-Identifier: Apache-2.0
#include "app/service.h"

#include <spdlog/spdlog.h>

#include <csignal>
#include <optional>

#include "app/application.h"
#include "app/logging.h"
#include "core/version.h"

namespace ibackupmon {

namespace {

// Loads the configuration, logging its warnings and, when it is invalid, every problem; nullopt
// when it is invalid.
std::optional<Config> loadLogged(const ServiceOptions& options) {
  std::vector<std::string> warnings;
  auto config = loadConfig(options.configPath, options.origin, &warnings);
  for (const auto& w : warnings) spdlog::warn("{}", w);
  if (!config) {
    for (const auto& line : errorLines(config.error())) spdlog::error("{}", line);
    return std::nullopt;
  }
  return std::move(*config);
}

std::string describeSource(const Config& config) {
  return config.sourcePath.empty() ? "built-in defaults" : config.sourcePath;
}

// Signal handlers only record intent (through asio's signal_set); the work runs on the loop.
class ServiceLoop {
 public:
  ServiceLoop(const ServiceOptions& options, Config config, std::vector<ComponentFactory> table,
              ServiceNotifier& notifier)
      : options_(options),
        notifier_(notifier),
        signals_(io_, SIGTERM, SIGINT, SIGHUP),
        watchdogTimer_(io_),
        app_(io_, notifier, std::move(config), std::move(table), ControlSocket::On) {}

  int run() {
    if (auto started = app_.start(); !started) {
      spdlog::error("cannot start: {}", started.error().message);
      notifier_.stopping("Startup failed: " + started.error().message);
      stop();
      drain();
      return 1;
    }
    const std::string status = statusLine();
    notifier_.ready(status);
    spdlog::info("ready: {}", status);
    waitForSignal();
    pingWatchdog();
    while (!stopping_ && io_.run_one() > 0) {
    }
    drain();
    spdlog::info("stopped");
    return 0;
  }

 private:
  std::string statusLine() const {
    return "Running with " + describeSource(app_.config()) + "; " +
           std::to_string(app_.componentCount()) + " components";
  }

  void waitForSignal() {
    signals_.async_wait([this](const boost::system::error_code& ec, int signal) {
      if (ec) return;
      if (signal == SIGHUP) {
        reload();
        waitForSignal();
      } else {
        spdlog::info("received {}, stopping", signal == SIGTERM ? "SIGTERM" : "SIGINT");
        notifier_.stopping("Stopping");
        stop();
      }
    });
  }

  void reload() {
    notifier_.reloading();
    spdlog::info("SIGHUP: reloading {}", options_.configPath);
    auto next = loadLogged(options_);
    if (!next) {
      spdlog::error("reload failed; keeping previous configuration");
      notifier_.ready(statusLine() + "; last reload failed, keeping previous configuration");
      return;
    }
    setLogLevel(next->log.level);
    app_.applyConfig(std::move(*next));
    spdlog::info("configuration reloaded");
    notifier_.ready(statusLine());
  }

  // Pings come from the loop itself, so a wedged loop stops them and systemd notices.
  void pingWatchdog() {
    const auto interval = notifier_.watchdogPingInterval();
    if (!interval || stopping_) return;
    notifier_.watchdog();
    watchdogTimer_.expires_after(*interval);
    watchdogTimer_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) pingWatchdog();
    });
  }

  void stop() {
    stopping_ = true;
    app_.stop();
    signals_.cancel();
    watchdogTimer_.cancel();
  }

  // Lets cancelled handlers run; a component that does not wind down in time is abandoned so the
  // process still exits within the systemd stop timeout.
  void drain() {
    const auto deadline = std::chrono::steady_clock::now() + options_.shutdownTimeout;
    while (!io_.stopped()) {
      if (io_.run_one_until(deadline) == 0 && !io_.stopped()) {
        spdlog::warn("shutdown did not finish within {} ms; abandoning pending work",
                     options_.shutdownTimeout.count());
        io_.stop();
      }
    }
  }

  const ServiceOptions& options_;
  ServiceNotifier& notifier_;
  boost::asio::io_context io_;
  boost::asio::signal_set signals_;
  boost::asio::steady_timer watchdogTimer_;
  Application app_;
  bool stopping_ = false;
};

}  // namespace

int runService(const ServiceOptions& options, std::vector<ComponentFactory> table,
               ServiceNotifier& notifier) {
  auto config = loadLogged(options);
  if (!config) {
    spdlog::error("invalid configuration; not starting");
    return 1;
  }
  setLogLevel(config->log.level);
  spdlog::info("ibackupmond {} (revision {}) starting with {}", IBACKUPMON_VERSION, buildRevision(),
               describeSource(*config));
  ServiceLoop loop(options, std::move(*config), std::move(table), notifier);
  return loop.run();
}

}  // namespace ibackupmon
