// ksim: entry point. Parses the sub-command and hands over to cli/.
#include "cli/commands.h"

int main(int argc, char** argv) { return ksim::cli::Main(argc, argv); }
