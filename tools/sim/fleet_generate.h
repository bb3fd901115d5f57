// SPDX-License-Identifier: Apache-2.0
#pragma once
/// --generate N [--seed S]: a varied, deterministic fleet covering every situation.

#include <cstdint>

#include "fleet.h"

namespace sim {

/// N devices; the same (n, seed) always gives the same fleet. About half are healthy; the rest
/// cycle through every situation (see kSituations in the .cpp and docs/simulator.md).
Fleet generateFleet(int n, uint64_t seed);

}  // namespace sim
