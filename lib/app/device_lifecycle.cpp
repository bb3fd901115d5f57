// SPDX-License-Identifier: Apache-2.0
#include "app/device_lifecycle.h"

namespace ibackupmon {

std::optional<LifecycleState> transition(LifecycleState state, LifecycleEvent event) {
  using S = LifecycleState;
  using E = LifecycleEvent;
  switch (state) {
    case S::Detached:
      switch (event) {
        case E::Attach: return S::Idle;
        case E::Forget: return S::Gone;
        default: return std::nullopt;
      }
    case S::Idle:
    case S::Backoff:
      switch (event) {
        case E::Attach: return S::Idle;  // replugged: probed again at once, backoff forgotten
        case E::Detach: return S::Detached;
        case E::Dispatch: return S::Probing;
        case E::Forget: return S::Gone;
        default: return std::nullopt;
      }
    case S::Probing:
      switch (event) {
        case E::Detach: return S::DetachedProbing;
        case E::CycleOk: return S::Idle;
        case E::CycleFailed: return S::Backoff;
        case E::Abandon: return S::Abandoned;
        case E::Forget: return S::ForgottenProbing;
        default: return std::nullopt;
      }
    case S::Abandoned:
      switch (event) {
        case E::Detach: return S::DetachedAbandoned;
        case E::CycleFailed: return S::Abandoned;  // a due time missed while the worker is out
        case E::WorkerBack: return S::Backoff;     // its last counted cycle failed
        case E::Forget: return S::ForgottenAbandoned;
        default: return std::nullopt;
      }
    case S::DetachedProbing:
      switch (event) {
        case E::Attach: return S::Probing;
        case E::CycleOk:
        case E::CycleFailed: return S::Detached;
        case E::Abandon: return S::DetachedAbandoned;
        case E::Forget: return S::ForgottenProbing;
        default: return std::nullopt;
      }
    case S::DetachedAbandoned:
      switch (event) {
        case E::Attach: return S::Abandoned;
        case E::CycleFailed: return S::DetachedAbandoned;
        case E::WorkerBack: return S::Detached;
        case E::Forget: return S::ForgottenAbandoned;
        default: return std::nullopt;
      }
    case S::ForgottenProbing:
      switch (event) {
        case E::CycleOk:
        case E::CycleFailed: return S::Gone;
        case E::Abandon: return S::ForgottenAbandoned;
        default: return std::nullopt;
      }
    case S::ForgottenAbandoned:
      switch (event) {
        case E::CycleFailed: return S::ForgottenAbandoned;
        case E::WorkerBack: return S::Gone;
        default: return std::nullopt;
      }
    case S::Gone: return std::nullopt;
  }
  return std::nullopt;
}

std::string_view toString(LifecycleState state) {
  switch (state) {
    case LifecycleState::Detached: return "detached";
    case LifecycleState::Idle: return "idle";
    case LifecycleState::Backoff: return "backoff";
    case LifecycleState::Probing: return "probing";
    case LifecycleState::Abandoned: return "abandoned";
    case LifecycleState::DetachedProbing: return "detached-probing";
    case LifecycleState::DetachedAbandoned: return "detached-abandoned";
    case LifecycleState::ForgottenProbing: return "forgotten-probing";
    case LifecycleState::ForgottenAbandoned: return "forgotten-abandoned";
    case LifecycleState::Gone: return "gone";
  }
  return "?";
}

std::string_view toString(LifecycleEvent event) {
  switch (event) {
    case LifecycleEvent::Attach: return "attach";
    case LifecycleEvent::Detach: return "detach";
    case LifecycleEvent::Dispatch: return "dispatch";
    case LifecycleEvent::CycleOk: return "cycle-ok";
    case LifecycleEvent::CycleFailed: return "cycle-failed";
    case LifecycleEvent::Abandon: return "abandon";
    case LifecycleEvent::WorkerBack: return "worker-back";
    case LifecycleEvent::Forget: return "forget";
  }
  return "?";
}

}  // namespace ibackupmon
