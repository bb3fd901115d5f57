// SPDX-License-Identifier: Apache-2.0
#include "app/application.h"
#include "support/null_notifier.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ibackupmon {
namespace {

// Records what Application asks of components and of the notifier, in order.
struct Journal {
  std::vector<std::string> events;
};

class FakeComponent final : public Component {
 public:
  FakeComponent(std::string name, Journal& journal, bool failStart = false)
      : name_(std::move(name)), journal_(journal), failStart_(failStart) {}
  ~FakeComponent() override { journal_.events.push_back("destroy " + name_); }
  std::string_view name() const override { return name_; }
  Expected<void> start() override {
    journal_.events.push_back("start " + name_);
    if (failStart_) return makeError("db_corrupt", "/x.db: not a database");
    return {};
  }
  void applyConfig(const Config& c) override {
    journal_.events.push_back("apply " + name_ + " " + toString(c.log.level) + " " +
                              c.metrics.listen);
  }
  void stop() override { journal_.events.push_back("stop " + name_); }

 private:
  std::string name_;
  Journal& journal_;
  bool failStart_;
};

using testing::NullNotifier;

ComponentFactory fake(const std::string& name, Journal& journal, bool failStart = false) {
  return [=, &journal](AppContext&) {
    journal.events.push_back("create " + name);
    return std::make_unique<FakeComponent>(name, journal, failStart);
  };
}

TEST(Application, StartsInOrderAndStopsAndDestroysInReverse) {
  Journal j;
  boost::asio::io_context io;
  NullNotifier notifier;
  {
    Application app(io, notifier, Config{}, {fake("store", j), fake("monitor", j)});
    ASSERT_TRUE(app.start());
    EXPECT_EQ(app.componentCount(), 2u);
    app.stop();
    app.stop();  // idempotent
  }
  EXPECT_EQ(j.events, (std::vector<std::string>{"create store", "start store", "create monitor",
                                                "start monitor", "stop monitor", "stop store",
                                                "destroy monitor", "destroy store"}));
}

TEST(Application, FailedStartStopsWhatStartedAndNamesTheComponent) {
  Journal j;
  boost::asio::io_context io;
  NullNotifier notifier;
  Application app(io, notifier, Config{}, {fake("a", j), fake("store", j, true), fake("never", j)});
  auto started = app.start();
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().code, "db_corrupt");
  EXPECT_EQ(started.error().message, "store: /x.db: not a database");
  EXPECT_EQ(j.events, (std::vector<std::string>{"create a", "start a", "create store",
                                                "start store", "destroy store", "stop a"}));
}

TEST(Application, ReloadKeepsRestartOnlyKeysAndPassesTheRest) {
  Journal j;
  boost::asio::io_context io;
  NullNotifier notifier;
  Config initial;
  initial.metrics.listen = "127.0.0.1:0";
  Application app(io, notifier, initial, {fake("metrics", j)});
  ASSERT_TRUE(app.start());
  Config next = initial;
  next.metrics.listen = "127.0.0.1:9";
  next.log.level = LogLevel::Debug;
  app.applyConfig(next);
  EXPECT_EQ(j.events.back(), "apply metrics debug 127.0.0.1:0");
  EXPECT_EQ(app.config().log.level, LogLevel::Debug);
  EXPECT_EQ(app.config().metrics.listen, "127.0.0.1:0");
}

TEST(Application, ContextSeesTheCurrentConfig) {
  boost::asio::io_context io;
  NullNotifier notifier;
  AppContext* seen = nullptr;
  Journal j;
  Application app(io, notifier, Config{}, {[&](AppContext& ctx) {
                    seen = &ctx;
                    return std::make_unique<FakeComponent>("x", j);
                  }});
  ASSERT_TRUE(app.start());
  ASSERT_NE(seen, nullptr);
  Config next;
  next.probe.concurrency = 3;
  app.applyConfig(next);
  EXPECT_EQ(seen->config().probe.concurrency, 3);
}

}  // namespace
}  // namespace ibackupmon
