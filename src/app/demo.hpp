#pragma once
// `deskbridge demo`: a throwaway SQLite database with demo data, a generated secret, and the
// server, printing curl commands that try it.

#include <string>

namespace deskbridge::app {

int demo_command(const std::string& listen);

}  // namespace deskbridge::app
