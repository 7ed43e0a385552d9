/* madoguchi-card.h: the card library's umbrella header
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "mdg-card-error.h"
#include "mdg-transport.h"
#include "mdg-pcsc.h"
#include "mdg-memory-transport.h"
#include "mdg-apdu.h"
#include "mdg-ber.h"
#include "mdg-pin.h"
#include "mdg-card.h"
#include "mdg-certificate.h"
#include "mdg-jpki.h"
#include "mdg-text-ap.h"
#include "mdg-card-status.h"
