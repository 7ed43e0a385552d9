/* store-test-util.h: helpers shared by the store tests and benchmark
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "mdg-store.h"

G_BEGIN_DECLS

typedef struct
{
  gint64 now;  /* Unix seconds */
} StoreTestClock;

GDateTime     *store_test_clock            (gpointer user_data);
/* A fixed test key, distinct for each @n (0–63). */
const guint8  *store_test_key              (guint n);
/* A fresh, empty temporary directory's "profile" child (not created). */
char          *store_test_make_profile_dir (void);
/* Removes the profile directory and its temporary parent, recursively. */
void           store_test_remove_dir       (const char *profile_dir);
/* Opens or fails the test; @clock may be NULL. */
MdgStore      *store_test_open             (const char *profile_dir,
                                            const guint8 *key,
                                            StoreTestClock *clock);
GBytes        *store_test_filler_bytes     (gsize size,
                                            char fill);
char          *store_test_hex              (const guint8 *data,
                                            gsize len);

G_END_DECLS
