#include "cli/commands.h"

#include <cstdio>

namespace ksim::cli {

int Main(int argc, char** argv) {
  std::fprintf(stderr, "usage: ksim up [flags]\n");
  return 2;
}

}  // namespace ksim::cli
