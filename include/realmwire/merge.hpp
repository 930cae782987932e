#ifndef REALMWIRE_MERGE_HPP
#define REALMWIRE_MERGE_HPP

// realm's operational transform (merge) of changesets: see docs/merge.md.

#include "realmwire/errors/merge.hpp"
#include "realmwire/merge/conflict_index.hpp"
#include "realmwire/merge/limits.hpp"
#include "realmwire/merge/rules.hpp"
#include "realmwire/merge/transformer.hpp"
#include "realmwire/merge/working_changeset.hpp"

#endif
