/* fuzz-sim-apdu.c: the simulator's command parser on arbitrary APDUs
 *
 * Input: one byte of quirk switches, then commands as a 2-byte big-endian
 * length (mod 262, so extended-length shapes occur) and that many bytes.
 * Usage: fuzz-sim-apdu --sim-pki-dir=DIR --sim-persona=FILE [corpus...]
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "madoguchi-card.h"
#include "mdg-sim-card.h"
#include "fuzz-common.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);

static MdgSimCard *sim;

static const char *quirks[] = {
  "empty-verify-9000", "eof-6282", "wrong-le-6cxx", "reselect-clears",
  "warm-reset-clears", "extended-length", "sfi", "mf-select",
};

int
LLVMFuzzerInitialize (int *argc,
                      char ***argv)
{
  g_autoptr(GError) error = NULL;
  const char *pki_dir = NULL;
  const char *persona = NULL;
  int out = 1;

  /* Our flags are consumed here; the rest goes to libFuzzer or replay. */
  for (int i = 1; i < *argc; i++)
    {
      char *arg = (*argv)[i];

      if (g_str_has_prefix (arg, "--sim-pki-dir="))
        pki_dir = arg + strlen ("--sim-pki-dir=");
      else if (g_str_has_prefix (arg, "--sim-persona="))
        persona = arg + strlen ("--sim-persona=");
      else
        (*argv)[out++] = arg;
    }
  *argc = out;
  (*argv)[out] = NULL;

  if (pki_dir == NULL || persona == NULL)
    g_error ("fuzz-sim-apdu needs --sim-pki-dir=DIR and --sim-persona=FILE");

  /* No state file: counters live in memory and are reset per input. */
  sim = mdg_sim_card_new (persona, pki_dir, NULL, &error);
  if (sim == NULL)
    g_error ("fuzz-sim-apdu: %s", error->message);
  return 0;
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t size)
{
  gsize pos = 1;

  fuzz_init ();

  if (size < 1)
    return 0;

  mdg_sim_card_set_fault (sim, "none", NULL, NULL);
  mdg_sim_card_set_fault (sim, "tries", "auth:3", NULL);
  mdg_sim_card_set_fault (sim, "tries", "sign:5", NULL);
  mdg_sim_card_set_fault (sim, "tries", "text:3", NULL);
  for (guint i = 0; i < G_N_ELEMENTS (quirks); i++)
    g_assert (mdg_sim_card_set_quirk (sim, quirks[i], (data[0] >> i) & 1, NULL));
  mdg_sim_card_power (sim, FALSE);
  mdg_sim_card_power (sim, TRUE);

  while (size - pos >= 2)
    {
      guint8 response[MDG_TRANSPORT_MAX_RESPONSE + 2];
      gsize response_len = sizeof response;
      gsize n = ((data[pos] << 8) | data[pos + 1]) % 262;
      MdgMemoryCardResult result;

      pos += 2;
      n = MIN (n, size - pos);
      result = mdg_sim_card_process (sim, data + pos, n, response, &response_len);
      pos += n;

      if (result == MDG_MEMORY_CARD_REMOVED)
        break;
      g_assert (result == MDG_MEMORY_CARD_REPLY);
      g_assert (response_len >= 2 && response_len <= sizeof response);
    }

  return 0;
}
