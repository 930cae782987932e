#ifndef REALMWIRE_ENDPOINT_DEFAULT_CODECS_HPP
#define REALMWIRE_ENDPOINT_DEFAULT_CODECS_HPP

// The codecs realm-core speaks, plugged into an endpoint config: zlib for UPLOAD/DOWNLOAD bodies and
// picojson for JSON_ERROR / LOG_MESSAGE. Needs realmwire::compression and realmwire::json; the
// endpoints themselves (endpoint.hpp) need neither. The drivers and the reference server call this.

#include "realmwire/endpoint/client_connection.hpp"
#include "realmwire/endpoint/server_connection.hpp"
#include "realmwire/protocol/compression.hpp"
#include "realmwire/protocol/json_bodies.hpp"

#include <utility>

namespace realmwire::endpoint {

/// `c` with zlib and picojson filled in where it has no codec (a codec already set is kept).
inline client_connection_config with_default_codecs(client_connection_config c)
{
    if (!c.compressor)
        c.compressor = &protocol::zlib_compressor();
    if (!c.json)
        c.json = &protocol::picojson_json_codec();
    return c;
}

/// Same for a server connection.
inline server_connection_config with_default_codecs(server_connection_config c)
{
    if (!c.compressor)
        c.compressor = &protocol::zlib_compressor();
    if (!c.json)
        c.json = &protocol::picojson_json_codec();
    return c;
}

} // namespace realmwire::endpoint

#endif
