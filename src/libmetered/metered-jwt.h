/* metered-jwt.h: HS256 JSON Web Tokens as the service uses them (protocol §9.2)
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined(METERED_INSIDE) && !defined(METERED_COMPILATION)
# error "Only <metered.h> can be included directly."
#endif

#include <json-glib/json-glib.h>

#include "metered-version-macros.h"

G_BEGIN_DECLS

/**
 * METERED_JWT_ERROR:
 *
 * Error domain for token parsing and verification. Codes are #MeteredJwtError.
 */
#define METERED_JWT_ERROR (metered_jwt_error_quark ())

/**
 * MeteredJwtError:
 * @METERED_JWT_ERROR_MALFORMED: not three base64url parts of JSON objects, or no `kid`
 * @METERED_JWT_ERROR_UNSUPPORTED_ALGORITHM: `alg` is not `HS256`
 * @METERED_JWT_ERROR_BAD_SIGNATURE: the signature does not match the secret
 * @METERED_JWT_ERROR_EXPIRED: `exp` is not in the future
 * @METERED_JWT_ERROR_NOT_YET_VALID: `nbf` is in the future
 * @METERED_JWT_ERROR_INVALID_CLAIMS: a claim has the wrong type (e.g. `exp` not a number)
 *
 * Why a token was refused.
 */
typedef enum {
  METERED_JWT_ERROR_MALFORMED,
  METERED_JWT_ERROR_UNSUPPORTED_ALGORITHM,
  METERED_JWT_ERROR_BAD_SIGNATURE,
  METERED_JWT_ERROR_EXPIRED,
  METERED_JWT_ERROR_NOT_YET_VALID,
  METERED_JWT_ERROR_INVALID_CLAIMS,
} MeteredJwtError;

#define METERED_TYPE_JWT (metered_jwt_get_type ())

/**
 * MeteredJwt:
 *
 * A parsed compact JWT: the header's `alg` and `kid` and the claims, kept
 * with the signed bytes so that metered_jwt_verify() can check the
 * signature later. Parsing alone proves nothing about who made the token.
 */
typedef struct _MeteredJwt MeteredJwt;

METERED_AVAILABLE_IN_ALL
GQuark       metered_jwt_error_quark    (void);
METERED_AVAILABLE_IN_ALL
GType        metered_jwt_get_type       (void) G_GNUC_CONST;
METERED_AVAILABLE_IN_ALL
MeteredJwt  *metered_jwt_parse          (const char        *token,
                                         GError           **error);
METERED_AVAILABLE_IN_ALL
MeteredJwt  *metered_jwt_ref            (MeteredJwt        *self);
METERED_AVAILABLE_IN_ALL
void         metered_jwt_unref          (MeteredJwt        *self);
METERED_AVAILABLE_IN_ALL
const char  *metered_jwt_get_algorithm  (MeteredJwt        *self);
METERED_AVAILABLE_IN_ALL
const char  *metered_jwt_get_key_id     (MeteredJwt        *self);
METERED_AVAILABLE_IN_ALL
JsonObject  *metered_jwt_get_claims     (MeteredJwt        *self);
METERED_AVAILABLE_IN_ALL
gboolean     metered_jwt_verify         (MeteredJwt        *self,
                                         const char        *secret,
                                         gint64             now_unix,
                                         GError           **error);
METERED_AVAILABLE_IN_ALL
char        *metered_jwt_sign           (const char        *key_id,
                                         const char        *secret,
                                         JsonObject        *claims);
METERED_AVAILABLE_IN_ALL
char        *metered_base64url_encode   (const guint8      *data,
                                         gsize              len);
METERED_AVAILABLE_IN_ALL
guint8      *metered_base64url_decode   (const char        *text,
                                         gsize              text_len,
                                         gsize             *out_len,
                                         GError           **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MeteredJwt, metered_jwt_unref)

G_END_DECLS
