/* metered-cli-token-command.h: a token provider that runs a shell command
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "metered.h"

G_BEGIN_DECLS

/* A MeteredTokenProviderFunc; @user_data is the command line (a string). */
void metered_cli_token_command_provide (MeteredClient       *client,
                                        MeteredTokenRequest *request,
                                        gpointer             user_data);

G_END_DECLS
