/* mdg-cli-pin-prompt.c: PIN input from the terminal or a file descriptor
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "mdg-card-error.h"
#include "mdg-cli-error.h"
#include "mdg-cli-pin-prompt.h"
#include "mdg-jpki.h"
#include "mdg-text-ap.h"

/* Longer than any PIN (16), so that over-long input is detected, not cut. */
#define PIN_BUFFER_SIZE 64

struct _MdgCliPinPrompt
{
  gint     fd;
  gboolean interactive;
};

/* The terminal state to restore if a signal ends us while echo is off. */
static volatile sig_atomic_t echo_off_fd = -1;
static struct termios saved_termios;

static void
restore_terminal_on_signal (int signum)
{
  if (echo_off_fd >= 0)
    tcsetattr (echo_off_fd, TCSAFLUSH, &saved_termios);

  signal (signum, SIG_DFL);
  raise (signum);
}

static void
install_signal_handlers (void)
{
  static const int signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP };
  struct sigaction action = { 0 };

  action.sa_handler = restore_terminal_on_signal;
  sigemptyset (&action.sa_mask);
  for (guint i = 0; i < G_N_ELEMENTS (signals); i++)
    sigaction (signals[i], &action, NULL);
}

MdgCliPinPrompt *
mdg_cli_pin_prompt_new (gint pin_fd,
                        GError **error)
{
  g_autoptr(MdgCliPinPrompt) self = g_new0 (MdgCliPinPrompt, 1);

  self->fd = -1;

  if (pin_fd >= 0)
    {
      if (fcntl (pin_fd, F_GETFD) < 0)
        {
          g_set_error (error, MDG_CLI_ERROR, MDG_CLI_ERROR_USAGE,
                       _("--pin-fd %d: the file descriptor is not open"), pin_fd);
          return NULL;
        }
      self->fd = pin_fd;
      self->interactive = FALSE;
      return g_steal_pointer (&self);
    }

  self->fd = open ("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (self->fd < 0 || !isatty (self->fd))
    {
      g_set_error_literal (error, MDG_CLI_ERROR, MDG_CLI_ERROR_NO_TERMINAL,
                           _("no terminal to ask for the PIN; use --pin-fd"));
      return NULL;
    }
  self->interactive = TRUE;
  install_signal_handlers ();

  return g_steal_pointer (&self);
}

void
mdg_cli_pin_prompt_free (MdgCliPinPrompt *self)
{
  if (self == NULL)
    return;

  /* A descriptor given with --pin-fd belongs to the caller. */
  if (self->interactive && self->fd >= 0)
    close (self->fd);
  g_free (self);
}

gboolean
mdg_cli_pin_prompt_is_interactive (MdgCliPinPrompt *self)
{
  return self->interactive;
}

static void
tty_write (MdgCliPinPrompt *self,
           const char *text)
{
  gsize len = strlen (text);

  while (len > 0)
    {
      gssize n = write (self->fd, text, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return;
      text += n;
      len -= n;
    }
}

/* Reads one line byte by byte, so that no copy of the PIN stays in a stdio
 * buffer. Returns the length, or -1 at end of input before any byte, or -2
 * when the line did not fit (the rest of the line is consumed). */
static gssize
read_line (gint fd,
           char *buffer,
           gsize size,
           GError **error)
{
  gsize len = 0;
  gboolean overflow = FALSE;
  gboolean got_any = FALSE;

  for (;;)
    {
      char c;
      gssize n = read (fd, &c, 1);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved_errno = errno;

          g_set_error (error, MDG_CLI_ERROR, MDG_CLI_ERROR_FAILED,
                       _("cannot read the PIN: %s"), g_strerror (saved_errno));
          return -3;
        }
      if (n == 0)
        break;

      got_any = TRUE;
      if (c == '\n')
        break;
      if (len + 1 < size)
        buffer[len++] = c;
      else
        overflow = TRUE;
    }

  if (len > 0 && buffer[len - 1] == '\r')
    len--;
  buffer[len] = '\0';

  if (!got_any)
    return -1;
  if (overflow)
    return -2;

  return len;
}

static MdgPin *
pin_from_line (MdgCliPinPrompt *self,
               MdgPinKind kind,
               GError **error)
{
  char buffer[PIN_BUFFER_SIZE];
  MdgPin *pin = NULL;
  gssize len;

  len = read_line (self->fd, buffer, sizeof buffer, error);

  if (len == -1)
    {
      if (self->interactive)
        g_set_error_literal (error, MDG_CLI_ERROR, MDG_CLI_ERROR_CANCELLED,
                             _("PIN input ended; nothing was sent to the card"));
      else
        g_set_error (error, MDG_CLI_ERROR, MDG_CLI_ERROR_USAGE,
                     _("no PIN could be read from file descriptor %d"), self->fd);
    }
  else if (len == -2)
    {
      g_set_error_literal (error, MDG_CARD_ERROR, MDG_CARD_ERROR_PIN_FORMAT,
                           _("the input is too long"));
    }
  else if (len >= 0)
    {
      pin = mdg_pin_new (kind, buffer, error);
    }

  mdg_secure_wipe (buffer, sizeof buffer);

  return pin;
}

static MdgPin *
ask_with_echo_off (MdgCliPinPrompt *self,
                   MdgPinKind kind,
                   const char *prompt,
                   GError **error)
{
  struct termios noecho;
  MdgPin *pin;
  gboolean echo_changed = FALSE;

  tty_write (self, prompt);

  if (tcgetattr (self->fd, &saved_termios) == 0)
    {
      noecho = saved_termios;
      noecho.c_lflag &= ~(ECHO | ECHOE | ECHOK);
      noecho.c_lflag |= ECHONL;
      echo_off_fd = self->fd;
      if (tcsetattr (self->fd, TCSAFLUSH, &noecho) == 0)
        echo_changed = TRUE;
      else
        echo_off_fd = -1;
    }

  if (!echo_changed)
    {
      /* Never read a PIN with echo on. */
      g_set_error_literal (error, MDG_CLI_ERROR, MDG_CLI_ERROR_NO_TERMINAL,
                           _("cannot turn off echo on the terminal; use --pin-fd"));
      tty_write (self, "\n");
      return NULL;
    }

  pin = pin_from_line (self, kind, error);

  tcsetattr (self->fd, TCSAFLUSH, &saved_termios);
  echo_off_fd = -1;

  return pin;
}

MdgPin *
mdg_cli_pin_prompt_ask (MdgCliPinPrompt *self,
                        MdgPinKind kind,
                        const char *what,
                        gint tries_left,
                        GError **error)
{
  g_autofree char *prompt = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  if (!self->interactive)
    return pin_from_line (self, kind, error);

  if (tries_left >= 0)
    {
      g_autofree char *tries = NULL;

      tries = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                            "%s: %d try left.\n",
                                            "%s: %d tries left.\n",
                                            tries_left),
                               mdg_cli_pin_kind_label (kind), tries_left);
      tty_write (self, tries);
    }

  prompt = g_strdup_printf (_("Enter the %s: "), what);

  return ask_with_echo_off (self, kind, prompt, error);
}

MdgPin *
mdg_cli_pin_prompt_ask_new (MdgCliPinPrompt *self,
                            MdgPinKind kind,
                            GError **error)
{
  g_autoptr(MdgPin) first = NULL;
  g_autoptr(MdgPin) second = NULL;
  g_autofree char *prompt = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  if (!self->interactive)
    return pin_from_line (self, kind, error);

  prompt = g_strdup_printf (_("Enter the new %s: "), mdg_cli_pin_kind_label (kind));
  first = ask_with_echo_off (self, kind, prompt, error);
  if (first == NULL)
    return NULL;

  g_clear_pointer (&prompt, g_free);
  prompt = g_strdup_printf (_("Enter the new %s again: "), mdg_cli_pin_kind_label (kind));
  second = ask_with_echo_off (self, kind, prompt, error);
  if (second == NULL)
    return NULL;

  if (mdg_pin_get_length (first) != mdg_pin_get_length (second) ||
      memcmp (mdg_pin_get_data (first), mdg_pin_get_data (second),
              mdg_pin_get_length (first)) != 0)
    {
      g_set_error_literal (error, MDG_CLI_ERROR, MDG_CLI_ERROR_PIN_MISMATCH,
                           _("the two entries of the new PIN differ; nothing was changed"));
      return NULL;
    }

  return g_steal_pointer (&first);
}

gboolean
mdg_cli_pin_prompt_confirm (MdgCliPinPrompt *self,
                            const char *question,
                            GError **error)
{
  char answer[32];
  g_autofree char *prompt = NULL;
  gssize len;
  gboolean yes;

  g_return_val_if_fail (self != NULL && self->interactive, FALSE);

  prompt = g_strdup_printf (_("%s [y/N] "), question);
  tty_write (self, prompt);

  len = read_line (self->fd, answer, sizeof answer, error);
  if (len == -3)
    return FALSE;
  if (len < 0)
    {
      g_clear_error (error);
      return FALSE;
    }

  /* rpmatch() follows the locale, e.g. はい in Japanese. */
  yes = len > 0 && rpmatch (answer) == 1;

  return yes;
}

static gint
read_tries (MdgCard *card,
            MdgPinKind kind,
            GError **error)
{
  if (kind == MDG_PIN_TEXT)
    return mdg_text_ap_pin_tries (card, error);

  if (!mdg_jpki_select (card, error))
    return -1;

  return mdg_jpki_pin_tries (card, kind == MDG_PIN_SIGN ? MDG_JPKI_KEY_SIGN : MDG_JPKI_KEY_AUTH,
                             error);
}

/* Gets one PIN for an attempt. Interactively the tries are read first (an
 * empty VERIFY, which spends none) and said before asking; a blocked PIN
 * is never asked for, and the last try needs a "y". From --pin-fd the
 * library makes the same checks inside its transaction. */
MdgPin *
mdg_cli_pin_prompt_obtain (MdgCliPinPrompt *prompt,
                           MdgCard *card,
                           MdgPinKind kind,
                           gboolean confirm_last_try,
                           gint known_tries,
                           MdgPinFlags *flags,
                           gint *tries_shown,
                           GError **error)
{
  g_autoptr(GError) local_error = NULL;
  gint tries = known_tries;

  *flags = confirm_last_try ? MDG_PIN_FLAGS_CONFIRM_LAST_TRY : MDG_PIN_FLAGS_NONE;
  *tries_shown = -1;

  if (!mdg_cli_pin_prompt_is_interactive (prompt))
    return mdg_cli_pin_prompt_ask (prompt, kind, mdg_cli_pin_kind_label (kind), -1, error);

  if (tries == MDG_CLI_TRIES_NOT_READ)
    {
      tries = read_tries (card, kind, error);
      if (tries == -1)
        return NULL;
    }
  *tries_shown = tries;

  if (!mdg_pin_check_attempt (kind, tries, *flags, &local_error))
    {
      g_autofree char *question = NULL;

      if (!g_error_matches (local_error, MDG_CARD_ERROR, MDG_CARD_ERROR_LAST_TRY))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }

      question = g_strdup_printf (_("Only one try is left for the %s. If it is wrong, the PIN "
                                    "is blocked and only your municipal office can reset it. "
                                    "Use the last try?"),
                                  mdg_cli_pin_kind_label (kind));
      if (!mdg_cli_pin_prompt_confirm (prompt, question, error))
        {
          if (error == NULL || *error == NULL)
            g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      *flags |= MDG_PIN_FLAGS_CONFIRM_LAST_TRY;
    }

  return mdg_cli_pin_prompt_ask (prompt, kind, mdg_cli_pin_kind_label (kind),
                                 tries >= 0 ? tries : -1, error);
}
