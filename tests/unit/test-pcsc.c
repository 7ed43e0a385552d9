/* test-pcsc.c: PC/SC errors without a running pcscd
 *
 * The full PC/SC path (private pcscd, vpcd, simulator) is exercised by the
 * integration tests; here libpcsclite is pointed at a socket that does not
 * exist, which must map to NO_SERVICE.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include "madoguchi-card.h"

static void
test_no_service (void)
{
  g_autofree char *dir = g_dir_make_tmp ("mdg-pcsc-XXXXXX", NULL);
  g_autofree char *socket = g_build_filename (dir, "pcscd.comm", NULL);
  g_autoptr(MdgPcscContext) context = NULL;
  g_autoptr(GError) error = NULL;

  /* libpcsclite reads this when it connects. */
  g_setenv ("PCSCLITE_CSOCK_NAME", socket, TRUE);
  context = mdg_pcsc_context_new (&error);
  g_assert_null (context);
  g_assert_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_NO_SERVICE);
  g_rmdir (dir);
}

int
main (int argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/pcsc/no-service", test_no_service);

  return g_test_run ();
}
