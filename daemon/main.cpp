#include <cstdio>

int main() {
  std::puts("ibackupmond " IBACKUPMON_VERSION);
  return 0;
}
