#ifndef REALMWIRE_POLICY_CUSTOM_HEADERS_HPP
#define REALMWIRE_POLICY_CUSTOM_HEADERS_HPP

// Custom headers for the upgrade request (proxy tokens, routing hints, ...), global and per host.
//
// A header policy H is a small value type with
//
//     void apply(http::fields& headers, std::string_view host, std::error_code& ec) const;
//         adds its headers for a request to `host` (the URL host, without port); it must never replace
//         a header already in `headers` — that is duplicate_custom_header.
//
// is_header_policy<H> checks this; any_header_policy holds any of them for a runtime choice.
//
// Unlike realm-core (a std::map where a later value silently wins) and realm-java 5.x (host headers
// silently override global ones), `custom_headers` refuses every clash: the same name twice, globally
// or for a host, or a host header with the name of a global one. The request builder also refuses a
// custom header that would replace a handshake header (Host, Upgrade, Connection, Sec-WebSocket-*) or
// clash with the token's header (ROS SDK docs: "If Authorization is used as a custom header name,
// authorization_header_name must be set to another value").

#include "realmwire/detail/ascii.hpp"
#include "realmwire/error.hpp"
#include "realmwire/errors/handshake.hpp"
#include "realmwire/http/fields.hpp"
#include "realmwire/policy/token_placement.hpp"

#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace realmwire::policy {

/// Requirements of a header policy (see the top of this file).
template <class T, class = void>
struct is_header_policy : std::false_type {};
template <class T>
struct is_header_policy<T, std::void_t<decltype(std::declval<const T&>().apply(
                               std::declval<http::fields&>(), std::string_view{}, std::declval<std::error_code&>()))>>
    : std::true_type {};

template <class T>
inline constexpr bool is_header_policy_v = is_header_policy<T>::value;

#define REALMWIRE_ASSERT_HEADER_POLICY(T)                                                                      \
    static_assert(::realmwire::policy::is_header_policy_v<T>,                                                  \
                  "header policy requirements not met: the type needs "                                        \
                  "`void apply(realmwire::http::fields& headers, std::string_view host, std::error_code&) "    \
                  "const`")

/// No custom headers.
struct no_headers {
    void apply(http::fields&, std::string_view, std::error_code& ec) const { ec.clear(); }
};

/// Custom headers, global and per host.
class custom_headers {
public:
    /// Adds a header sent to every host. duplicate_custom_header if the name is already there.
    void add(std::string_view name, std::string_view value, std::error_code& ec)
    {
        add_to(global_, name, value, ec);
    }
    void add(std::string_view name, std::string_view value)
    {
        throw_on_error("custom_headers::add", [&](std::error_code& ec) { add(name, value, ec); });
    }

    /// Adds a header sent only to `host` (compared case-insensitively, no port).
    void add_for_host(std::string_view host, std::string_view name, std::string_view value, std::error_code& ec)
    {
        for (auto& h : per_host_) {
            if (realmwire::detail::iequals(h.host, host)) {
                add_to(h.headers, name, value, ec);
                return;
            }
        }
        per_host_.push_back({std::string(host), {}});
        add_to(per_host_.back().headers, name, value, ec);
        if (ec)
            per_host_.pop_back();
    }
    void add_for_host(std::string_view host, std::string_view name, std::string_view value)
    {
        throw_on_error("custom_headers::add_for_host",
                       [&](std::error_code& ec) { add_for_host(host, name, value, ec); });
    }

    /// Adds "Name: value" given as one string (the tool's `--header 'K: V'`).
    void add_line(std::string_view line, std::error_code& ec)
    {
        std::size_t colon = line.find(':');
        if (colon == std::string_view::npos) {
            ec = make_error_code(handshake_error::invalid_header_name);
            return;
        }
        add(line.substr(0, colon), realmwire::detail::trim_ows(line.substr(colon + 1)), ec);
    }

    /// Header policy: the global headers, then those of `host`, in the order they were added.
    void apply(http::fields& headers, std::string_view host, std::error_code& ec) const
    {
        ec.clear();
        auto copy = [&](const http::fields& from) {
            for (const auto& f : from) {
                if (headers.contains(f.name)) {
                    ec = make_error_code(handshake_error::duplicate_custom_header);
                    return false;
                }
                headers.add(f.name, f.value);
            }
            return true;
        };
        if (!copy(global_))
            return;
        for (const auto& h : per_host_) {
            if (realmwire::detail::iequals(h.host, host)) {
                copy(h.headers);
                return;
            }
        }
    }

    bool empty() const noexcept { return global_.empty() && per_host_.empty(); }

private:
    struct host_headers {
        std::string host;
        http::fields headers;
    };

    static void add_to(http::fields& to, std::string_view name, std::string_view value, std::error_code& ec)
    {
        if (!http::is_token(name)) {
            ec = make_error_code(handshake_error::invalid_header_name);
            return;
        }
        if (!detail::is_header_value(value)) {
            ec = make_error_code(handshake_error::invalid_header_value);
            return;
        }
        if (to.contains(name)) {
            ec = make_error_code(handshake_error::duplicate_custom_header);
            return;
        }
        to.add(name, value);
        ec.clear();
    }

    http::fields global_;
    std::vector<host_headers> per_host_;
};

/// Any header policy, chosen at run time.
class any_header_policy {
public:
    any_header_policy() : any_header_policy(no_headers{}) {}
    template <class P, class = std::enable_if_t<!std::is_same_v<std::decay_t<P>, any_header_policy>>>
    any_header_policy(P p) : impl_(std::make_shared<model<P>>(std::move(p)))
    {
        REALMWIRE_ASSERT_HEADER_POLICY(P);
    }

    void apply(http::fields& headers, std::string_view host, std::error_code& ec) const
    {
        impl_->apply(headers, host, ec);
    }

private:
    struct concept_t {
        virtual ~concept_t() = default;
        virtual void apply(http::fields&, std::string_view, std::error_code&) const = 0;
    };
    template <class P>
    struct model final : concept_t {
        explicit model(P p) : p_(std::move(p)) {}
        void apply(http::fields& h, std::string_view host, std::error_code& ec) const override
        {
            p_.apply(h, host, ec);
        }
        P p_;
    };
    std::shared_ptr<const concept_t> impl_;
};

} // namespace realmwire::policy

#endif
