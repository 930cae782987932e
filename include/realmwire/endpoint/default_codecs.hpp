#ifndef REALMWIRE_ENDPOINT_DEFAULT_CODECS_HPP
#define REALMWIRE_ENDPOINT_DEFAULT_CODECS_HPP

// The codecs realm-core speaks, plugged into an endpoint config: zlib for UPLOAD/DOWNLOAD bodies and
// picojson for JSON_ERROR / LOG_MESSAGE. Needs realmwire::compression and realmwire::json; the
// endpoints themselves (endpoint.hpp) need neither. The drivers and the reference server call this.

#include "realmwire/endpoint/client_connection.hpp"
#include "realmwire/endpoint/server_connection.hpp"
#include "realmwire/protocol/compression.hpp"
#include "realmwire/protocol/json_bodies.hpp"

#include <type_traits>
#include <utility>

namespace realmwire::endpoint {

/// `c` (a client_connection_config or server_connection_config) with zlib and picojson filled in
/// where it has no codec; a codec already set is kept.
template <class Config>
Config with_default_codecs(Config c)
{
    static_assert(std::is_same_v<Config, client_connection_config> || std::is_same_v<Config, server_connection_config>,
                  "with_default_codecs takes an endpoint connection config");
    if (!c.compressor)
        c.compressor = &protocol::zlib_compressor();
    if (!c.json)
        c.json = &protocol::picojson_json_codec();
    return c;
}

} // namespace realmwire::endpoint

#endif
