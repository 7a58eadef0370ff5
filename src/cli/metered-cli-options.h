/* metered-cli-options.h: the connection and output options every command shares
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  METERED_CLI_CREDENTIAL_NONE,
  METERED_CLI_CREDENTIAL_API_KEY,
  METERED_CLI_CREDENTIAL_TOKEN,
  METERED_CLI_CREDENTIAL_TOKEN_COMMAND,
} MeteredCliCredential;

typedef struct {
  char                 *url;
  char                 *api_key;
  char                 *token;
  char                 *token_command;
  gboolean              pretty;
  gboolean              verbose;
  /* Set by metered_cli_options_resolve(). */
  MeteredCliCredential  credential;
} MeteredCliOptions;

void     metered_cli_options_add_entries (MeteredCliOptions *self,
                                          GOptionContext    *context);
void     metered_cli_options_merge       (MeteredCliOptions *self,
                                          MeteredCliOptions *later);
gboolean metered_cli_options_resolve     (MeteredCliOptions *self,
                                          GError           **error);
void     metered_cli_options_clear       (MeteredCliOptions *self);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (MeteredCliOptions, metered_cli_options_clear)

G_END_DECLS
