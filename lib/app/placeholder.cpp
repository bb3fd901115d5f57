// Keeps ibackupmon_app a real library until its first component lands; remove then.
namespace ibackupmon {
int appPlaceholder() { return 0; }
}  // namespace ibackupmon
