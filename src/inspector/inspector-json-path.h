/* inspector-json-path.h: paths like `a.b[2].c` into JSON payloads, and the
 * numbers at their ends
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* As deep as libmetered lets a payload nest. */
#define INSPECTOR_JSON_PATH_MAX_DEPTH  64
/* Bytes of path text. */
#define INSPECTOR_JSON_PATH_MAX_LENGTH 1024

#define INSPECTOR_JSON_PATH_ERROR (inspector_json_path_error_quark ())

typedef enum {
  INSPECTOR_JSON_PATH_ERROR_INVALID_PATH,  /* the path text does not parse */
  INSPECTOR_JSON_PATH_ERROR_INVALID_JSON,  /* the payload is not JSON where the path led */
  INSPECTOR_JSON_PATH_ERROR_NOT_FOUND,     /* the payload has nothing at the path */
  INSPECTOR_JSON_PATH_ERROR_NOT_A_NUMBER,  /* there is a value, but not a number */
} InspectorJsonPathError;

typedef struct _InspectorJsonPath InspectorJsonPath;

GQuark             inspector_json_path_error_quark    (void);

InspectorJsonPath *inspector_json_path_parse          (const char               *text,
                                                       GError                  **error);
void               inspector_json_path_free           (InspectorJsonPath        *self);
const char        *inspector_json_path_to_string      (const InspectorJsonPath  *self);
guint              inspector_json_path_get_n_segments (const InspectorJsonPath  *self);
const char        *inspector_json_path_get_segment    (const InspectorJsonPath  *self,
                                                       guint                     i,
                                                       guint                    *index);
gboolean           inspector_json_path_extract_number (const InspectorJsonPath  *self,
                                                       const char               *json,
                                                       gsize                     len,
                                                       double                   *value,
                                                       GError                  **error);

gboolean           inspector_json_number_from_text    (const char               *text,
                                                       gsize                     len,
                                                       double                   *value);
GPtrArray         *inspector_json_path_list_numeric   (JsonNode                 *root,
                                                       guint                     max_paths);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (InspectorJsonPath, inspector_json_path_free)

G_END_DECLS
