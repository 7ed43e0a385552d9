/* mock-card.h: a scripted card that expects exact commands
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "madoguchi-card.h"

G_BEGIN_DECLS

typedef struct _MockCard MockCard;

MockCard     *mock_card_new            (void);
void          mock_card_free           (MockCard *mock);
/* Expects @command (hex, spaces ignored; NULL accepts any) and answers
 * @response (hex, data and SW). */
void          mock_card_expect         (MockCard *mock,
                                        const char *command,
                                        const char *response);
/* As above with @data followed by @sw. */
void          mock_card_expect_data    (MockCard *mock,
                                        const char *command,
                                        GBytes *data,
                                        guint16 sw);
/* Expects @command and pulls the card instead of answering. */
void          mock_card_expect_removed (MockCard *mock,
                                        const char *command);
/* Fails the test unless every expected command was sent. */
void          mock_card_assert_done    (MockCard *mock);
guint         mock_card_get_power_offs (MockCard *mock);
/* Commands received, as upper-case hex, in order. */
GPtrArray    *mock_card_get_log        (MockCard *mock);

const MdgMemoryCardFuncs *mock_card_get_funcs (void);

/* A transport and card over @mock; the mock must outlive both. */
MdgCard      *mock_card_connect        (MockCard *mock,
                                        MdgMemoryTransport **transport);

char         *hex_encode               (const guint8 *data,
                                        gsize len);
GBytes       *hex_decode               (const char *hex);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MockCard, mock_card_free)

G_END_DECLS
