#ifndef REALMWIRE_REALMWIRE_HPP
#define REALMWIRE_REALMWIRE_HPP

// Everything realmwire offers. Needs every companion (realmwire::all): OpenSSL, zlib, picojson, Asio.
// To pay only for what you use, include an area's header instead (realmwire/changeset.hpp needs nothing).
// A test checks that this header reaches every public header.

#include "realmwire/config.hpp"
#include "realmwire/version.hpp"
#include "realmwire/error.hpp"
#include "realmwire/detail/ascii.hpp"
#include "realmwire/detail/base64.hpp"
#include "realmwire/detail/json.hpp"
#include "realmwire/detail/utf8.hpp"

#include "realmwire/path.hpp"
#include "realmwire/url.hpp"
#include "realmwire/http.hpp"
#include "realmwire/websocket.hpp"
#include "realmwire/handshake.hpp"
#include "realmwire/protocol.hpp"
#include "realmwire/changeset.hpp"
#include "realmwire/merge.hpp"
#include "realmwire/merge/scenario.hpp" // needs realmwire::json
#include "realmwire/auth.hpp"
#include "realmwire/transport.hpp"
#include "realmwire/endpoint.hpp"
#include "realmwire/endpoint/default_codecs.hpp" // needs realmwire::compression, realmwire::json
#include "realmwire/driver.hpp"
#include "realmwire/reference.hpp"
#include "realmwire/probe.hpp"
#include "realmwire/query.hpp"

#endif
