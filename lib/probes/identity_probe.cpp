// SPDX-License-Identifier: Apache-2.0
#include "probes/facets.h"

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

ProbeResult readIdentity(DeviceSession& session, DeviceSnapshot& snapshot) {
  std::string udid = std::move(snapshot.identity.udid);
  ProbeResult r = readDomain(session, "", parseIdentity, snapshot.identity);
  snapshot.identity.udid = std::move(udid);
  return r;
}

}  // namespace ibackupmon
