/* mdg-app-error.h: errors of the domain core (documents, signing, verification)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define MDG_APP_ERROR (mdg_app_error_quark ())

/* Messages are translated and never contain personal data or PINs. */
typedef enum
{
  MDG_APP_ERROR_FAILED,
  MDG_APP_ERROR_INVALID_JSON,        /* not parseable JSON */
  MDG_APP_ERROR_DUPLICATE_KEY,       /* an object repeats a member name */
  MDG_APP_ERROR_INVALID_UTF8,        /* text that is not UTF-8 */
  MDG_APP_ERROR_UNSUPPORTED_VALUE,   /* a number JCS cannot represent exactly */
  MDG_APP_ERROR_INVALID_DOCUMENT,    /* the document's structure is wrong */
  MDG_APP_ERROR_SCHEMA,              /* the form schema refuses a field */
  MDG_APP_ERROR_MY_NUMBER_REFUSED,   /* a My Number the procedure does not declare */
  MDG_APP_ERROR_CATALOG,             /* procedure or form missing from the catalog */
  MDG_APP_ERROR_SIGNER,              /* the signer could not sign */
  MDG_APP_ERROR_CMS,                 /* a CMS structure could not be built or parsed */
  MDG_APP_ERROR_VERIFY,              /* a signature does not verify */
  MDG_APP_ERROR_UNTRUSTED,           /* no chain to a configured trust anchor */
  MDG_APP_ERROR_TEST_ROOT,           /* a test root in a production configuration */
  MDG_APP_ERROR_WRONG_KEY,           /* the authentication key where the signature key is required, or the reverse */
  MDG_APP_ERROR_EXPIRED,             /* a certificate outside its validity window */
  MDG_APP_ERROR_TRUST_STORE,         /* trust anchors missing or unreadable */
  MDG_APP_ERROR_ENVELOPE,            /* an envelope that is not a well-formed Madoguchi ZIP */
  MDG_APP_ERROR_STORE_FAILED,        /* the local store could not read or write */
  MDG_APP_ERROR_STORE_WRONG_KEY,     /* the store's key is not this file's key (other card, other profile) */
  MDG_APP_ERROR_STORE_CORRUPT,       /* the store's file is damaged */
  MDG_APP_ERROR_STORE_FULL,          /* no space left for the store */
  MDG_APP_ERROR_STORE_LOCKED,        /* another instance has this profile open */
  MDG_APP_ERROR_STORE_NOT_FOUND,     /* no such draft, envelope or receipt */
  MDG_APP_ERROR_STORE_TOO_NEW,       /* written by a newer Madoguchi */
  MDG_APP_ERROR_STORE_NO_KEY,        /* no data key: none created, or erased */
  MDG_APP_ERROR_STORE_PASSPHRASE,    /* wrong passphrase, or one is needed */
  MDG_APP_ERROR_FACTS,               /* eligibility facts of the wrong name, type or value */
  MDG_APP_ERROR_BUNDLE,              /* a catalog bundle that is malformed, unsigned, tampered or from another publisher */
  MDG_APP_ERROR_BUNDLE_OLDER,        /* a catalog bundle not newer than the installed one */
} MdgAppError;

GQuark mdg_app_error_quark (void);

G_END_DECLS
