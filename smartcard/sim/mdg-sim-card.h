/* mdg-sim-card.h: the simulated My Number card (one core for vpcd and unit tests)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "mdg-memory-transport.h"

G_BEGIN_DECLS

#define MDG_SIM_ERROR (mdg_sim_error_quark ())

typedef enum
{
  MDG_SIM_ERROR_FAILED,
  MDG_SIM_ERROR_PERSONA,   /* persona file missing or invalid */
  MDG_SIM_ERROR_PKI,       /* test PKI missing or invalid */
  MDG_SIM_ERROR_STATE,     /* state file unreadable or unwritable */
  MDG_SIM_ERROR_UNKNOWN,   /* unknown quirk or fault name */
} MdgSimError;

GQuark mdg_sim_error_quark (void);

#define MDG_TYPE_SIM_CARD (mdg_sim_card_get_type ())
G_DECLARE_FINAL_TYPE (MdgSimCard, mdg_sim_card, MDG, SIM_CARD, GObject)

/* Loads a persona (smartcard/sim/personas/ID.json) with its keys and
 * certificates from @pki_dir (made by `madoguchi-card-sim pki`).
 * @state_path keeps the PIN counters across restarts; NULL keeps them in
 * memory only. */
MdgSimCard   *mdg_sim_card_new            (const char *persona_path,
                                           const char *pki_dir,
                                           const char *state_path,
                                           GError **error);
/* Power on (cold reset: security status cleared) or off. */
void          mdg_sim_card_power          (MdgSimCard *self,
                                           gboolean on);
GBytes       *mdg_sim_card_get_atr        (MdgSimCard *self);
/* Processes one command APDU. Returns MDG_MEMORY_CARD_REMOVED when an
 * injected fault pulls the card instead of answering. */
MdgMemoryCardResult mdg_sim_card_process  (MdgSimCard *self,
                                           const guint8 *command,
                                           gsize command_len,
                                           guint8 *response,
                                           gsize *response_len);
/* Quirks (single-sourced card behaviours, jpki-card.md §11) by name. */
gboolean      mdg_sim_card_set_quirk      (MdgSimCard *self,
                                           const char *name,
                                           gboolean enabled,
                                           GError **error);
/* Faults by name with an optional argument; "none" clears all faults. */
gboolean      mdg_sim_card_set_fault      (MdgSimCard *self,
                                           const char *name,
                                           const char *argument,
                                           GError **error);
guint         mdg_sim_card_get_apdu_count (MdgSimCard *self);
void          mdg_sim_card_reset_apdu_count (MdgSimCard *self);

/* Warm reset: leaves the AP; keeps the security status unless the
 * "warm-reset-clears" quirk is on (jpki-card.md §4). */
void          mdg_sim_card_warm_reset     (MdgSimCard *self);
/* A §7 ATR by name (contact, contact-c0, contact-00, contact-d1d6,
 * contact-a115, contactless, contactless-4b51,
 * contactless-pupi) or as hex. */
gboolean      mdg_sim_card_set_atr        (MdgSimCard *self,
                                           const char *name_or_hex,
                                           GError **error);
/* Remaining tries of a PIN by state name ("auth", "sign", "text",
 * "text-a", "text-b", "visual-a", "visual-b", "juki"); -1 if unknown. */
gint          mdg_sim_card_get_tries      (MdgSimCard *self,
                                           const char *pin_name);
/* "auth=3 sign=5 text=3 …" for the control socket. */
char         *mdg_sim_card_describe_tries (MdgSimCard *self);
const char   *mdg_sim_card_get_persona_id (MdgSimCard *self);

/* Function table for MdgMemoryTransport. */
const MdgMemoryCardFuncs *mdg_sim_card_get_memory_funcs (void);

G_END_DECLS
