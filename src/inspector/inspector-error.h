/* inspector-error.h: errors the inspector raises itself
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define INSPECTOR_ERROR (inspector_error_quark ())

typedef enum {
  INSPECTOR_ERROR_INVALID_OPTION,  /* a connection setting is wrong; the message names it */
  INSPECTOR_ERROR_INVALID_JSON,    /* a payload is not JSON */
  INSPECTOR_ERROR_DUPLICATE,       /* already subscribed */
  INSPECTOR_ERROR_SANDBOX,         /* the local sandbox could not start */
} InspectorError;

GQuark inspector_error_quark (void);

G_END_DECLS
