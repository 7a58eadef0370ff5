/* fuzz-common.h: what every fuzz target shares
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* libFuzzer's entry points, declared here so -Wmissing-prototypes holds. */
int LLVMFuzzerInitialize   (int           *argc,
                            char        ***argv);
int LLVMFuzzerTestOneInput (const guint8  *data,
                            size_t         size);

/* Quiet logging, with warnings and criticals (failed preconditions) fatal,
 * so that libFuzzer reports them as crashes. */
void      fuzz_init                  (void);

/* A NUL-terminated copy of the input; embedded NULs stay (strlen() sees
 * only the part before the first). */
char     *fuzz_dup_input             (const guint8 *data,
                                      gsize         size);

/* Compact JSON text of @node / @object as the codec writes it. */
char     *fuzz_node_to_text          (JsonNode     *node);
char     *fuzz_object_to_text        (JsonObject   *object);
gboolean  fuzz_objects_equal         (JsonObject   *a,
                                      JsonObject   *b);

/* Parses @text with metered_json_parse_untrusted() and, when it is
 * accepted, checks that writing it out and reading that back gives an
 * equal document and the same text again. Returns the parsed node. */
JsonNode *fuzz_check_json_round_trip (const char   *text,
                                      gsize         len);

/* TRUE if @text (valid UTF-8) holds U+0000–U+001F or U+007F–U+009F. */
gboolean  fuzz_has_control_char      (const char   *text);

G_END_DECLS
