// Running real Debian daemons (nginx, haproxy, squid) in tests: each one in the foreground as a child
// of the test, on 127.0.0.1 with a free port, its config filled in from a template (the deployment
// templates in docs/deploy/ are exactly what the tests run), pid/logs/temp files in a temp dir that is
// removed afterwards, and stopped by the destructor (SIGTERM, then SIGKILL) even when a test fails.
// Not compiled on its own: include it by relative path ("support/deploy.hpp").
#ifndef REALMWIRE_TESTS_SUPPORT_DEPLOY_HPP
#define REALMWIRE_TESTS_SUPPORT_DEPLOY_HPP

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace rw_deploy {

namespace fs = std::filesystem;

struct temp_dir {
    fs::path path;
    temp_dir()
    {
        std::random_device rd;
        path = fs::temp_directory_path() / ("realmwire-i-" + std::to_string(rd()) + std::to_string(rd()));
        fs::create_directories(path);
        ::chmod(path.c_str(), 0755);
    }
    ~temp_dir()
    {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;
    std::string str() const { return path.string(); }
    std::string file(const std::string& name) const { return (path / name).string(); }
};

inline std::string read_file(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot read " + path);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

inline void write_file(const std::string& path, const std::string& data)
{
    std::ofstream out(path, std::ios::binary);
    out << data;
    if (!out)
        throw std::runtime_error("cannot write " + path);
}

/// A free TCP port on 127.0.0.1 (bound and released; the daemon binds it right after).
inline std::uint16_t free_port()
{
    asio::io_context ioc;
    asio::ip::tcp::acceptor a(ioc, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    return a.local_endpoint().port();
}

inline bool port_open(std::uint16_t port)
{
    asio::io_context ioc;
    asio::ip::tcp::socket s(ioc);
    std::error_code ec;
    s.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
    return !ec;
}

/// Replaces every `{{NAME}}` in `text`; throws when a placeholder is left unfilled (a typo in a
/// template must fail the test, not start a daemon with a literal `{{...}}`).
inline std::string fill_template(std::string text, const std::map<std::string, std::string>& vars)
{
    for (const auto& [k, v] : vars) {
        const std::string key = "{{" + k + "}}";
        for (std::size_t at = text.find(key); at != std::string::npos; at = text.find(key, at + v.size()))
            text.replace(at, key.size(), v);
    }
    std::size_t open = text.find("{{");
    if (open != std::string::npos)
        throw std::runtime_error("unfilled placeholder " + text.substr(open, text.find("}}", open) - open + 2));
    return text;
}

/// A deployment template from docs/deploy/ (or any path under the source tree).
inline std::string source_file(const std::string& rel) { return read_file(std::string(REALMWIRE_SOURCE_DIR) + "/" + rel); }

/// A child process with stdout+stderr in a file; stopped by the destructor.
class child_process {
public:
    child_process() = default;
    child_process(const std::vector<std::string>& argv, const std::string& output_file) { start(argv, output_file); }
    ~child_process() { stop(); }
    child_process(const child_process&) = delete;
    child_process& operator=(const child_process&) = delete;

    void start(const std::vector<std::string>& argv, const std::string& output_file)
    {
        out_ = output_file;
        std::vector<char*> args;
        for (const auto& a : argv)
            args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_addopen(&fa, 1, out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        posix_spawn_file_actions_adddup2(&fa, 1, 2);
        // The test's own sockets (a reference server's listener!) are not CLOEXEC: without this a
        // daemon would inherit them and keep the port bound after the server stopped.
        posix_spawn_file_actions_addclosefrom_np(&fa, 3);
        int rc = posix_spawn(&pid_, args[0], &fa, nullptr, args.data(), environ);
        posix_spawn_file_actions_destroy(&fa);
        if (rc != 0) {
            pid_ = -1;
            throw std::runtime_error("cannot start " + argv[0]);
        }
    }

    bool running()
    {
        if (pid_ <= 0)
            return false;
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            exit_status_ = status;
            return false;
        }
        return true;
    }

    /// Waits until 127.0.0.1:port accepts connections; throws with the output if the child exits first.
    void wait_listening(std::uint16_t port, const std::string& what, std::chrono::seconds limit = std::chrono::seconds(15))
    {
        auto deadline = std::chrono::steady_clock::now() + limit;
        while (std::chrono::steady_clock::now() < deadline) {
            if (!running())
                throw std::runtime_error(what + " exited at start: " + output());
            if (port_open(port))
                return;
            std::this_thread::sleep_for(std::chrono::milliseconds(25));
        }
        stop();
        throw std::runtime_error(what + " did not listen on " + std::to_string(port) + ": " + output());
    }

    void stop()
    {
        if (pid_ <= 0)
            return;
        ::kill(pid_, SIGTERM);
        for (int i = 0; i < 200; ++i) { // up to 5 s
            int status = 0;
            if (::waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = -1;
                return;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(25));
        }
        ::kill(pid_, SIGKILL);
        int status = 0;
        ::waitpid(pid_, &status, 0);
        pid_ = -1;
    }

    std::string output() const
    {
        try {
            return read_file(out_);
        }
        catch (const std::exception&) {
            return {};
        }
    }
    pid_t pid() const noexcept { return pid_; }

private:
    pid_t pid_ = -1;
    int exit_status_ = 0;
    std::string out_;
};

inline bool executable(const char* path) { return ::access(path, X_OK) == 0; }

/// nginx in the foreground, single process (`daemon off; master_process off;` via -g), prefix and
/// logs in its own temp dir: `nginx -p <dir> -e <dir>/error.log -c <dir>/nginx.conf -g '...'`.
/// The template gets RUN_DIR filled in as well as the caller's variables.
class nginx_instance {
public:
    static constexpr const char* binary = "/usr/sbin/nginx";
    static bool available() { return executable(binary); }

    nginx_instance(const std::string& config_template, std::map<std::string, std::string> vars, std::uint16_t port)
        : port_(port)
    {
        vars["RUN_DIR"] = dir_.str();
        conf_ = fill_template(config_template, vars);
        write_file(dir_.file("nginx.conf"), conf_);
        proc_.start({binary, "-p", dir_.str() + "/", "-e", dir_.file("error.log"), "-c", dir_.file("nginx.conf"), "-g",
                     "daemon off; master_process off; pid " + dir_.file("nginx.pid") + ";"},
                    dir_.file("stdout.txt"));
        try {
            proc_.wait_listening(port_, "nginx");
        }
        catch (const std::runtime_error& e) {
            throw std::runtime_error(std::string(e.what()) + "\n" + error_log());
        }
    }
    std::uint16_t port() const noexcept { return port_; }
    const std::string& config() const noexcept { return conf_; }
    std::string error_log() const
    {
        try {
            return read_file(dir_.file("error.log"));
        }
        catch (const std::exception&) {
            return {};
        }
    }
    std::string access_log() const
    {
        try {
            return read_file(dir_.file("access.log"));
        }
        catch (const std::exception&) {
            return {};
        }
    }
    void stop() { proc_.stop(); }

private:
    temp_dir dir_;
    std::uint16_t port_;
    std::string conf_;
    child_process proc_;
};

/// HAProxy in the foreground (`-db`), config from a template.
class haproxy_instance {
public:
    static constexpr const char* binary = "/usr/sbin/haproxy";
    static bool available() { return executable(binary); }

    haproxy_instance(const std::string& config_template, std::map<std::string, std::string> vars, std::uint16_t port)
        : port_(port)
    {
        vars["RUN_DIR"] = dir_.str();
        conf_ = fill_template(config_template, vars);
        write_file(dir_.file("haproxy.cfg"), conf_);
        proc_.start({binary, "-db", "-f", dir_.file("haproxy.cfg")}, dir_.file("output.txt"));
        proc_.wait_listening(port_, "haproxy");
    }
    std::uint16_t port() const noexcept { return port_; }
    std::string output() const { return proc_.output(); }
    void stop() { proc_.stop(); }

private:
    temp_dir dir_;
    std::uint16_t port_;
    std::string conf_;
    child_process proc_;
};

/// squid in the foreground (`-N`) with Basic proxy auth from an htpasswd file made here. Run as root
/// it drops to `proxy`, which must own its log dir.
class squid_instance {
public:
    static constexpr const char* binary = "/usr/sbin/squid";
    static bool available() { return executable(binary) && executable("/usr/lib/squid/basic_ncsa_auth"); }

    squid_instance(const std::string& config_template, const std::string& user, const std::string& password,
                   std::uint16_t port)
        : port_(port)
    {
        std::string effective;
        if (::geteuid() == 0) {
            if (struct passwd* pw = ::getpwnam("proxy")) {
                effective = "cache_effective_user proxy";
                if (::chown(dir_.str().c_str(), pw->pw_uid, pw->pw_gid) != 0)
                    throw std::runtime_error("chown temp dir for squid");
            }
        }
        std::string cmd = "printf '%s:%s\\n' '" + user + "' \"$(openssl passwd -apr1 '" + password + "')\" > " +
                          dir_.file("htpasswd") + " && chmod 644 " + dir_.file("htpasswd");
        if (std::system(cmd.c_str()) != 0)
            throw std::runtime_error("cannot make the htpasswd file");
        conf_ = fill_template(config_template, {{"RUN_DIR", dir_.str()},
                                                {"LISTEN_PORT", std::to_string(port_)},
                                                {"HTPASSWD", dir_.file("htpasswd")},
                                                {"EFFECTIVE_USER", effective}});
        write_file(dir_.file("squid.conf"), conf_);
        proc_.start({binary, "-N", "-f", dir_.file("squid.conf")}, dir_.file("stdout.txt"));
        proc_.wait_listening(port_, "squid", std::chrono::seconds(20));
    }
    std::uint16_t port() const noexcept { return port_; }
    std::string access_log() const
    {
        try {
            return read_file(dir_.file("access.log"));
        }
        catch (const std::exception&) {
            return {};
        }
    }
    void stop() { proc_.stop(); }

private:
    temp_dir dir_;
    std::uint16_t port_;
    std::string conf_;
    child_process proc_;
};

} // namespace rw_deploy

#endif
