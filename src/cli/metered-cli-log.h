/* metered-cli-log.h: everything the CLI writes to stderr, with secrets scrubbed
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void     metered_cli_log_init        (void);
void     metered_cli_log_set_verbose (gboolean    verbose);
void     metered_cli_log_add_secret  (const char *secret);
void     metered_cli_log_error       (const char *format,
                                      ...) G_GNUC_PRINTF (1, 2);
void     metered_cli_log_warning     (const char *format,
                                      ...) G_GNUC_PRINTF (1, 2);

G_END_DECLS
