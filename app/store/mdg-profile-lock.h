/* mdg-profile-lock.h: one instance per profile (an flock on a lock file)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _MdgProfileLock MdgProfileLock;

/* Creates @profile_dir (0700) when missing and takes its lock without
 * waiting: STORE_LOCKED when another instance holds it. The lock goes
 * with the process, so a killed instance never leaves a stale lock. */
MdgProfileLock *mdg_profile_lock_acquire (const char *profile_dir,
                                          GError **error);
void            mdg_profile_lock_release (MdgProfileLock *lock);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MdgProfileLock, mdg_profile_lock_release)

G_END_DECLS
