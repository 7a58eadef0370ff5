/* metered-cli-input.h: reading JSON payloads from stdin
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* No server accepts a bigger payload (the local server's cap is 16 MiB),
 * so there is no point reading a bigger line or file into memory. */
#define METERED_CLI_INPUT_MAX_BYTES (16 * 1024 * 1024)

#define METERED_TYPE_CLI_LINE_READER (metered_cli_line_reader_get_type ())

G_DECLARE_FINAL_TYPE (MeteredCliLineReader, metered_cli_line_reader, METERED, CLI_LINE_READER, GObject)

MeteredCliLineReader *metered_cli_line_reader_new              (GInputStream          *stream);
void                  metered_cli_line_reader_read_line_async  (MeteredCliLineReader  *self,
                                                                GCancellable          *cancellable,
                                                                GAsyncReadyCallback    callback,
                                                                gpointer               user_data);
char                 *metered_cli_line_reader_read_line_finish (MeteredCliLineReader  *self,
                                                                GAsyncResult          *result,
                                                                guint                 *line_number,
                                                                GError               **error);

char                 *metered_cli_input_read_all               (GInputStream          *stream,
                                                                GError               **error);

G_END_DECLS
