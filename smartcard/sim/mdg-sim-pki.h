/* mdg-sim-pki.h: the simulator's JPKI-profile test PKI
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <openssl/evp.h>

G_BEGIN_DECLS

/* Subjects of the test CAs: never a production trust anchor. */
#define MDG_SIM_PKI_ORGANIZATION "JPKI-TEST"

#define MDG_SIM_OID_SAN_NAME          "1.2.392.200149.8.5.5.1"
#define MDG_SIM_OID_SAN_NAME_SUBST    "1.2.392.200149.8.5.5.2"
#define MDG_SIM_OID_SAN_SEX           "1.2.392.200149.8.5.5.3"
#define MDG_SIM_OID_SAN_BIRTH         "1.2.392.200149.8.5.5.4"
#define MDG_SIM_OID_SAN_ADDRESS       "1.2.392.200149.8.5.5.5"
#define MDG_SIM_OID_SAN_ADDRESS_SUBST "1.2.392.200149.8.5.5.6"
#define MDG_SIM_OID_POLICY_SIGN       "1.2.392.200149.8.5.1.1.20"
#define MDG_SIM_OID_POLICY_AUTH       "1.2.392.200149.8.5.1.3.30"

/* What the card holds for one persona. */
typedef struct
{
  EVP_PKEY *sign_key;   /* NULL without a signature certificate */
  EVP_PKEY *auth_key;
  EVP_PKEY *text_key;   /* signs the text AP's FF30 record */
  GBytes   *sign_cert;  /* DER; NULL without a signature certificate */
  GBytes   *sign_ca;
  GBytes   *auth_cert;
  GBytes   *auth_ca;
} MdgSimPkiMaterial;

void               mdg_sim_pki_material_free (MdgSimPkiMaterial *material);

/* Generates the CAs, the text AP key and, per persona file in
 * @persona_files, keys, certificates and the resolved persona.json under
 * @out_dir/<id>/. Without @force an existing PKI is an error. */
gboolean           mdg_sim_pki_generate      (const char * const *persona_files,
                                              const char *out_dir,
                                              gboolean force,
                                              GError **error);
/* Every *.json in @personas_dir, sorted. */
char             **mdg_sim_pki_list_personas (const char *personas_dir,
                                              GError **error);
MdgSimPkiMaterial *mdg_sim_pki_load          (const char *pki_dir,
                                              const char *id,
                                              gboolean with_sign,
                                              GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MdgSimPkiMaterial, mdg_sim_pki_material_free)

G_END_DECLS
