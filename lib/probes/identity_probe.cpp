// SPDX-License-Identifier: Apache-2.0
#include "probes/identity_probe.h"

#include "probes/plist_fields.h"

namespace ibackupmon {

Parsed<Identity> parseIdentity(const PlistDict& dict) {
  FieldReader r(dict, "default domain");
  Identity id;
  id.name = r.string("DeviceName");
  id.productType = r.string("ProductType");
  id.productVersion = r.string("ProductVersion");
  id.buildVersion = r.string("BuildVersion");
  id.serial = r.string("SerialNumber");
  id.deviceClock = r.unixTime("TimeIntervalSince1970");
  id.passwordProtected = r.boolean("PasswordProtected");
  id.activationState = r.string("ActivationState");
  return {std::move(id), r.invalid()};
}

ProbeResult IdentityProbe::run(DeviceSession& session, DeviceSnapshot& snapshot) {
  auto dict = session.getDomain("");
  if (!dict) return ProbeResult::fromReadError(dict.error());
  auto id = parseIdentity(*dict);
  id.value.udid = snapshot.identity.udid;
  snapshot.identity = std::move(id.value);
  return ProbeResult::ok(std::move(id.invalid));
}

}  // namespace ibackupmon
