#include "core/secret_file.hpp"

#include <sys/stat.h>

#include <fstream>
#include <sstream>

namespace deskbridge::core {

Result<std::string> read_secret_file(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        return Error::invalid("cannot read secret file " + path);
    }
    if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
        return Error::invalid("secret file " + path +
                              " is accessible by group or others; chmod 600 it");
    }

    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return Error::invalid("cannot read secret file " + path);
    }
    std::ostringstream buf;
    buf << in.rdbuf();
    std::string secret = buf.str();
    while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) {
        secret.pop_back();
    }
    return secret;
}

}  // namespace deskbridge::core
