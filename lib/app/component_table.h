// SPDX-License-Identifier: Apache-2.0
#pragma once
/// The one list of the daemon's components, in dependency order.

#include <vector>

#include "app/component.h"

namespace ibackupmon {

/// Factories in start order (store first, monitor after its observers); stop runs in reverse.
std::vector<ComponentFactory> componentTable();

}  // namespace ibackupmon
