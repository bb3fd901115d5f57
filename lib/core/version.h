// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Build identity. The revision lives in one generated source file so a new commit recompiles
/// that file only, not every target that sees core's compile definitions.

namespace ibackupmon {

/// Git revision the binary was built from ("unknown" outside a checkout).
const char* buildRevision();

}  // namespace ibackupmon
