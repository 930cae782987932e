#ifndef REALMWIRE_TESTS_AUTH_TEST_UTIL_HPP
#define REALMWIRE_TESTS_AUTH_TEST_UTIL_HPP

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace auth_test {

inline std::string read_file(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot open " + path);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

inline std::string read_vector(const std::string& name)
{
    return read_file(std::string(REALMWIRE_VECTORS_DIR) + "/tokens/" + name);
}

/// A fresh directory under /tmp, removed with its contents at scope exit.
struct temp_dir {
    std::string path;
    temp_dir()
    {
        char tmpl[] = "/tmp/realmwire-auth-XXXXXX";
        const char* p = ::mkdtemp(tmpl);
        if (!p)
            throw std::runtime_error("mkdtemp failed");
        path = p;
    }
    ~temp_dir() { std::system(("rm -rf '" + path + "'").c_str()); }
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;
};

} // namespace auth_test

#endif
