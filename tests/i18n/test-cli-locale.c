/* test-cli-locale.c: the CLI speaks Japanese from the built catalogue
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <glib/gi18n-lib.h>

#include "mdg-card-error.h"
#include "mdg-cli.h"
#include "mdg-cli-card.h"
#include "mdg-cli-error.h"

/* True if @text holds kana or a CJK ideograph. */
static gboolean
has_japanese (const char *text)
{
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if ((c >= 0x3040 && c <= 0x30ff) || (c >= 0x4e00 && c <= 0x9fff))
        return TRUE;
    }
  return FALSE;
}

/* What main() does, but with the catalogue of the build tree: the installed
 * LOCALEDIR may hold an older one or none. */
static void
use_locale (const char *locale)
{
  g_autofree char *localedir = g_build_filename (g_getenv ("MDG_BUILD_ROOT"), "locale", NULL);

  g_unsetenv ("LANGUAGE");
  g_unsetenv ("LC_ALL");
  g_unsetenv ("LC_MESSAGES");
  g_setenv ("LANG", locale, TRUE);
  if (setlocale (LC_ALL, "") == NULL)
    g_error ("locale %s is not generated on this machine", locale);
  g_assert_nonnull (bindtextdomain (GETTEXT_PACKAGE, localedir));
  g_assert_nonnull (bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8"));
}

/* Runs `madoguchi-cli card status` with no pcscd to talk to. */
static int
run_card_status (void)
{
  char *argv[] = { (char *) "card", (char *) "status", NULL };
  MdgCliGlobal global = { 0 };

  g_setenv ("PCSCLITE_CSOCK_NAME", "/nonexistent", TRUE);
  return mdg_cli_card_main (&global, G_N_ELEMENTS (argv) - 1, argv);
}

static void
test_no_service_ja (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(GError) error = g_error_new_literal (MDG_CARD_ERROR, MDG_CARD_ERROR_NO_SERVICE, "x");
      g_autofree char *message = NULL;

      use_locale ("ja_JP.UTF-8");
      message = mdg_cli_error_message (error, -1, -1);
      g_assert_nonnull (strstr (message, "pcscd"));
      g_assert_true (has_japanese (message));
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

static void
test_card_status_ja (void)
{
  if (g_test_subprocess ())
    {
      use_locale ("ja_JP.UTF-8");
      exit (run_card_status ());
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("madoguchi-cli: *pcscd*\n");
  g_test_trap_assert_stderr ("*スマートカードサービス*");
  g_test_trap_assert_stderr_unmatched ("*smart card service*");
}

static void
test_card_status_en (void)
{
  if (g_test_subprocess ())
    {
      use_locale ("en_US.UTF-8");
      exit (run_card_status ());
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("madoguchi-cli: no smart card service: pcscd is not running or cannot be reached\n");
}

int
main (int argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/i18n/cli/no-service-message-ja", test_no_service_ja);
  g_test_add_func ("/i18n/cli/card-status-ja", test_card_status_ja);
  g_test_add_func ("/i18n/cli/card-status-en", test_card_status_en);

  return g_test_run ();
}
