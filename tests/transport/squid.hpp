// A real squid (Debian package) for proxy tests: listens on 127.0.0.1 on a free port with Basic proxy
// auth (basic_ncsa_auth, an htpasswd file made here), runs in the foreground (-N) as a child of the
// test with its pid/logs in a temp dir, and is stopped (SIGTERM, then SIGKILL) by the destructor.
#ifndef REALMWIRE_TESTS_TRANSPORT_SQUID_HPP
#define REALMWIRE_TESTS_TRANSPORT_SQUID_HPP

#include "transport/support.hpp"

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>

#include <chrono>
#include <fstream>
#include <string>
#include <thread>

#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace rw_test {

class squid_proxy {
public:
    static constexpr const char* binary = "/usr/sbin/squid";
    static bool available() { return ::access(binary, X_OK) == 0 && ::access("/usr/lib/squid/basic_ncsa_auth", X_OK) == 0; }

    squid_proxy(const std::string& user, const std::string& password)
    {
        const std::string d = dir_.path.string();
        ::chmod(d.c_str(), 0755);
        // squid started by root drops to cache_effective_user; that user must own its log dir.
        const char* run_as = nullptr;
        if (::geteuid() == 0) {
            if (struct passwd* pw = ::getpwnam("proxy")) {
                run_as = "proxy";
                if (::chown(d.c_str(), pw->pw_uid, pw->pw_gid) != 0)
                    throw std::runtime_error("chown temp dir for squid");
            }
        }
        run_or_throw("printf '%s:%s\\n' '" + user + "' \"$(openssl passwd -apr1 '" + password + "')\" > " +
                     dir_.file("htpasswd") + " && chmod 644 " + dir_.file("htpasswd"));
        port_ = free_port();
        std::ofstream conf(dir_.file("squid.conf"));
        conf << "http_port 127.0.0.1:" << port_ << "\n"
             << "pid_filename " << d << "/squid.pid\n"
             << "cache_log " << d << "/cache.log\n"
             << "access_log " << d << "/access.log\n"
             << "cache_store_log none\ncache deny all\ncoredump_dir " << d << "\n"
             << "visible_hostname localhost\nnetdb_filename none\npinger_enable off\nshutdown_lifetime 0 seconds\n"
             << (run_as ? std::string("cache_effective_user ") + run_as + "\n" : std::string())
             << "auth_param basic program /usr/lib/squid/basic_ncsa_auth " << d << "/htpasswd\n"
             << "auth_param basic realm realmwire-test\n"
             << "acl authed proxy_auth REQUIRED\n"
             << "acl Safe_ports port 1-65535\n"
             << "http_access deny !authed\nhttp_access allow authed\nhttp_access deny all\n";
        conf.close();
        std::string conf_path = dir_.file("squid.conf");
        std::string out_path = dir_.file("stdout.txt");
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        posix_spawn_file_actions_addopen(&fa, 2, out_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        const char* argv[] = {binary, "-N", "-f", conf_path.c_str(), nullptr};
        int rc = posix_spawn(&pid_, binary, &fa, nullptr, const_cast<char* const*>(argv), environ);
        posix_spawn_file_actions_destroy(&fa);
        if (rc != 0)
            throw std::runtime_error("cannot start squid");
        wait_listening();
    }
    ~squid_proxy() { stop(); }

    std::uint16_t port() const { return port_; }
    std::string log() const
    {
        std::ifstream in(dir_.file("cache.log"));
        return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }

    void stop()
    {
        if (pid_ <= 0)
            return;
        ::kill(pid_, SIGTERM);
        for (int i = 0; i < 200; ++i) { // up to 10 s
            int status = 0;
            if (::waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = -1;
                return;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        ::kill(pid_, SIGKILL);
        int status = 0;
        ::waitpid(pid_, &status, 0);
        pid_ = -1;
    }

private:
    static std::uint16_t free_port()
    {
        asio::io_context ioc;
        asio::ip::tcp::acceptor a(ioc, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
        return a.local_endpoint().port();
    }
    void wait_listening()
    {
        for (int i = 0; i < 200; ++i) { // up to 20 s
            int status = 0;
            if (::waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = -1;
                throw std::runtime_error("squid exited at start: " + log());
            }
            asio::io_context ioc;
            asio::ip::tcp::socket s(ioc);
            std::error_code ec;
            s.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_), ec);
            if (!ec)
                return;
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        stop();
        throw std::runtime_error("squid did not start listening");
    }

    temp_dir dir_;
    std::uint16_t port_ = 0;
    pid_t pid_ = -1;
};

} // namespace rw_test

#endif
