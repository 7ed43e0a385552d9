/* fuzz-signing-common.h: the trust store the signing fuzz targets verify with
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <string.h>

#include "mdg-trust-store.h"
#include "fuzz-common.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);

/* Consumes --sim-pki-dir=DIR from the arguments (the rest goes to libFuzzer
 * or replay) and returns a test trust store over it, so that inputs built
 * from the simulator's PKI reach the chain checks. */
static inline MdgTrustStore *
fuzz_signing_init (const char *target,
                   int *argc,
                   char ***argv)
{
  g_autoptr(GError) error = NULL;
  const char *pki_dir = NULL;
  MdgTrustStore *trust;
  int out = 1;

  for (int i = 1; i < *argc; i++)
    {
      char *arg = (*argv)[i];

      if (g_str_has_prefix (arg, "--sim-pki-dir="))
        pki_dir = arg + strlen ("--sim-pki-dir=");
      else
        (*argv)[out++] = arg;
    }
  *argc = out;
  (*argv)[out] = NULL;

  if (pki_dir == NULL)
    g_error ("%s needs --sim-pki-dir=DIR", target);
  trust = mdg_trust_store_new_test (pki_dir, &error);
  if (trust == NULL)
    g_error ("%s: %s", target, error->message);
  fuzz_init ();
  return trust;
}
