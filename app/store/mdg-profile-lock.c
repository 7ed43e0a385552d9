/* mdg-profile-lock.c: one instance per profile (an flock on a lock file)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "mdg-app-error.h"
#include "mdg-profile-lock.h"

struct _MdgProfileLock
{
  int fd;
};

MdgProfileLock *
mdg_profile_lock_acquire (const char *profile_dir,
                          GError **error)
{
  g_autofree char *path = NULL;
  MdgProfileLock *lock;
  int fd;

  if (g_mkdir_with_parents (profile_dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_STORE_FAILED,
                   _("Cannot create the profile directory: %s"), g_strerror (saved_errno));
      return NULL;
    }

  path = g_build_filename (profile_dir, "lock", NULL);
  fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_STORE_FAILED,
                   _("Cannot open the profile’s lock file: %s"), g_strerror (saved_errno));
      return NULL;
    }

  /* flock() locks belong to the open file description: a second open in
   * the same process conflicts too, which is what the tests rely on. */
  if (flock (fd, LOCK_EX | LOCK_NB) != 0)
    {
      int saved_errno = errno;

      close (fd);
      if (saved_errno == EWOULDBLOCK)
        g_set_error_literal (error, MDG_APP_ERROR, MDG_APP_ERROR_STORE_LOCKED,
                             _("This profile is already open in another Madoguchi window or "
                               "process; close it and try again"));
      else
        g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_STORE_FAILED,
                     _("Cannot lock the profile: %s"), g_strerror (saved_errno));
      return NULL;
    }

  lock = g_new0 (MdgProfileLock, 1);
  lock->fd = fd;

  return lock;
}

void
mdg_profile_lock_release (MdgProfileLock *lock)
{
  if (lock == NULL)
    return;

  flock (lock->fd, LOCK_UN);
  close (lock->fd);
  g_free (lock);
}
