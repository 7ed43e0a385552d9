/* mdg-store-private.h: the store's database handle, for tests only
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

/* Debian's sqlcipher.pc does not define it; without it sqlite3_key() is
 * undeclared. */
#ifndef SQLITE_HAS_CODEC
#define SQLITE_HAS_CODEC 1
#endif
#include <sqlite3.h>

#include "mdg-store.h"

G_BEGIN_DECLS

/* The cipher settings set on every open. They are SQLCipher 3's defaults,
 * which SQLCipher 4 reads under `PRAGMA cipher_compatibility = 3`; set
 * explicitly so that a future default change cannot make files unreadable. */
#define MDG_STORE_CIPHER_PAGE_SIZE 1024
#define MDG_STORE_CIPHER_KDF_ITER  64000
#define MDG_STORE_CIPHER_USE_HMAC  1

/* Page cache per connection, in KiB (PRAGMA cache_size = -N). */
#define MDG_STORE_CACHE_KIB 8192

#define MDG_STORE_DATABASE_NAME "store.db"
#define MDG_STORE_KEY_CHECK_NAME "store.kcv"

sqlite3 *mdg_store_get_handle (MdgStore *self);

G_END_DECLS
