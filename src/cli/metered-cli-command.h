/* metered-cli-command.h: what every `metered` command shares
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

#include "metered-cli-options.h"

G_BEGIN_DECLS

/* @argv[0] is the command's name; the return value is the exit status. */
typedef int (*MeteredCliCommandFunc) (MeteredCliOptions *options,
                                      int                argc,
                                      char             **argv);

typedef struct {
  const char            *name;
  const char            *parameters;   /* e.g. "CHANNEL [DATA]" */
  const char            *summary;
  const char            *description;  /* nullable; shown after the options */
  gboolean               connects;     /* takes the connection options */
  MeteredCliCommandFunc  run;
} MeteredCliCommand;

gboolean metered_cli_command_parse  (const MeteredCliCommand  *command,
                                     MeteredCliOptions        *options,
                                     const GOptionEntry       *entries,
                                     int                       argc,
                                     char                    **argv,
                                     GStrv                    *arguments,
                                     GError                  **error);
int      metered_cli_command_report (GError                   *error);
gboolean metered_cli_command_usage  (GError                  **error,
                                     const char               *format,
                                     ...) G_GNUC_PRINTF (2, 3);

int metered_cli_sub       (MeteredCliOptions *options, int argc, char **argv);
int metered_cli_pub       (MeteredCliOptions *options, int argc, char **argv);
int metered_cli_send      (MeteredCliOptions *options, int argc, char **argv);
int metered_cli_presence  (MeteredCliOptions *options, int argc, char **argv);
int metered_cli_token     (MeteredCliOptions *options, int argc, char **argv);
int metered_cli_devserver (MeteredCliOptions *options, int argc, char **argv);

const MeteredCliCommand *metered_cli_command_lookup (const char *name);
const MeteredCliCommand *metered_cli_command_list   (guint      *n_commands);

G_END_DECLS
