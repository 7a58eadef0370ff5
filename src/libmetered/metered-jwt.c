/* metered-jwt.c: HS256 JSON Web Tokens as the service uses them (protocol §9.2)
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "metered-jwt"

#include <string.h>

#include "metered-frame-private.h"
#include "metered-jwt.h"

#define HS256_DIGEST_LEN 32

struct _MeteredJwt {
  gatomicrefcount  ref_count;
  char            *algorithm;
  char            *key_id;
  JsonObject      *claims;
  char            *signing_input;   /* "<header>.<payload>", what the HMAC covers */
  GBytes          *signature;
};

G_DEFINE_BOXED_TYPE (MeteredJwt, metered_jwt, metered_jwt_ref, metered_jwt_unref)

/**
 * metered_jwt_error_quark:
 *
 * The quark behind %METERED_JWT_ERROR.
 *
 * Returns: the error domain
 */
G_DEFINE_QUARK (metered-jwt-error-quark, metered_jwt_error)

/* base64url (RFC 4648 §5) without padding. */

static const char base64url_alphabet[] =
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static int
base64url_value (char c)
{
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '-')
    return 62;
  if (c == '_')
    return 63;
  return -1;
}

/**
 * metered_base64url_encode:
 * @data: (array length=len): bytes to encode
 * @len: length of @data
 *
 * Encodes bytes as base64url without padding, as JWTs use it.
 *
 * Returns: (transfer full): the encoded text
 */
char *
metered_base64url_encode (const guint8 *data,
                          gsize         len)
{
  GString *out;
  gsize i;

  g_return_val_if_fail (data != NULL || len == 0, NULL);

  out = g_string_sized_new ((len + 2) / 3 * 4 + 1);

  for (i = 0; i + 2 < len; i += 3)
    {
      guint32 group = ((guint32) data[i] << 16) | ((guint32) data[i + 1] << 8) | data[i + 2];

      g_string_append_c (out, base64url_alphabet[(group >> 18) & 0x3F]);
      g_string_append_c (out, base64url_alphabet[(group >> 12) & 0x3F]);
      g_string_append_c (out, base64url_alphabet[(group >> 6) & 0x3F]);
      g_string_append_c (out, base64url_alphabet[group & 0x3F]);
    }

  if (len - i == 1)
    {
      guint32 group = (guint32) data[i] << 16;

      g_string_append_c (out, base64url_alphabet[(group >> 18) & 0x3F]);
      g_string_append_c (out, base64url_alphabet[(group >> 12) & 0x3F]);
    }
  else if (len - i == 2)
    {
      guint32 group = ((guint32) data[i] << 16) | ((guint32) data[i + 1] << 8);

      g_string_append_c (out, base64url_alphabet[(group >> 18) & 0x3F]);
      g_string_append_c (out, base64url_alphabet[(group >> 12) & 0x3F]);
      g_string_append_c (out, base64url_alphabet[(group >> 6) & 0x3F]);
    }

  return g_string_free (out, FALSE);
}

/**
 * metered_base64url_decode:
 * @text: (array length=text_len) (element-type guint8): base64url text
 *   without padding (ASCII; bindings pass it as bytes)
 * @text_len: length of @text in bytes
 * @out_len: (out): return location for the decoded length
 * @error: return location for a #GError
 *
 * Decodes unpadded base64url strictly: padding, characters outside the
 * alphabet, impossible lengths and non-zero trailing bits all fail with
 * %METERED_JWT_ERROR_MALFORMED, so each byte string has one encoding.
 *
 * Returns: (transfer full) (array length=out_len) (nullable): the decoded
 *   bytes (never %NULL on success, even when empty)
 */
guint8 *
metered_base64url_decode (const char  *text,
                          gsize        text_len,
                          gsize       *out_len,
                          GError     **error)
{
  g_autofree guint8 *out = NULL;
  gsize n = 0;
  guint32 bits = 0;
  guint n_bits = 0;

  g_return_val_if_fail (text != NULL || text_len == 0, NULL);
  g_return_val_if_fail (out_len != NULL, NULL);

  if (text_len % 4 == 1)
    {
      g_set_error_literal (error, METERED_JWT_ERROR, METERED_JWT_ERROR_MALFORMED,
                           "Invalid base64url length");
      return NULL;
    }

  out = g_malloc (text_len / 4 * 3 + 3);

  for (gsize i = 0; i < text_len; i++)
    {
      int value = base64url_value (text[i]);

      if (value < 0)
        {
          g_set_error_literal (error, METERED_JWT_ERROR, METERED_JWT_ERROR_MALFORMED,
                               "Invalid character in base64url text");
          return NULL;
        }

      bits = (bits << 6) | (guint32) value;
      n_bits += 6;
      if (n_bits >= 8)
        {
          n_bits -= 8;
          out[n++] = (guint8) (bits >> n_bits);
          bits &= (1u << n_bits) - 1;
        }
    }

  if (bits != 0)
    {
      g_set_error_literal (error, METERED_JWT_ERROR, METERED_JWT_ERROR_MALFORMED,
                           "Non-canonical base64url text");
      return NULL;
    }

  *out_len = n;
  return g_steal_pointer (&out);
}

static JsonObject *
decode_json_object (const char  *text,
                    gsize        len,
                    const char  *what,
                    GError     **error)
{
  g_autofree guint8 *bytes = NULL;
  g_autoptr(JsonNode) node = NULL;
  gsize bytes_len;

  bytes = metered_base64url_decode (text, len, &bytes_len, NULL);
  if (bytes == NULL)
    {
      g_set_error (error, METERED_JWT_ERROR, METERED_JWT_ERROR_MALFORMED,
                   "Token %s is not valid base64url", what);
      return NULL;
    }

  node = metered_json_parse_untrusted ((const char *) bytes, (gssize) bytes_len, NULL);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, METERED_JWT_ERROR, METERED_JWT_ERROR_MALFORMED,
                   "Token %s is not a JSON object", what);
      return NULL;
    }

  return json_object_ref (json_node_get_object (node));
}

static const char *
member_string (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

/**
 * metered_jwt_parse:
 * @token: a compact JWT
 * @error: return location for a #GError
 *
 * Splits and decodes a token without checking its signature (see
 * metered_jwt_verify()). The token must be three base64url parts, the first
 * two JSON objects, with a string `alg` and a non-empty string `kid` in the
 * header; anything else fails with %METERED_JWT_ERROR_MALFORMED. Error
 * messages never quote the token.
 *
 * Returns: (transfer full) (nullable): the parsed token
 */
MeteredJwt *
metered_jwt_parse (const char  *token,
                   GError     **error)
{
  g_autoptr(MeteredJwt) self = NULL;
  g_autoptr(JsonObject) header = NULL;
  g_autofree guint8 *signature = NULL;
  const char *first_dot;
  const char *second_dot;
  const char *algorithm;
  const char *key_id;
  gsize signature_len;

  g_return_val_if_fail (token != NULL, NULL);

  first_dot = strchr (token, '.');
  second_dot = first_dot != NULL ? strchr (first_dot + 1, '.') : NULL;
  if (second_dot == NULL || strchr (second_dot + 1, '.') != NULL)
    {
      g_set_error_literal (error, METERED_JWT_ERROR, METERED_JWT_ERROR_MALFORMED,
                           "Token is not three dot-separated parts");
      return NULL;
    }

  header = decode_json_object (token, (gsize) (first_dot - token), "header", error);
  if (header == NULL)
    return NULL;

  self = g_new0 (MeteredJwt, 1);
  g_atomic_ref_count_init (&self->ref_count);

  self->claims = decode_json_object (first_dot + 1, (gsize) (second_dot - first_dot - 1),
                                     "payload", error);
  if (self->claims == NULL)
    return NULL;

  signature = metered_base64url_decode (second_dot + 1, strlen (second_dot + 1),
                                        &signature_len, NULL);
  if (signature == NULL)
    {
      g_set_error_literal (error, METERED_JWT_ERROR, METERED_JWT_ERROR_MALFORMED,
                           "Token signature is not valid base64url");
      return NULL;
    }

  algorithm = member_string (header, "alg");
  if (algorithm == NULL)
    {
      g_set_error_literal (error, METERED_JWT_ERROR, METERED_JWT_ERROR_MALFORMED,
                           "Token header has no alg string");
      return NULL;
    }

  key_id = member_string (header, "kid");
  if (key_id == NULL || key_id[0] == '\0')
    {
      g_set_error_literal (error, METERED_JWT_ERROR, METERED_JWT_ERROR_MALFORMED,
                           "Token header has no kid string");
      return NULL;
    }

  self->algorithm = g_strdup (algorithm);
  self->key_id = g_strdup (key_id);
  self->signing_input = g_strndup (token, (gsize) (second_dot - token));
  self->signature = g_bytes_new_take (g_steal_pointer (&signature), signature_len);

  return g_steal_pointer (&self);
}

/**
 * metered_jwt_ref:
 * @self: a #MeteredJwt
 *
 * Takes a reference; the token is immutable, so holders can share it.
 *
 * Returns: (transfer full): @self
 */
MeteredJwt *
metered_jwt_ref (MeteredJwt *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

/**
 * metered_jwt_unref:
 * @self: (transfer full): a #MeteredJwt
 *
 * Drops a reference, freeing the token when it was the last.
 */
void
metered_jwt_unref (MeteredJwt *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  g_free (self->algorithm);
  g_free (self->key_id);
  g_clear_pointer (&self->claims, json_object_unref);
  g_free (self->signing_input);
  g_clear_pointer (&self->signature, g_bytes_unref);
  g_free (self);
}

/**
 * metered_jwt_get_algorithm:
 * @self: a #MeteredJwt
 *
 * Gives the signing algorithm the header claims. Only `HS256` verifies;
 * the value is exposed so a refusal can say what was offered.
 *
 * Returns: the header's `alg`, as sent (not yet checked)
 */
const char *
metered_jwt_get_algorithm (MeteredJwt *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->algorithm;
}

/**
 * metered_jwt_get_key_id:
 * @self: a #MeteredJwt
 *
 * Gives the `kid`, which names the key whose secret verifies the token.
 *
 * Returns: the header's `kid`
 */
const char *
metered_jwt_get_key_id (MeteredJwt *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->key_id;
}

/**
 * metered_jwt_get_claims:
 * @self: a #MeteredJwt
 *
 * Gives the payload. Its contents are untrusted until metered_jwt_verify()
 * succeeds.
 *
 * Returns: (transfer none): the claims object
 */
JsonObject *
metered_jwt_get_claims (MeteredJwt *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->claims;
}

static void
hs256 (const char *secret,
       const char *input,
       guint8      digest[HS256_DIGEST_LEN])
{
  g_autoptr(GHmac) hmac = g_hmac_new (G_CHECKSUM_SHA256, (const guchar *) secret, strlen (secret));
  gsize len = HS256_DIGEST_LEN;

  g_hmac_update (hmac, (const guchar *) input, -1);
  g_hmac_get_digest (hmac, digest, &len);
}

/* Compares in time independent of where the first difference is, so the
 * comparison does not leak how much of a forged signature was right. */
static gboolean
equal_constant_time (const guint8 *a,
                     const guint8 *b,
                     gsize         len)
{
  guint8 diff = 0;

  for (gsize i = 0; i < len; i++)
    diff |= a[i] ^ b[i];

  return diff == 0;
}

/* Reads an optional numeric time claim: FALSE if present but not a number. */
static gboolean
get_time_claim (JsonObject *claims,
                const char *name,
                gboolean   *present,
                double     *value)
{
  JsonNode *node = json_object_get_member (claims, name);
  GType type;

  *present = node != NULL;
  if (node == NULL)
    return TRUE;

  if (!JSON_NODE_HOLDS_VALUE (node))
    return FALSE;

  type = json_node_get_value_type (node);
  if (type == G_TYPE_INT64)
    *value = (double) json_node_get_int (node);
  else if (type == G_TYPE_DOUBLE)
    *value = json_node_get_double (node);
  else
    return FALSE;

  return TRUE;
}

/**
 * metered_jwt_verify:
 * @self: a #MeteredJwt
 * @secret: the signing secret of the key named by the `kid`
 * @now_unix: the current time, in Unix seconds
 * @error: return location for a #GError
 *
 * Checks that the token is HS256, that the signature matches @secret
 * (compared in constant time), and that `exp` (if present) is after
 * @now_unix and `nbf` (if present) not after it. Error messages never quote
 * the token or the secret.
 *
 * Returns: %TRUE if the token is valid at @now_unix
 */
gboolean
metered_jwt_verify (MeteredJwt  *self,
                    const char  *secret,
                    gint64       now_unix,
                    GError     **error)
{
  guint8 expected[HS256_DIGEST_LEN];
  const guint8 *actual;
  gsize actual_len;
  gboolean present;
  double value = 0;
  gboolean matches;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (secret != NULL, FALSE);

  if (!g_str_equal (self->algorithm, "HS256"))
    {
      g_set_error_literal (error, METERED_JWT_ERROR, METERED_JWT_ERROR_UNSUPPORTED_ALGORITHM,
                           "Only HS256 tokens are accepted");
      return FALSE;
    }

  hs256 (secret, self->signing_input, expected);
  actual = g_bytes_get_data (self->signature, &actual_len);
  matches = actual_len == HS256_DIGEST_LEN && equal_constant_time (expected, actual, actual_len);
  memset (expected, 0, sizeof expected);

  if (!matches)
    {
      g_set_error_literal (error, METERED_JWT_ERROR, METERED_JWT_ERROR_BAD_SIGNATURE,
                           "Token signature does not match");
      return FALSE;
    }

  if (!get_time_claim (self->claims, "exp", &present, &value))
    {
      g_set_error_literal (error, METERED_JWT_ERROR, METERED_JWT_ERROR_INVALID_CLAIMS,
                           "Token exp claim is not a number");
      return FALSE;
    }
  if (present && value <= (double) now_unix)
    {
      g_set_error_literal (error, METERED_JWT_ERROR, METERED_JWT_ERROR_EXPIRED,
                           "Token has expired");
      return FALSE;
    }

  if (!get_time_claim (self->claims, "nbf", &present, &value))
    {
      g_set_error_literal (error, METERED_JWT_ERROR, METERED_JWT_ERROR_INVALID_CLAIMS,
                           "Token nbf claim is not a number");
      return FALSE;
    }
  if (present && value > (double) now_unix)
    {
      g_set_error_literal (error, METERED_JWT_ERROR, METERED_JWT_ERROR_NOT_YET_VALID,
                           "Token is not valid yet");
      return FALSE;
    }

  return TRUE;
}

/**
 * metered_jwt_sign:
 * @key_id: the `kid` to put in the header
 * @secret: the signing secret
 * @claims: the payload
 *
 * Mints an HS256 token with the header
 * `{"alg":"HS256","typ":"JWT","kid":<key_id>}`.
 *
 * Returns: (transfer full): the compact token
 */
char *
metered_jwt_sign (const char *key_id,
                  const char *secret,
                  JsonObject *claims)
{
  g_autoptr(GString) header = NULL;
  g_autoptr(GString) payload = NULL;
  g_autoptr(JsonNode) claims_node = NULL;
  g_autofree char *header_b64 = NULL;
  g_autofree char *payload_b64 = NULL;
  g_autofree char *signature_b64 = NULL;
  g_autofree char *signing_input = NULL;
  guint8 digest[HS256_DIGEST_LEN];

  g_return_val_if_fail (key_id != NULL, NULL);
  g_return_val_if_fail (secret != NULL, NULL);
  g_return_val_if_fail (claims != NULL, NULL);

  header = g_string_new ("{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":");
  metered_json_append_string (header, key_id);
  g_string_append_c (header, '}');

  claims_node = json_node_init_object (json_node_alloc (), claims);
  payload = g_string_new (NULL);
  metered_json_append_node (payload, claims_node);

  header_b64 = metered_base64url_encode ((const guint8 *) header->str, header->len);
  payload_b64 = metered_base64url_encode ((const guint8 *) payload->str, payload->len);
  signing_input = g_strconcat (header_b64, ".", payload_b64, NULL);

  hs256 (secret, signing_input, digest);
  signature_b64 = metered_base64url_encode (digest, sizeof digest);

  return g_strconcat (signing_input, ".", signature_b64, NULL);
}
