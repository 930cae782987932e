#ifndef REALMWIRE_CHANGESET_HPP
#define REALMWIRE_CHANGESET_HPP

// The changeset codec: realm-core's changeset byte format (realm-core v14.14.0), byte-compatible in both
// directions and hardened. Standard library only: no OpenSSL, zlib, picojson or Asio.
//
//   integer_codec.hpp  realm-core's varint (not LEB128) and the Bid128 coefficient varint
//   types.hpp          enums and scalar types (ObjectId, UUID, GlobalKey, Timestamp, Decimal128)
//   instruction.hpp    the value model: every instruction, payload, primary key and path
//   limits.hpp         the decoder's bounds
//   decoder.hpp        zero-copy visitor decoder (the hot path)
//   model_decoder.hpp  decoding into the value model
//   packed.hpp         decoding into a flat, read-only form (for holding many changesets)
//   encoder.hpp        the encoder, in realm-core's server and client layouts
//   print.hpp          print_changeset-style rendering
//   utf8.hpp           strict UTF-8 validation
// See docs/changesets.md.

#include "realmwire/error.hpp"
#include "realmwire/errors/changeset.hpp"

#include "realmwire/changeset/decoder.hpp"
#include "realmwire/changeset/encoder.hpp"
#include "realmwire/changeset/instruction.hpp"
#include "realmwire/changeset/integer_codec.hpp"
#include "realmwire/changeset/limits.hpp"
#include "realmwire/changeset/model_decoder.hpp"
#include "realmwire/changeset/packed.hpp"
#include "realmwire/changeset/print.hpp"
#include "realmwire/changeset/types.hpp"
#include "realmwire/changeset/utf8.hpp"

#endif
