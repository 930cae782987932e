#ifndef REALMWIRE_HTTP_HPP
#define REALMWIRE_HTTP_HPP

// HTTP/1.1 for handshakes: fields, request/response values, incremental parsers, serializers.
#include "realmwire/http/fields.hpp"
#include "realmwire/http/message.hpp"
#include "realmwire/http/parser.hpp"
#include "realmwire/http/serializer.hpp"

#endif
