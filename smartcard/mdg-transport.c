/* mdg-transport.c: the seam between card logic and a card connection
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "mdg-card-error.h"
#include "mdg-pin.h"
#include "mdg-transport.h"

G_DEFINE_INTERFACE (MdgTransport, mdg_transport, G_TYPE_OBJECT)

static void
mdg_transport_default_init (MdgTransportInterface *iface)
{
}

gboolean
mdg_transport_transmit (MdgTransport *self,
                        const guint8 *command,
                        gsize command_len,
                        guint8 *response,
                        gsize *response_len,
                        GError **error)
{
  MdgTransportInterface *iface;

  g_return_val_if_fail (MDG_IS_TRANSPORT (self), FALSE);
  g_return_val_if_fail (command != NULL && command_len >= 4, FALSE);
  g_return_val_if_fail (response != NULL && response_len != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  iface = MDG_TRANSPORT_GET_IFACE (self);
  if (!iface->transmit (self, command, command_len, response, response_len, error))
    return FALSE;

  /* Every layer above relies on SW1 SW2 being present. */
  if (*response_len < 2)
    {
      g_set_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_MALFORMED,
                   _("The card sent a response without a status word"));
      return FALSE;
    }

  return TRUE;
}

GBytes *
mdg_transport_get_atr (MdgTransport *self)
{
  MdgTransportInterface *iface;

  g_return_val_if_fail (MDG_IS_TRANSPORT (self), NULL);

  iface = MDG_TRANSPORT_GET_IFACE (self);
  if (iface->get_atr == NULL)
    return NULL;
  return iface->get_atr (self);
}

const char *
mdg_transport_get_reader_name (MdgTransport *self)
{
  MdgTransportInterface *iface;

  g_return_val_if_fail (MDG_IS_TRANSPORT (self), NULL);

  iface = MDG_TRANSPORT_GET_IFACE (self);
  if (iface->get_reader_name == NULL)
    return NULL;
  return iface->get_reader_name (self);
}

gboolean
mdg_transport_begin_transaction (MdgTransport *self,
                                 GError **error)
{
  MdgTransportInterface *iface;

  g_return_val_if_fail (MDG_IS_TRANSPORT (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  iface = MDG_TRANSPORT_GET_IFACE (self);
  if (iface->begin_transaction == NULL)
    return TRUE;
  return iface->begin_transaction (self, error);
}

gboolean
mdg_transport_end_transaction (MdgTransport *self,
                               MdgDisposition disposition,
                               GError **error)
{
  MdgTransportInterface *iface;

  g_return_val_if_fail (MDG_IS_TRANSPORT (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  iface = MDG_TRANSPORT_GET_IFACE (self);
  if (iface->end_transaction == NULL)
    return TRUE;
  return iface->end_transaction (self, disposition, error);
}

void
mdg_transport_disconnect (MdgTransport *self,
                          MdgDisposition disposition)
{
  MdgTransportInterface *iface;

  g_return_if_fail (MDG_IS_TRANSPORT (self));

  iface = MDG_TRANSPORT_GET_IFACE (self);
  if (iface->disconnect != NULL)
    iface->disconnect (self, disposition);
}

static void
transmit_thread (GTask *task,
                 gpointer source_object,
                 gpointer task_data,
                 GCancellable *cancellable)
{
  MdgTransport *self = source_object;
  GBytes *command = task_data;
  guint8 response[MDG_TRANSPORT_MAX_RESPONSE];
  gsize response_len = sizeof response;
  gsize command_len = 0;
  const guint8 *command_data = g_bytes_get_data (command, &command_len);
  GError *error = NULL;

  if (g_task_return_error_if_cancelled (task))
    return;

  if (!mdg_transport_transmit (self, command_data, command_len, response, &response_len, &error))
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_bytes_new (response, response_len), (GDestroyNotify) g_bytes_unref);

  mdg_secure_wipe (response, sizeof response);
}

void
mdg_transport_transmit_async (MdgTransport *self,
                              GBytes *command,
                              GCancellable *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (MDG_IS_TRANSPORT (self));
  g_return_if_fail (command != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, mdg_transport_transmit_async);
  g_task_set_task_data (task, g_bytes_ref (command), (GDestroyNotify) g_bytes_unref);

  if (g_bytes_get_size (command) < 4 || g_bytes_get_size (command) > 261)
    {
      g_task_return_new_error (task, MDG_CARD_ERROR, MDG_CARD_ERROR_INVALID_ARGUMENT,
                               _("Invalid command length"));
      return;
    }

  g_task_run_in_thread (task, transmit_thread);
}

GBytes *
mdg_transport_transmit_finish (MdgTransport *self,
                               GAsyncResult *result,
                               GError **error)
{
  g_return_val_if_fail (MDG_IS_TRANSPORT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
