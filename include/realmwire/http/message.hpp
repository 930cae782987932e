#ifndef REALMWIRE_HTTP_MESSAGE_HPP
#define REALMWIRE_HTTP_MESSAGE_HPP

// HTTP/1.x request and response as plain values. Parsing is in http/parser.hpp, writing in
// http/serializer.hpp.

#include "realmwire/http/fields.hpp"

#include <string>

namespace realmwire::http {

struct request {
    std::string method = "GET";
    std::string target = "/";  ///< request-target exactly as on the wire (still percent-encoded)
    int version_minor = 1;     ///< HTTP/1.<version_minor>
    http::fields headers;
    std::string body;
};

struct response {
    int status = 200;
    std::string reason;        ///< reason phrase as sent (may be empty)
    int version_minor = 1;
    http::fields headers;
    std::string body;
};

} // namespace realmwire::http

#endif
