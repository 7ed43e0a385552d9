/* mdg-pcsc.c: PC/SC readers and card connections through libpcsclite
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include <winscard.h>

#include "mdg-card-error.h"
#include "mdg-pcsc.h"

/* pcsc-lite reader names are at most this long (MAX_READERNAME). */
#define READERS_BUFFER 65536

struct _MdgPcscContext
{
  GObject      parent_instance;
  SCARDCONTEXT context;
  gboolean     established;
};

G_DEFINE_FINAL_TYPE (MdgPcscContext, mdg_pcsc_context, G_TYPE_OBJECT)

struct _MdgPcscTransport
{
  GObject         parent_instance;
  MdgPcscContext *context;
  SCARDHANDLE     handle;
  DWORD           protocol;
  char           *reader;
  GBytes         *atr;
  gboolean        connected;
  gboolean        in_transaction;
};

static void mdg_pcsc_transport_iface_init (MdgTransportInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (MdgPcscTransport, mdg_pcsc_transport, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (MDG_TYPE_TRANSPORT,
                                                      mdg_pcsc_transport_iface_init))

/* Maps a PC/SC result to a MdgCardError. @connected tells whether the
 * card had been reached, which turns "no card" into "card removed". */
static gboolean
set_pcsc_error (LONG rv,
                gboolean connected,
                GError **error)
{
  MdgCardError code;
  const char *message;

  switch (rv)
    {
    case SCARD_E_NO_SERVICE:
    case SCARD_E_SERVICE_STOPPED:
    case SCARD_E_SERVER_TOO_BUSY:
      code = MDG_CARD_ERROR_NO_SERVICE;
      message = _("The smart card service (pcscd) is not running");
      break;

    case SCARD_E_NO_READERS_AVAILABLE:
      code = MDG_CARD_ERROR_NO_READER;
      message = _("No card reader is connected");
      break;

    case SCARD_E_READER_UNAVAILABLE:
    case SCARD_E_UNKNOWN_READER:
    case SCARD_E_DUPLICATE_READER:
      code = MDG_CARD_ERROR_READER_GONE;
      message = _("The card reader is no longer available");
      break;

    case SCARD_E_NO_SMARTCARD:
    case SCARD_W_REMOVED_CARD:
      if (connected || rv == SCARD_W_REMOVED_CARD)
        {
          code = MDG_CARD_ERROR_CARD_REMOVED;
          message = _("The card was removed; place it on the reader again");
        }
      else
        {
          code = MDG_CARD_ERROR_NO_CARD;
          message = _("There is no card on the reader");
        }
      break;

    case SCARD_E_SHARING_VIOLATION:
      code = MDG_CARD_ERROR_CARD_IN_USE;
      message = _("Another program is using the card");
      break;

    case SCARD_E_TIMEOUT:
    case SCARD_F_WAITED_TOO_LONG:
      code = MDG_CARD_ERROR_TIMEOUT;
      message = _("Timed out waiting for the card reader");
      break;

    case SCARD_E_CANCELLED:
    case SCARD_E_SYSTEM_CANCELLED:
    case SCARD_W_CANCELLED_BY_USER:
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                   _("The card operation was cancelled"));
      return FALSE;

    case SCARD_W_RESET_CARD:
      code = MDG_CARD_ERROR_COMMUNICATION;
      message = _("Another program reset the card");
      break;

    case SCARD_W_UNPOWERED_CARD:
    case SCARD_W_UNRESPONSIVE_CARD:
    case SCARD_E_INVALID_ATR:
      code = MDG_CARD_ERROR_COMMUNICATION;
      message = _("The card does not respond; check that it is placed correctly");
      break;

    case SCARD_W_UNSUPPORTED_CARD:
    case SCARD_E_CARD_UNSUPPORTED:
    case SCARD_E_UNKNOWN_CARD:
    case SCARD_E_PROTO_MISMATCH:
      code = MDG_CARD_ERROR_NOT_MYNUMBER_CARD;
      message = _("The card is not supported");
      break;

    case SCARD_E_READER_UNSUPPORTED:
    case SCARD_E_UNSUPPORTED_FEATURE:
      code = MDG_CARD_ERROR_NOT_SUPPORTED;
      message = _("The card reader does not support this operation");
      break;

    case SCARD_E_NOT_TRANSACTED:
    case SCARD_F_COMM_ERROR:
    case SCARD_E_COMM_DATA_LOST:
    case SCARD_E_NOT_READY:
      code = MDG_CARD_ERROR_COMMUNICATION;
      message = _("Communication with the card failed");
      break;

    case SCARD_E_INVALID_HANDLE:
    case SCARD_E_INVALID_PARAMETER:
    case SCARD_E_INVALID_VALUE:
    case SCARD_E_INVALID_TARGET:
    case SCARD_E_INSUFFICIENT_BUFFER:
    case SCARD_E_PCI_TOO_SMALL:
    case SCARD_E_CANT_DISPOSE:
      code = MDG_CARD_ERROR_INVALID_ARGUMENT;
      message = _("The card service rejected a request");
      break;

    case SCARD_E_NO_MEMORY:
    case SCARD_F_INTERNAL_ERROR:
    case SCARD_F_UNKNOWN_ERROR:
    default:
      code = MDG_CARD_ERROR_FAILED;
      message = _("The smart card service failed");
      break;
    }

  g_set_error (error, MDG_CARD_ERROR, code, "%s (0x%08lX)", message, (unsigned long) rv);
  return FALSE;
}

static void
mdg_pcsc_context_finalize (GObject *object)
{
  MdgPcscContext *self = MDG_PCSC_CONTEXT (object);

  if (self->established)
    SCardReleaseContext (self->context);

  G_OBJECT_CLASS (mdg_pcsc_context_parent_class)->finalize (object);
}

static void
mdg_pcsc_context_class_init (MdgPcscContextClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = mdg_pcsc_context_finalize;
}

static void
mdg_pcsc_context_init (MdgPcscContext *self)
{
}

MdgPcscContext *
mdg_pcsc_context_new (GError **error)
{
  g_autoptr(MdgPcscContext) self = NULL;
  LONG rv;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (MDG_TYPE_PCSC_CONTEXT, NULL);
  rv = SCardEstablishContext (SCARD_SCOPE_SYSTEM, NULL, NULL, &self->context);
  if (rv != SCARD_S_SUCCESS)
    {
      set_pcsc_error (rv, FALSE, error);
      return NULL;
    }
  self->established = TRUE;
  return g_steal_pointer (&self);
}

GStrv
mdg_pcsc_context_list_readers (MdgPcscContext *self,
                               GError **error)
{
  g_autoptr(GStrvBuilder) builder = NULL;
  g_autofree char *buffer = NULL;
  DWORD len = 0;
  LONG rv;

  g_return_val_if_fail (MDG_IS_PCSC_CONTEXT (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  rv = SCardListReaders (self->context, NULL, NULL, &len);
  if (rv == SCARD_S_SUCCESS && (len == 0 || len > READERS_BUFFER))
    rv = SCARD_E_NO_READERS_AVAILABLE;
  if (rv != SCARD_S_SUCCESS)
    {
      set_pcsc_error (rv, FALSE, error);
      return NULL;
    }

  /* Readers may appear between the two calls: ask for room to spare. */
  len = READERS_BUFFER;
  buffer = g_malloc0 (len + 1);
  rv = SCardListReaders (self->context, NULL, buffer, &len);
  if (rv != SCARD_S_SUCCESS)
    {
      set_pcsc_error (rv, FALSE, error);
      return NULL;
    }

  builder = g_strv_builder_new ();
  for (const char *p = buffer; p < buffer + len && *p != '\0'; p += strlen (p) + 1)
    g_strv_builder_add (builder, p);

  return g_strv_builder_end (builder);
}

static gboolean
get_reader_state (MdgPcscContext *self,
                  const char *reader,
                  DWORD current,
                  DWORD timeout,
                  DWORD *event_state,
                  GError **error)
{
  SCARD_READERSTATE state = { 0 };
  LONG rv;

  state.szReader = reader;
  state.dwCurrentState = current;

  rv = SCardGetStatusChange (self->context, timeout, &state, 1);
  if (rv != SCARD_S_SUCCESS)
    return set_pcsc_error (rv, FALSE, error);

  if (state.dwEventState & (SCARD_STATE_UNKNOWN | SCARD_STATE_UNAVAILABLE))
    return set_pcsc_error (SCARD_E_UNKNOWN_READER, FALSE, error);

  *event_state = state.dwEventState;
  return TRUE;
}

gboolean
mdg_pcsc_context_card_present (MdgPcscContext *self,
                               const char *reader,
                               GError **error)
{
  DWORD state = 0;

  g_return_val_if_fail (MDG_IS_PCSC_CONTEXT (self), FALSE);
  g_return_val_if_fail (reader != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!get_reader_state (self, reader, SCARD_STATE_UNAWARE, 0, &state, error))
    return FALSE;

  return (state & SCARD_STATE_PRESENT) != 0;
}

static void
cancel_wait (GCancellable *cancellable,
             gpointer user_data)
{
  MdgPcscContext *self = user_data;

  /* The one PC/SC call that may come from another thread. */
  SCardCancel (self->context);
}

gboolean
mdg_pcsc_context_wait_for_card (MdgPcscContext *self,
                                const char *reader,
                                gboolean present,
                                guint timeout_ms,
                                GCancellable *cancellable,
                                GError **error)
{
  gint64 deadline = 0;
  gulong handler = 0;
  DWORD state = 0;
  gboolean ok = FALSE;

  g_return_val_if_fail (MDG_IS_PCSC_CONTEXT (self), FALSE);
  g_return_val_if_fail (reader != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (timeout_ms > 0)
    deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  if (cancellable != NULL)
    handler = g_cancellable_connect (cancellable, G_CALLBACK (cancel_wait), self, NULL);

  if (!get_reader_state (self, reader, SCARD_STATE_UNAWARE, 0, &state, error))
    goto out;

  for (;;)
    {
      DWORD timeout = INFINITE;

      if (((state & SCARD_STATE_PRESENT) != 0) == (present != FALSE))
        {
          ok = TRUE;
          break;
        }

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        break;

      if (deadline != 0)
        {
          gint64 left = deadline - g_get_monotonic_time ();

          if (left <= 0)
            {
              set_pcsc_error (SCARD_E_TIMEOUT, FALSE, error);
              break;
            }
          timeout = (DWORD) MAX (left / 1000, 1);
        }

      /* Ignore the change counter in the high word; wait for a change of
       * the state bits. */
      if (!get_reader_state (self, reader, state & 0xFFFF & ~SCARD_STATE_CHANGED,
                             timeout, &state, error))
        break;
    }

out:
  if (handler != 0)
    g_cancellable_disconnect (cancellable, handler);
  return ok;
}

char *
mdg_pcsc_context_find_card_reader (MdgPcscContext *self,
                                   GError **error)
{
  g_auto(GStrv) readers = NULL;

  g_return_val_if_fail (MDG_IS_PCSC_CONTEXT (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  readers = mdg_pcsc_context_list_readers (self, error);
  if (readers == NULL)
    return NULL;

  for (guint i = 0; readers[i] != NULL; i++)
    {
      g_autoptr(GError) local_error = NULL;

      if (mdg_pcsc_context_card_present (self, readers[i], &local_error))
        return g_strdup (readers[i]);
      if (local_error != NULL)
        g_debug ("Reader %s: %s", readers[i], local_error->message);
    }

  g_set_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_NO_CARD,
               _("There is no card on the reader"));
  return NULL;
}

static DWORD
disposition_to_pcsc (MdgDisposition disposition)
{
  switch (disposition)
    {
    case MDG_DISPOSITION_RESET: return SCARD_RESET_CARD;
    case MDG_DISPOSITION_UNPOWER: return SCARD_UNPOWER_CARD;
    case MDG_DISPOSITION_LEAVE:
    default: return SCARD_LEAVE_CARD;
    }
}

static gboolean
set_disconnected_error (GError **error)
{
  g_set_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_CARD_REMOVED,
               _("The card is no longer connected"));
  return FALSE;
}

/* pcscd notices a removed card only on its next poll (about 400 ms for
 * vpcd), so give it a second before deciding. */
static gboolean
card_still_present (MdgPcscTransport *self)
{
  return !mdg_pcsc_context_wait_for_card (self->context, self->reader, FALSE, 1000, NULL, NULL);
}

static gboolean
mdg_pcsc_transport_transmit (MdgTransport *transport,
                             const guint8 *command,
                             gsize command_len,
                             guint8 *response,
                             gsize *response_len,
                             GError **error)
{
  MdgPcscTransport *self = MDG_PCSC_TRANSPORT (transport);
  const SCARD_IO_REQUEST *pci;
  DWORD len = (DWORD) MIN (*response_len, (gsize) G_MAXUINT32);
  LONG rv;

  if (!self->connected)
    return set_disconnected_error (error);

  pci = self->protocol == SCARD_PROTOCOL_T0 ? SCARD_PCI_T0 : SCARD_PCI_T1;
  rv = SCardTransmit (self->handle, pci, command, (DWORD) command_len, NULL, response, &len);
  if (rv != SCARD_S_SUCCESS)
    return set_pcsc_error (rv, TRUE, error);

  /* Every card answer carries SW1 SW2. vpcd reports a card that left the
   * reader mid-command as success with no bytes, so ask the reader. */
  if (len < 2 && !card_still_present (self))
    {
      g_set_error_literal (error, MDG_CARD_ERROR, MDG_CARD_ERROR_CARD_REMOVED,
                           _("The card was removed; place it on the reader again"));
      return FALSE;
    }

  *response_len = len;
  return TRUE;
}

static GBytes *
mdg_pcsc_transport_get_atr (MdgTransport *transport)
{
  MdgPcscTransport *self = MDG_PCSC_TRANSPORT (transport);

  return self->atr != NULL ? g_bytes_ref (self->atr) : NULL;
}

static const char *
mdg_pcsc_transport_get_reader_name (MdgTransport *transport)
{
  return MDG_PCSC_TRANSPORT (transport)->reader;
}

static gboolean
mdg_pcsc_transport_begin_transaction (MdgTransport *transport,
                                      GError **error)
{
  MdgPcscTransport *self = MDG_PCSC_TRANSPORT (transport);
  LONG rv;

  if (!self->connected)
    return set_disconnected_error (error);

  rv = SCardBeginTransaction (self->handle);
  if (rv != SCARD_S_SUCCESS)
    return set_pcsc_error (rv, TRUE, error);

  self->in_transaction = TRUE;
  return TRUE;
}

static gboolean
mdg_pcsc_transport_end_transaction (MdgTransport *transport,
                                    MdgDisposition disposition,
                                    GError **error)
{
  MdgPcscTransport *self = MDG_PCSC_TRANSPORT (transport);
  LONG rv;

  if (!self->connected)
    return set_disconnected_error (error);

  self->in_transaction = FALSE;
  rv = SCardEndTransaction (self->handle, disposition_to_pcsc (disposition));
  if (rv != SCARD_S_SUCCESS)
    return set_pcsc_error (rv, TRUE, error);
  return TRUE;
}

static void
mdg_pcsc_transport_disconnect (MdgTransport *transport,
                               MdgDisposition disposition)
{
  MdgPcscTransport *self = MDG_PCSC_TRANSPORT (transport);
  LONG rv;

  if (!self->connected)
    return;

  rv = SCardDisconnect (self->handle, disposition_to_pcsc (disposition));
  if (rv != SCARD_S_SUCCESS)
    g_debug ("SCardDisconnect: %s", pcsc_stringify_error (rv));
  self->connected = FALSE;
  self->in_transaction = FALSE;
}

static void
mdg_pcsc_transport_iface_init (MdgTransportInterface *iface)
{
  iface->transmit = mdg_pcsc_transport_transmit;
  iface->get_atr = mdg_pcsc_transport_get_atr;
  iface->get_reader_name = mdg_pcsc_transport_get_reader_name;
  iface->begin_transaction = mdg_pcsc_transport_begin_transaction;
  iface->end_transaction = mdg_pcsc_transport_end_transaction;
  iface->disconnect = mdg_pcsc_transport_disconnect;
}

static void
mdg_pcsc_transport_finalize (GObject *object)
{
  MdgPcscTransport *self = MDG_PCSC_TRANSPORT (object);

  /* Unpowering is the only sure way to clear the card's security status
   * (jpki-card.md §4). */
  mdg_pcsc_transport_disconnect (MDG_TRANSPORT (self), MDG_DISPOSITION_UNPOWER);

  g_clear_object (&self->context);
  g_clear_pointer (&self->atr, g_bytes_unref);
  g_free (self->reader);

  G_OBJECT_CLASS (mdg_pcsc_transport_parent_class)->finalize (object);
}

static void
mdg_pcsc_transport_class_init (MdgPcscTransportClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = mdg_pcsc_transport_finalize;
}

static void
mdg_pcsc_transport_init (MdgPcscTransport *self)
{
}

MdgPcscTransport *
mdg_pcsc_transport_connect (MdgPcscContext *context,
                            const char *reader,
                            GError **error)
{
  g_autoptr(MdgPcscTransport) self = NULL;
  guint8 atr[MAX_ATR_SIZE];
  DWORD atr_len = sizeof atr;
  char name[MAX_READERNAME + 1];
  DWORD name_len = sizeof name;
  DWORD state = 0;
  DWORD protocol = 0;
  LONG rv;

  g_return_val_if_fail (MDG_IS_PCSC_CONTEXT (context), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (MDG_TYPE_PCSC_TRANSPORT, NULL);
  self->context = g_object_ref (context);

  if (reader != NULL)
    self->reader = g_strdup (reader);
  else if ((self->reader = mdg_pcsc_context_find_card_reader (context, error)) == NULL)
    return NULL;

  /* Exclusive: nobody may use the card while its PIN is verified. */
  rv = SCardConnect (context->context, self->reader, SCARD_SHARE_EXCLUSIVE,
                     SCARD_PROTOCOL_T1 | SCARD_PROTOCOL_T0,
                     &self->handle, &self->protocol);
  if (rv != SCARD_S_SUCCESS)
    {
      set_pcsc_error (rv, FALSE, error);
      return NULL;
    }
  self->connected = TRUE;

  rv = SCardStatus (self->handle, name, &name_len, &state, &protocol, atr, &atr_len);
  if (rv != SCARD_S_SUCCESS)
    {
      set_pcsc_error (rv, TRUE, error);
      return NULL;
    }
  self->atr = g_bytes_new (atr, atr_len);

  return g_steal_pointer (&self);
}
