// SPDX-License-Identifier: Apache-2.0
#pragma once
/// The life cycle of one device in the monitor: every state it can be in and every transition,
/// in one table (transition() in device_lifecycle.cpp). The monitor does the work (probing,
/// recording, diagnosing) and moves the entry with the event that just happened.
///
///   Detached --Attach--> Idle --Dispatch--> Probing --CycleOk--> Idle
///                                                 \--CycleFailed--> Backoff --Dispatch--> ...
///   Probing --Abandon--> Abandoned --WorkerBack--> Backoff
///   Idle/Backoff --Detach--> Detached --Forget--> Gone (the entry is erased)
///
/// At most one probe cycle per device is out at a time, and a detach or a forget does not end it:
/// libimobiledevice cannot cancel a blocked call. So the states with a worker out come in three
/// flavours (attached, detached, forgotten), each with the worker running or written off.
///
/// To add a state: add the enum value, its name in toString(), its rows in transition(), and
/// say in the predicates below whether it counts as attached, has a worker out or is leaving.

#include <optional>
#include <string_view>

namespace ibackupmon {

enum class LifecycleState {
  Detached,            ///< usbmuxd does not list it; housekeeping re-diagnoses it
  Idle,                ///< attached; the next regular probe is at its due time
  Backoff,             ///< attached; its last cycle failed; retried sooner than the interval
  Probing,             ///< attached; a worker runs its cycle under the probe timeout
  Abandoned,           ///< attached; its worker was written off; each due time counts as failed
  DetachedProbing,     ///< unplugged mid-cycle; the result is still recorded (as disconnected)
  DetachedAbandoned,   ///< unplugged while its written-off worker is still out
  ForgottenProbing,    ///< forgotten or excluded mid-cycle; erased when the result comes
  ForgottenAbandoned,  ///< forgotten or excluded; erased when the written-off worker returns
  Gone,                ///< out of the live fleet: the monitor erases the entry
};

enum class LifecycleEvent {
  Attach,       ///< usbmuxd lists it (again)
  Detach,       ///< usbmuxd no longer lists it
  Dispatch,     ///< its probe cycle was handed to the pool
  CycleOk,      ///< a cycle's outcome was counted: the device was read
  CycleFailed,  ///< a cycle's outcome was counted: nothing usable (also each missed due time)
  Abandon,      ///< the probe timeout passed: the worker is written off
  WorkerBack,   ///< a written-off worker returned; its news is stale
  Forget,       ///< forgotten (forget_after, ibackupmonctl forget) or excluded by the filter
};

/// The state after `event`, or nullopt when the event does not apply in `state` (the monitor
/// then leaves the entry as it is).
std::optional<LifecycleState> transition(LifecycleState state, LifecycleEvent event);

std::string_view toString(LifecycleState state);
std::string_view toString(LifecycleEvent event);

/// usbmuxd lists the device and it belongs to the live fleet.
constexpr bool isAttached(LifecycleState s) {
  return s == LifecycleState::Idle || s == LifecycleState::Backoff ||
         s == LifecycleState::Probing || s == LifecycleState::Abandoned;
}
/// A cycle is out: no other may start until its worker returns (or is written off and returns).
constexpr bool hasWorkerOut(LifecycleState s) {
  return s == LifecycleState::Probing || s == LifecycleState::Abandoned ||
         s == LifecycleState::DetachedProbing || s == LifecycleState::DetachedAbandoned ||
         s == LifecycleState::ForgottenProbing || s == LifecycleState::ForgottenAbandoned;
}
/// The cycle out belongs to a written-off worker: it no longer counts against the pool.
constexpr bool isWrittenOff(LifecycleState s) {
  return s == LifecycleState::Abandoned || s == LifecycleState::DetachedAbandoned ||
         s == LifecycleState::ForgottenAbandoned;
}
/// No longer in the live fleet; the entry only waits for its worker.
constexpr bool isLeaving(LifecycleState s) {
  return s == LifecycleState::ForgottenProbing || s == LifecycleState::ForgottenAbandoned ||
         s == LifecycleState::Gone;
}
/// Waits for its due time: then it is probed (Idle, Backoff) or counted as failed (Abandoned).
constexpr bool waitsForDueTime(LifecycleState s) {
  return s == LifecycleState::Idle || s == LifecycleState::Backoff ||
         s == LifecycleState::Abandoned;
}

}  // namespace ibackupmon
