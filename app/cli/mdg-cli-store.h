/* mdg-cli-store.h: what every command that touches the encrypted store
 * shares
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "mdg-cli.h"
#include "mdg-store.h"

G_BEGIN_DECLS

typedef struct
{
  char *profile;
  gint  passphrase_fd;
} MdgCliStoreOptions;

void        mdg_cli_store_options_clear (MdgCliStoreOptions *options);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (MdgCliStoreOptions, mdg_cli_store_options_clear)

/* --profile, or the default profile in the user's data directory. */
const char *mdg_cli_store_profile_dir   (MdgCliStoreOptions *options);
/* Parses @entries plus --profile and --passphrase-fd; @n_args positional
 * arguments are required. Returns an exit code. */
int         mdg_cli_store_parse         (const char *usage,
                                         const char *summary,
                                         GOptionEntry *entries,
                                         MdgCliStoreOptions *options,
                                         int *argc,
                                         char ***argv,
                                         int n_args);
/* Unlocks the profile's data key, creating it on first use with @create
 * (the keyring when there is one, else a passphrase), and opens the store. */
MdgStore   *mdg_cli_store_open          (MdgCliStoreOptions *options,
                                         gboolean create,
                                         GError **error);
/* For the list commands: parses, then opens the store if it exists.
 * Returns the exit code; *@store_out stays NULL on failure and, with exit
 * code 0, when the profile has no data key yet (nothing to list). */
int         mdg_cli_store_open_to_list  (const char *usage,
                                         MdgCliStoreOptions *options,
                                         int *argc,
                                         char ***argv,
                                         MdgStore **store_out);
/* A time for lists, in the local zone: "2026-11-23 10:00". */
char       *mdg_cli_format_time         (gint64 unix_seconds);
/* Runs the subcommand named by argv[1] among @commands. */
int         mdg_cli_run_subcommand      (const MdgCliGlobal *global,
                                         int argc,
                                         char **argv,
                                         const char *word,
                                         const MdgCliCommand *commands,
                                         guint n_commands);

G_END_DECLS
