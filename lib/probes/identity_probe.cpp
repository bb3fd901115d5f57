#include "probes/identity_probe.h"

#include "probes/plist_fields.h"

namespace ibackupmon {

Expected<Identity> parseIdentity(const PlistDict& dict) {
  const FieldReader r(dict, "default domain");
  ParseState p;
  Identity id;
  p.take(id.name, r.string("DeviceName"));
  p.take(id.productType, r.string("ProductType"));
  p.take(id.productVersion, r.string("ProductVersion"));
  p.take(id.buildVersion, r.string("BuildVersion"));
  p.take(id.serial, r.string("SerialNumber"));
  p.take(id.deviceClock, r.unixTime("TimeIntervalSince1970"));
  p.take(id.passwordProtected, r.boolean("PasswordProtected"));
  p.take(id.activationState, r.string("ActivationState"));
  return p.finish(std::move(id));
}

ProbeResult IdentityProbe::run(DeviceSession& session, DeviceSnapshot& snapshot) {
  auto dict = session.getDomain("");
  if (!dict) return ProbeResult::fromReadError(dict.error());
  auto id = parseIdentity(*dict);
  if (!id) return ProbeResult::failed(id.error());
  id->udid = snapshot.identity.udid;
  snapshot.identity = std::move(*id);
  return ProbeResult::ok();
}

}  // namespace ibackupmon
