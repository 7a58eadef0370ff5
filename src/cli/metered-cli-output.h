/* metered-cli-output.h: client events as JSON lines on stdout
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

gboolean metered_cli_output_print_event (GObject  *event,
                                         gboolean  pretty);

G_END_DECLS
