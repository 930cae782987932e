// Reading the merge vectors (tests/vectors/merge/scenario-NNN.json).
#pragma once

#include <picojson.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace rw_merge_test {

inline std::string unhex(const std::string& h)
{
    auto nib = [](char c) -> int {
        if (c >= '0' && c <= '9')
            return c - '0';
        if (c >= 'a' && c <= 'f')
            return c - 'a' + 10;
        throw std::runtime_error("bad hex digit");
    };
    if (h.size() % 2)
        throw std::runtime_error("odd hex length");
    std::string out;
    for (std::size_t i = 0; i < h.size(); i += 2)
        out.push_back(static_cast<char>(nib(h[i]) * 16 + nib(h[i + 1])));
    return out;
}

struct server_event {
    std::uint64_t origin_file_ident = 0;
    std::uint64_t client_version = 0;
    std::uint64_t last_integrated_server_version = 0;
    std::uint64_t origin_timestamp = 0;
    std::string upload;     ///< bytes as the client produced them
    std::uint64_t server_version = 0;
    std::string integrated; ///< bytes as realm-core's server stored them
};

struct client_event {
    std::uint64_t client_file_ident = 0;
    std::uint64_t server_version = 0;
    std::uint64_t last_integrated_client_version = 0;
    std::uint64_t origin_file_ident = 0;
    std::uint64_t origin_timestamp = 0;
    std::uint64_t client_version = 0;
    std::string changeset;   ///< as received
    std::string transformed; ///< as the client applied it
};

struct event {
    bool server = false;
    server_event s;
    client_event c;
};

struct scenario {
    std::string name;
    std::vector<std::uint64_t> clients;
    std::vector<event> events;
    std::vector<std::string> final_state;

    std::vector<server_event> server_events() const
    {
        std::vector<server_event> v;
        for (const auto& e : events)
            if (e.server)
                v.push_back(e.s);
        return v;
    }
};

inline std::string vectors_dir()
{
    return std::string(REALMWIRE_VECTORS_DIR) + "/merge";
}

inline scenario load_scenario(int n)
{
    char name[32];
    std::snprintf(name, sizeof name, "scenario-%03d.json", n);
    std::ifstream in(vectors_dir() + "/" + name, std::ios::binary);
    if (!in)
        throw std::runtime_error(std::string("cannot open ") + name);
    std::stringstream ss;
    ss << in.rdbuf();
    picojson::value root;
    std::string err = picojson::parse(root, ss.str());
    if (!err.empty())
        throw std::runtime_error(name + (": " + err));
    auto u = [](const picojson::value& v, const char* k) {
        return static_cast<std::uint64_t>(v.get(k).get<double>());
    };
    scenario sc;
    sc.name = name;
    for (const auto& c : root.get("client_file_idents").get<picojson::array>())
        sc.clients.push_back(static_cast<std::uint64_t>(c.get<double>()));
    for (const auto& ev : root.get("events").get<picojson::array>()) {
        event e;
        e.server = ev.get("event").get<std::string>() == "server_integrate";
        if (e.server) {
            e.s.origin_file_ident = u(ev, "origin_file_ident");
            e.s.client_version = u(ev, "client_version");
            e.s.last_integrated_server_version = u(ev, "last_integrated_server_version");
            e.s.origin_timestamp = u(ev, "origin_timestamp");
            e.s.upload = unhex(ev.get("upload_changeset_hex").get<std::string>());
            e.s.server_version = u(ev, "server_version");
            e.s.integrated = unhex(ev.get("integrated_changeset_hex").get<std::string>());
        }
        else {
            e.c.client_file_ident = u(ev, "client_file_ident");
            e.c.server_version = u(ev, "server_version");
            e.c.last_integrated_client_version = u(ev, "last_integrated_client_version");
            e.c.origin_file_ident = u(ev, "origin_file_ident");
            e.c.origin_timestamp = u(ev, "origin_timestamp");
            e.c.client_version = u(ev, "client_version");
            e.c.changeset = unhex(ev.get("changeset_hex").get<std::string>());
            e.c.transformed = unhex(ev.get("transformed_hex").get<std::string>());
        }
        sc.events.push_back(std::move(e));
    }
    for (const auto& l : root.get("final_state").get<picojson::array>())
        sc.final_state.push_back(l.get<std::string>());
    return sc;
}

constexpr int scenario_count = 40;

} // namespace rw_merge_test
