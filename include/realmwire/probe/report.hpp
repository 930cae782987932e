#ifndef REALMWIRE_PROBE_REPORT_HPP
#define REALMWIRE_PROBE_REPORT_HPP

// What `realmwire probe` saw on the way to a sync server, step by step:
//
//   url → dns → tcp → [proxy CONNECT] → [tls] → upgrade → bind
//
// Each step records whether it ran, passed or failed, how long it took, its error and the facts an
// operator needs to tell which hop broke what: the addresses DNS gave, the proxy's status, the
// server certificate's names and the verification result, the upgrade's status, the headers that
// came back and whether the subprotocol was echoed, and the server's answer to BIND. The report is a
// plain value: the I/O that fills it lives in driver/probe.hpp, the judgement in probe/diagnose.hpp,
// so both can be tested without sockets. Nothing in it holds the token (only where it was sent).

#include "realmwire/http/fields.hpp"

#include <cstdint>
#include <string>
#include <system_error>
#include <vector>

namespace realmwire::probe {

enum class step_kind { url, dns, tcp, proxy, tls, upgrade, bind };

constexpr const char* to_string(step_kind k) noexcept
{
    switch (k) {
        case step_kind::url: return "url";
        case step_kind::dns: return "dns";
        case step_kind::tcp: return "tcp";
        case step_kind::proxy: return "proxy";
        case step_kind::tls: return "tls";
        case step_kind::upgrade: return "upgrade";
        case step_kind::bind: return "bind";
    }
    return "?";
}

enum class step_status { not_run, ok, failed };

struct step_result {
    step_status status = step_status::not_run;
    std::error_code ec;       ///< the library's code for the failure (transport, handshake, ...)
    std::error_code cause;    ///< the underlying Asio/OpenSSL/parser error, if any
    bool timed_out = false;
    double ms = 0;            ///< wall time of the step
    std::string detail;       ///< one human line: what was done and what came back

    bool ok() const noexcept { return status == step_status::ok; }
    bool failed() const noexcept { return status == step_status::failed; }
};

/// What the probe was asked to do (the token itself is never kept).
struct probe_request_info {
    std::string server_url;
    std::string dialect;          ///< dialect name
    std::string host;             ///< sync server host and port (from the URL)
    std::uint16_t port = 0;
    bool tls = false;
    std::string proxy;            ///< "host:port" of the CONNECT proxy, "" when direct
    bool proxy_auth = false;      ///< Proxy-Authorization was configured
    std::string realm_path;
    std::string url_prefix;       ///< the prefix the request used
    std::string default_prefix;   ///< the dialect's default (`/realm-sync`)
    std::string target;           ///< request-target as sent (a query token shown as `<token>`)
    std::string token_header;     ///< header carrying the token, "" when it rides in the query
    std::string token_query_param;///< query parameter carrying the token, "" when in a header
    std::vector<std::string> custom_header_names;
    bool token_in_bind = false;
};

struct dns_info {
    std::string name;                    ///< what was resolved (the proxy's host when proxied)
    std::vector<std::string> addresses;
};

struct tcp_info {
    std::string peer; ///< address:port connected to
};

struct proxy_info {
    int status = 0;          ///< the proxy's reply to CONNECT (0 = none)
    std::string reason;
    std::string server;      ///< its Server header, if any
};

struct tls_info {
    std::string sni;                 ///< name sent as SNI ("" for an IP literal)
    std::string verified_name;       ///< name the certificate was checked against ("" = not checked)
    bool verify_peer = true;
    std::string subject;             ///< peer certificate subject (one line), "" if none was received
    std::string issuer;
    std::vector<std::string> names;  ///< subjectAltName DNS/IP entries
    long verify_result = 0;          ///< OpenSSL X509_V_* (0 = ok)
    std::string verify_error;        ///< X509_verify_cert_error_string, "" when ok
    std::string protocol;            ///< TLSv1.3, ...
};

struct upgrade_info {
    bool sent = false;
    int status = 0;                  ///< 0 = no (parsable) answer
    std::string reason;
    http::fields headers;            ///< as they came back
    std::string body;                ///< at most 8 KiB
    bool subprotocol_echoed = false; ///< a Sec-WebSocket-Protocol came back
    std::string subprotocol;         ///< its value
    int version = 0;                 ///< negotiated, when verified
    int close_code = 0;              ///< realm-core's WebSocket error code for a refusal
};

struct bind_info {
    bool sent = false;
    std::string answer;              ///< first server message's name ("ident", "error", ...), "close", ""
    int error_code = 0;              ///< ERROR / JSON_ERROR code
    bool try_again = false;
    std::string message;             ///< ERROR text or JSON_ERROR body (bounded)
    std::uint64_t client_file_ident = 0;
    int close_code = 0;              ///< when the server closed the WebSocket instead
    std::string close_reason;
    int messages_before_answer = 0;  ///< LOG_MESSAGE / PONG skipped before the answer
};

struct report {
    probe_request_info request;
    step_result url, dns, tcp, proxy, tls, upgrade, bind;
    dns_info dns_facts;
    tcp_info tcp_facts;
    proxy_info proxy_facts;
    tls_info tls_facts;
    upgrade_info upgrade_facts;
    bind_info bind_facts;

    const step_result& step(step_kind k) const noexcept
    {
        switch (k) {
            case step_kind::url: return url;
            case step_kind::dns: return dns;
            case step_kind::tcp: return tcp;
            case step_kind::proxy: return proxy;
            case step_kind::tls: return tls;
            case step_kind::upgrade: return upgrade;
            case step_kind::bind: return bind;
        }
        return url;
    }
    step_result& step(step_kind k) noexcept { return const_cast<step_result&>(static_cast<const report&>(*this).step(k)); }

    /// The first step that failed, if any.
    bool failed_step(step_kind& out) const noexcept
    {
        for (step_kind k : {step_kind::url, step_kind::dns, step_kind::tcp, step_kind::proxy, step_kind::tls,
                            step_kind::upgrade, step_kind::bind}) {
            if (step(k).failed()) {
                out = k;
                return true;
            }
        }
        return false;
    }
    /// Every step that ran passed, through BIND.
    bool ok() const noexcept
    {
        step_kind k;
        return !failed_step(k) && bind.ok();
    }
};

} // namespace realmwire::probe

#endif
