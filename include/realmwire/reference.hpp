#ifndef REALMWIRE_REFERENCE_HPP
#define REALMWIRE_REFERENCE_HPP

// The reference pair: a sync server (durable per-realm history, /auth on the same listener) and a
// client with a local object store, usable in your own tests. See docs/reference.md.

#include "realmwire/reference/changeset_builder.hpp"
#include "realmwire/reference/client.hpp"
#include "realmwire/reference/durable_log.hpp"
#include "realmwire/reference/flx_permissions.hpp"
#include "realmwire/reference/flx_permissions_file.hpp"
#include "realmwire/reference/flx_service.hpp"
#include "realmwire/reference/flx_state.hpp"
#include "realmwire/reference/flx_subscriptions.hpp"
#include "realmwire/reference/flx_view.hpp"
#include "realmwire/reference/history.hpp"
#include "realmwire/reference/local_store.hpp"
#include "realmwire/reference/object_store.hpp"
#include "realmwire/reference/server.hpp"
#include "realmwire/reference/state.hpp"
#include "realmwire/reference/sync_backend.hpp"

#endif
