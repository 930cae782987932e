#ifndef REALMWIRE_TESTS_SUPPORT_TOOL_PROCESS_HPP
#define REALMWIRE_TESTS_SUPPORT_TOOL_PROCESS_HPP

// The `realmwire` tool as a real process in tests: one run to its end (run_tool), or a long-running
// `realmwire server` on loopback whose stdout is read as it goes (tool_server), or any other command
// as a process (tool_process). Needs REALMWIRE_TOOL_PATH.

#include "realmwire/auth/keys.hpp"
#include "realmwire/auth/token.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace rw_tool_test {

struct run_result {
    int status = -1;    ///< the exit status; -1 when the tool did not exit normally
    std::string output; ///< stdout and stderr
};

/// Runs the tool with `shell_args` (split by the shell, as typed on a command line, redirections
/// included) to its end. Its stderr goes into the output too unless `with_stderr` is false.
inline run_result run_tool_shell(const std::string& shell_args, bool with_stderr = true)
{
    const std::string cmd =
        std::string("'") + REALMWIRE_TOOL_PATH + "' " + shell_args + (with_stderr ? " 2>&1" : " 2>/dev/null");
    run_result r;
    FILE* p = ::popen(cmd.c_str(), "r");
    REQUIRE(p);
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0)
        r.output.append(buf, n);
    int st = ::pclose(p);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return r;
}

/// Runs the tool with `args` (each quoted for the shell) to its end.
inline run_result run_tool(const std::vector<std::string>& args)
{
    std::string quoted;
    for (const auto& a : args) {
        std::string q;
        for (char ch : a)
            q += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
        quoted += " '" + q + "'";
    }
    return run_tool_shell(quoted);
}

/// An access token for `identity` (download and upload, every realm) signed with the key the server
/// keeps in its data directory `data` (made there if it is not yet).
inline std::string server_token(const std::string& data, const std::string& identity)
{
    realmwire::auth::key_pair keys = realmwire::auth::load_or_generate_keys(data);
    realmwire::auth::claims c;
    c.identity = identity;
    c.has_access = true;
    c.access = realmwire::auth::privilege::download | realmwire::auth::privilege::upload;
    return realmwire::auth::sign_claims(c, keys.private_key);
}

/// The tool as a running process with `args` (everything after the tool's path); its stdout read on
/// demand. The destructor stops it with SIGTERM and waits.
class tool_process {
public:
    explicit tool_process(const std::vector<std::string>& args)
    {
        int fds[2];
        REQUIRE(::pipe(fds) == 0);
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
        posix_spawn_file_actions_addclose(&fa, fds[0]);
        std::vector<const char*> argv{REALMWIRE_TOOL_PATH};
        for (const auto& s : args)
            argv.push_back(s.c_str());
        argv.push_back(nullptr);
        int rc = posix_spawn(&pid_, REALMWIRE_TOOL_PATH, &fa, nullptr, const_cast<char* const*>(argv.data()), environ);
        posix_spawn_file_actions_destroy(&fa);
        ::close(fds[1]);
        out_fd_ = fds[0];
        REQUIRE(rc == 0);
    }
    tool_process(const tool_process&) = delete;
    tool_process& operator=(const tool_process&) = delete;
    ~tool_process()
    {
        stop(SIGTERM);
        if (out_fd_ >= 0)
            ::close(out_fd_);
    }

    void signal(int sig) const { ::kill(pid_, sig); }
    /// Sends `sig` and waits for the process to end (SIGKILL: the crash a durable program must survive).
    /// Returns its exit status; -1 when a signal ended it or it was stopped before.
    int stop(int sig)
    {
        int status = -1;
        if (pid_ > 0) {
            ::kill(pid_, sig);
            int st = 0;
            ::waitpid(pid_, &st, 0);
            pid_ = -1;
            status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
        }
        return status;
    }
    /// Reads stdout until `text` appeared (or `timeout` passed); what came before it and `text` itself
    /// are consumed (see consumed()).
    bool wait_for(const std::string& text, std::chrono::milliseconds timeout = std::chrono::seconds(10))
    {
        auto deadline = std::chrono::steady_clock::now() + timeout;
        while (seen_.find(text) == std::string::npos && std::chrono::steady_clock::now() < deadline) {
            pollfd p{out_fd_, POLLIN, 0};
            if (::poll(&p, 1, 100) > 0) {
                char buf[256];
                ssize_t n = ::read(out_fd_, buf, sizeof buf);
                if (n <= 0)
                    break;
                seen_.append(buf, static_cast<std::size_t>(n));
            }
        }
        std::size_t at = seen_.find(text);
        if (at == std::string::npos)
            return false;
        consumed_ = seen_.substr(0, at + text.size());
        seen_.erase(0, at + text.size());
        return true;
    }
    /// What the last successful wait_for() consumed.
    const std::string& consumed() const noexcept { return consumed_; }
    /// Read but not yet consumed.
    const std::string& unconsumed() const noexcept { return seen_; }

private:
    pid_t pid_ = -1;
    int out_fd_ = -1;
    std::string seen_;
    std::string consumed_;
};

/// `realmwire server ARGS...` (ARGS include `--listen 127.0.0.1:PORT`, 0 for a free port) and the port
/// it reports once listening.
class tool_server : public tool_process {
public:
    explicit tool_server(const std::vector<std::string>& args) : tool_process(with_command(args))
    {
        REQUIRE(wait_for("\n"));
        const std::string line = consumed();
        INFO(line);
        REQUIRE(line.rfind("listening on 127.0.0.1:", 0) == 0);
        port_ = static_cast<std::uint16_t>(std::stoul(line.substr(line.rfind(':') + 1)));
    }
    std::uint16_t port() const noexcept { return port_; }

private:
    static std::vector<std::string> with_command(const std::vector<std::string>& args)
    {
        std::vector<std::string> all{"server"};
        all.insert(all.end(), args.begin(), args.end());
        return all;
    }
    std::uint16_t port_ = 0;
};

} // namespace rw_tool_test

#endif
