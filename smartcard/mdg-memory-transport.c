/* mdg-memory-transport.c: an in-process transport for unit tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "mdg-card-error.h"
#include "mdg-memory-transport.h"

struct _MdgMemoryTransport
{
  GObject                   parent_instance;

  const MdgMemoryCardFuncs *funcs;
  gpointer                  card;
  GDestroyNotify            card_destroy;
  guint                     apdu_count;
  gboolean                  removed;
  gboolean                  in_transaction;
};

static void mdg_memory_transport_iface_init (MdgTransportInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (MdgMemoryTransport, mdg_memory_transport, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (MDG_TYPE_TRANSPORT,
                                                      mdg_memory_transport_iface_init))

static gboolean
set_removed_error (GError **error)
{
  g_set_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_CARD_REMOVED,
               _("The card was removed"));
  return FALSE;
}

static void
apply_disposition (MdgMemoryTransport *self,
                   MdgDisposition disposition)
{
  if (self->funcs->power == NULL)
    return;

  switch (disposition)
    {
    case MDG_DISPOSITION_UNPOWER:
      self->funcs->power (self->card, FALSE);
      self->funcs->power (self->card, TRUE);
      break;
    case MDG_DISPOSITION_RESET:
      /* A reset is a power cycle for the models used here. */
      self->funcs->power (self->card, FALSE);
      self->funcs->power (self->card, TRUE);
      break;
    case MDG_DISPOSITION_LEAVE:
    default:
      break;
    }
}

static gboolean
mdg_memory_transport_transmit (MdgTransport *transport,
                               const guint8 *command,
                               gsize command_len,
                               guint8 *response,
                               gsize *response_len,
                               GError **error)
{
  MdgMemoryTransport *self = MDG_MEMORY_TRANSPORT (transport);
  gsize capacity = *response_len;
  MdgMemoryCardResult result;

  if (self->removed)
    return set_removed_error (error);

  self->apdu_count++;
  result = self->funcs->process (self->card, command, command_len, response, response_len);
  if (result == MDG_MEMORY_CARD_REMOVED)
    {
      mdg_memory_transport_remove_card (self);
      return set_removed_error (error);
    }

  /* Short answers are left to mdg_transport_transmit() (MALFORMED). */
  if (*response_len > capacity)
    {
      g_set_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_COMMUNICATION,
                   _("The card sent a response of invalid length"));
      return FALSE;
    }

  return TRUE;
}

static GBytes *
mdg_memory_transport_get_atr (MdgTransport *transport)
{
  MdgMemoryTransport *self = MDG_MEMORY_TRANSPORT (transport);

  if (self->removed || self->funcs->get_atr == NULL)
    return NULL;
  return self->funcs->get_atr (self->card);
}

static const char *
mdg_memory_transport_get_reader_name (MdgTransport *transport)
{
  return "Madoguchi memory reader";
}

static gboolean
mdg_memory_transport_begin_transaction (MdgTransport *transport,
                                        GError **error)
{
  MdgMemoryTransport *self = MDG_MEMORY_TRANSPORT (transport);

  if (self->removed)
    return set_removed_error (error);
  self->in_transaction = TRUE;
  return TRUE;
}

static gboolean
mdg_memory_transport_end_transaction (MdgTransport *transport,
                                      MdgDisposition disposition,
                                      GError **error)
{
  MdgMemoryTransport *self = MDG_MEMORY_TRANSPORT (transport);

  self->in_transaction = FALSE;
  if (self->removed)
    return set_removed_error (error);
  apply_disposition (self, disposition);
  return TRUE;
}

static void
mdg_memory_transport_disconnect (MdgTransport *transport,
                                 MdgDisposition disposition)
{
  MdgMemoryTransport *self = MDG_MEMORY_TRANSPORT (transport);

  if (self->removed)
    return;

  if (self->funcs->power != NULL && disposition != MDG_DISPOSITION_LEAVE)
    self->funcs->power (self->card, FALSE);
  self->removed = TRUE;
  self->in_transaction = FALSE;
}

static void
mdg_memory_transport_iface_init (MdgTransportInterface *iface)
{
  iface->transmit = mdg_memory_transport_transmit;
  iface->get_atr = mdg_memory_transport_get_atr;
  iface->get_reader_name = mdg_memory_transport_get_reader_name;
  iface->begin_transaction = mdg_memory_transport_begin_transaction;
  iface->end_transaction = mdg_memory_transport_end_transaction;
  iface->disconnect = mdg_memory_transport_disconnect;
}

static void
mdg_memory_transport_finalize (GObject *object)
{
  MdgMemoryTransport *self = MDG_MEMORY_TRANSPORT (object);

  if (self->card_destroy != NULL)
    self->card_destroy (self->card);

  G_OBJECT_CLASS (mdg_memory_transport_parent_class)->finalize (object);
}

static void
mdg_memory_transport_class_init (MdgMemoryTransportClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = mdg_memory_transport_finalize;
}

static void
mdg_memory_transport_init (MdgMemoryTransport *self)
{
}

MdgMemoryTransport *
mdg_memory_transport_new (const MdgMemoryCardFuncs *funcs,
                          gpointer card,
                          GDestroyNotify card_destroy)
{
  MdgMemoryTransport *self;

  g_return_val_if_fail (funcs != NULL && funcs->process != NULL, NULL);

  self = g_object_new (MDG_TYPE_MEMORY_TRANSPORT, NULL);
  self->funcs = funcs;
  self->card = card;
  self->card_destroy = card_destroy;

  if (funcs->power != NULL)
    funcs->power (card, TRUE);

  return self;
}

guint
mdg_memory_transport_get_apdu_count (MdgMemoryTransport *self)
{
  g_return_val_if_fail (MDG_IS_MEMORY_TRANSPORT (self), 0);
  return self->apdu_count;
}

void
mdg_memory_transport_remove_card (MdgMemoryTransport *self)
{
  g_return_if_fail (MDG_IS_MEMORY_TRANSPORT (self));

  if (self->removed)
    return;
  if (self->funcs->power != NULL)
    self->funcs->power (self->card, FALSE);
  self->removed = TRUE;
  self->in_transaction = FALSE;
}

/* Whether a transaction is open, for tests. */
gboolean
mdg_memory_transport_in_transaction (MdgMemoryTransport *self)
{
  g_return_val_if_fail (MDG_IS_MEMORY_TRANSPORT (self), FALSE);
  return self->in_transaction;
}
