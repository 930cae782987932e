#ifndef REALMWIRE_TOOLS_COMMAND_HPP
#define REALMWIRE_TOOLS_COMMAND_HPP

// Subcommand registry and a small argument reader for the `realmwire` tool.
//
// A subcommand file defines `static int run(realmwire_tool::args& a)` and registers it:
//   static realmwire_tool::registration reg{"handshake", "print a client handshake request", run};
// Exit codes: 0 success, 1 the checked thing failed (a refused handshake, an invalid token, ...),
// 2 usage error.

#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace realmwire_tool {

/// Thrown for bad command lines; main() prints it with the usage and exits 2.
struct usage_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// Arguments after the subcommand name. Options are `--name value`, `--name=value` or bare flags;
/// everything else is positional. Every option must be consumed, so a typo is an error, not ignored.
class args {
public:
    explicit args(std::vector<std::string> raw) : raw_(std::move(raw)) {}

    /// A boolean flag (`--verify-roundtrip`).
    bool flag(std::string_view name)
    {
        for (std::size_t i = 0; i < raw_.size(); ++i) {
            if (used_.count(i) == 0 && raw_[i] == "--" + std::string(name)) {
                used_[i] = true;
                return true;
            }
        }
        return false;
    }
    /// The last value of `--name` (`--name V` or `--name=V`).
    std::optional<std::string> value(std::string_view name)
    {
        auto all = values(name);
        if (all.empty())
            return std::nullopt;
        return all.back();
    }
    std::string required(std::string_view name)
    {
        auto v = value(name);
        if (!v)
            throw usage_error("missing --" + std::string(name));
        return *v;
    }
    /// Every value of a repeatable option (`--header 'K: V'` ...), in order.
    std::vector<std::string> values(std::string_view name)
    {
        std::vector<std::string> out;
        const std::string opt = "--" + std::string(name);
        for (std::size_t i = 0; i < raw_.size(); ++i) {
            if (used_.count(i))
                continue;
            if (raw_[i] == opt) {
                if (i + 1 >= raw_.size())
                    throw usage_error(opt + " needs a value");
                used_[i] = used_[i + 1] = true;
                out.push_back(raw_[i + 1]);
                ++i;
            }
            else if (raw_[i].compare(0, opt.size() + 1, opt + "=") == 0) {
                used_[i] = true;
                out.push_back(raw_[i].substr(opt.size() + 1));
            }
        }
        return out;
    }
    /// Positional arguments (call after every option has been read).
    std::vector<std::string> positional()
    {
        std::vector<std::string> out;
        for (std::size_t i = 0; i < raw_.size(); ++i) {
            if (used_.count(i))
                continue;
            if (raw_[i].size() > 2 && raw_[i].compare(0, 2, "--") == 0)
                throw usage_error("unknown option " + raw_[i]);
            used_[i] = true;
            out.push_back(raw_[i]);
        }
        return out;
    }
    /// Fails on anything not consumed.
    void finish()
    {
        for (std::size_t i = 0; i < raw_.size(); ++i) {
            if (!used_.count(i))
                throw usage_error("unexpected argument " + raw_[i]);
        }
    }

private:
    std::vector<std::string> raw_;
    std::map<std::size_t, bool> used_;
};

using command_fn = int (*)(args&);

struct command_info {
    std::string summary;
    command_fn run;
};

inline std::map<std::string, command_info>& registry()
{
    static std::map<std::string, command_info> commands;
    return commands;
}

struct registration {
    registration(const char* name, const char* summary, command_fn fn) { registry()[name] = {summary, fn}; }
};

/// Reads a whole file ("-" is stdin) as bytes; throws usage_error when it cannot be opened.
std::string read_input(const std::string& path);

} // namespace realmwire_tool

#endif
