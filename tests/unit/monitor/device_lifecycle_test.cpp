// SPDX-License-Identifier: Apache-2.0
// The device life cycle table: the paths the monitor takes, and what each state implies.
#include "app/device_lifecycle.h"

#include <gtest/gtest.h>

#include <initializer_list>

namespace ibackupmon {
namespace {

using S = LifecycleState;
using E = LifecycleEvent;

constexpr S kAll[] = {S::Detached,
                      S::Idle,
                      S::Backoff,
                      S::Probing,
                      S::Abandoned,
                      S::DetachedProbing,
                      S::DetachedAbandoned,
                      S::ForgottenProbing,
                      S::ForgottenAbandoned,
                      S::Gone};
constexpr E kEvents[] = {E::Attach,      E::Detach,  E::Dispatch,   E::CycleOk,
                         E::CycleFailed, E::Abandon, E::WorkerBack, E::Forget};

S walk(S s, std::initializer_list<E> events) {
  for (E e : events) {
    auto next = transition(s, e);
    EXPECT_TRUE(next) << toString(e) << " does not apply in " << toString(s);
    if (next) s = *next;
  }
  return s;
}

TEST(DeviceLifecycleTest, ProbeCyclesSucceedFailAndBackOff) {
  EXPECT_EQ(walk(S::Detached, {E::Attach, E::Dispatch, E::CycleOk}), S::Idle);
  EXPECT_EQ(walk(S::Idle, {E::Dispatch, E::CycleFailed}), S::Backoff);
  EXPECT_EQ(walk(S::Backoff, {E::Dispatch, E::CycleOk}), S::Idle);
  EXPECT_EQ(walk(S::Backoff, {E::Attach}), S::Idle) << "a replug forgets the backoff";
}

TEST(DeviceLifecycleTest, AWrittenOffWorkerKeepsTheDeviceUntilItReturns) {
  EXPECT_EQ(walk(S::Probing, {E::Abandon, E::CycleFailed, E::CycleFailed}), S::Abandoned);
  EXPECT_FALSE(transition(S::Abandoned, E::Dispatch)) << "never two cycles at once";
  EXPECT_EQ(walk(S::Abandoned, {E::WorkerBack}), S::Backoff);
  EXPECT_EQ(walk(S::Abandoned, {E::Detach, E::Attach}), S::Abandoned);
  EXPECT_EQ(walk(S::Abandoned, {E::Detach, E::WorkerBack}), S::Detached);
}

TEST(DeviceLifecycleTest, DetachAndForgetWaitForTheCycleOut) {
  EXPECT_EQ(walk(S::Probing, {E::Detach, E::CycleOk}), S::Detached);
  EXPECT_EQ(walk(S::Probing, {E::Detach, E::Attach}), S::Probing);
  EXPECT_EQ(walk(S::Probing, {E::Forget, E::CycleOk}), S::Gone);
  EXPECT_EQ(walk(S::Probing, {E::Forget, E::Abandon, E::WorkerBack}), S::Gone);
  EXPECT_EQ(walk(S::Detached, {E::Forget}), S::Gone);
  EXPECT_EQ(walk(S::Idle, {E::Forget}), S::Gone) << "excluded by the filter";
}

TEST(DeviceLifecycleTest, StatesAgreeWithWhatTheyImply) {
  for (S s : kAll) {
    SCOPED_TRACE(std::string(toString(s)));
    if (isWrittenOff(s)) {
      EXPECT_TRUE(hasWorkerOut(s));
    }
    if (waitsForDueTime(s)) {
      EXPECT_TRUE(isAttached(s));
    }
    // Only a state with a worker out can hear from a worker.
    for (E e : {E::CycleOk, E::Abandon, E::WorkerBack}) {
      if (transition(s, e)) {
        EXPECT_TRUE(hasWorkerOut(s)) << toString(e);
      }
    }
    if (transition(s, E::WorkerBack)) {
      EXPECT_TRUE(isWrittenOff(s));
    }
    if (transition(s, E::Abandon)) {
      EXPECT_FALSE(isWrittenOff(s));
    }
    // Every state but Gone can leave the fleet (excluded or forgotten) or is on its way.
    if (s != S::Gone) {
      EXPECT_TRUE(transition(s, E::Forget) || isLeaving(s));
    }
    EXPECT_NE(toString(s), "?");
  }
  for (E e : kEvents) {
    EXPECT_NE(toString(e), "?");
    EXPECT_FALSE(transition(S::Gone, e));
  }
}

}  // namespace
}  // namespace ibackupmon
