/* mock-card.c: a scripted card that expects exact commands
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "mock-card.h"

typedef struct
{
  char    *command;   /* normalised hex or NULL */
  GBytes  *response;  /* NULL: pull the card */
} Step;

struct _MockCard
{
  GArray    *steps;
  guint      pos;
  guint      power_offs;
  GPtrArray *log;
};

static void
step_clear (gpointer data)
{
  Step *step = data;

  g_free (step->command);
  g_clear_pointer (&step->response, g_bytes_unref);
}

static char *
normalise (const char *hex)
{
  GString *s = g_string_new (NULL);

  for (const char *p = hex; *p; p++)
    if (g_ascii_isxdigit (*p))
      g_string_append_c (s, g_ascii_toupper (*p));
  return g_string_free (s, FALSE);
}

char *
hex_encode (const guint8 *data,
            gsize len)
{
  char *out = g_malloc (len * 2 + 1);

  for (gsize i = 0; i < len; i++)
    g_snprintf (out + 2 * i, 3, "%02X", data[i]);
  out[len * 2] = '\0';
  return out;
}

GBytes *
hex_decode (const char *hex)
{
  g_autofree char *norm = normalise (hex);
  gsize len = strlen (norm) / 2;
  guint8 *data = g_malloc (len + 1);

  g_assert_cmpuint (strlen (norm) % 2, ==, 0);
  for (gsize i = 0; i < len; i++)
    data[i] = (g_ascii_xdigit_value (norm[2 * i]) << 4) | g_ascii_xdigit_value (norm[2 * i + 1]);
  return g_bytes_new_take (data, len);
}

MockCard *
mock_card_new (void)
{
  MockCard *mock = g_new0 (MockCard, 1);

  mock->steps = g_array_new (FALSE, TRUE, sizeof (Step));
  g_array_set_clear_func (mock->steps, step_clear);
  mock->log = g_ptr_array_new_with_free_func (g_free);
  return mock;
}

void
mock_card_free (MockCard *mock)
{
  if (mock == NULL)
    return;
  g_array_unref (mock->steps);
  g_ptr_array_unref (mock->log);
  g_free (mock);
}

void
mock_card_expect (MockCard *mock,
                  const char *command,
                  const char *response)
{
  Step step = {
    .command = command != NULL ? normalise (command) : NULL,
    .response = hex_decode (response),
  };

  g_array_append_val (mock->steps, step);
}

void
mock_card_expect_data (MockCard *mock,
                       const char *command,
                       GBytes *data,
                       guint16 sw)
{
  GByteArray *array = g_byte_array_new ();
  guint8 sw_bytes[2] = { sw >> 8, sw & 0xFF };
  Step step = { .command = command != NULL ? normalise (command) : NULL };

  if (data != NULL)
    g_byte_array_append (array, g_bytes_get_data (data, NULL), g_bytes_get_size (data));
  g_byte_array_append (array, sw_bytes, 2);
  step.response = g_byte_array_free_to_bytes (array);
  g_array_append_val (mock->steps, step);
}

void
mock_card_expect_removed (MockCard *mock,
                          const char *command)
{
  Step step = { .command = normalise (command), .response = NULL };

  g_array_append_val (mock->steps, step);
}

void
mock_card_assert_done (MockCard *mock)
{
  if (mock->pos != mock->steps->len)
    {
      Step *next = &g_array_index (mock->steps, Step, mock->pos);

      g_error ("mock card: %u of %u commands sent; next expected %s",
               mock->pos, mock->steps->len, next->command ? next->command : "(any)");
    }
}

guint
mock_card_get_power_offs (MockCard *mock)
{
  return mock->power_offs;
}

GPtrArray *
mock_card_get_log (MockCard *mock)
{
  return mock->log;
}

static MdgMemoryCardResult
mock_process (gpointer card,
              const guint8 *command,
              gsize command_len,
              guint8 *response,
              gsize *response_len)
{
  MockCard *mock = card;
  char *got = hex_encode (command, command_len);
  Step *step;

  g_ptr_array_add (mock->log, got);

  if (mock->pos >= mock->steps->len)
    g_error ("mock card: unexpected command %s after the script", got);

  step = &g_array_index (mock->steps, Step, mock->pos++);
  if (step->command != NULL && strcmp (step->command, got) != 0)
    g_error ("mock card: command %u is %s, expected %s", mock->pos, got, step->command);

  if (step->response == NULL)
    return MDG_MEMORY_CARD_REMOVED;

  g_assert_cmpuint (g_bytes_get_size (step->response), <=, *response_len);
  *response_len = g_bytes_get_size (step->response);
  memcpy (response, g_bytes_get_data (step->response, NULL), *response_len);
  return MDG_MEMORY_CARD_REPLY;
}

static void
mock_power (gpointer card,
            gboolean on)
{
  MockCard *mock = card;

  if (!on)
    mock->power_offs++;
}

static GBytes *
mock_get_atr (gpointer card)
{
  return g_bytes_new_static ("\x3B\xE0\x00\xFF\x81\x31\xFE\x45\x14", 9);
}

static const MdgMemoryCardFuncs mock_funcs = {
  .process = mock_process,
  .power = mock_power,
  .get_atr = mock_get_atr,
};

const MdgMemoryCardFuncs *
mock_card_get_funcs (void)
{
  return &mock_funcs;
}

MdgCard *
mock_card_connect (MockCard *mock,
                   MdgMemoryTransport **transport)
{
  g_autoptr(MdgMemoryTransport) t = mdg_memory_transport_new (&mock_funcs, mock, NULL);
  MdgCard *card = mdg_card_new (MDG_TRANSPORT (t));

  if (transport != NULL)
    *transport = g_object_ref (t);
  return card;
}
