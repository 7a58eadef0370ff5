/* fuzz-jwt.c: the JWT parser and verifier, and base64url
 *
 * The input is tried three ways: as a compact token (parse, verify, then
 * re-sign its claims and check the signed token verifies as the claims
 * say it should), as a claims object to sign, and as base64url text
 * (strict: whatever decodes encodes back to the same text).
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "fuzz-jwt"

#include <string.h>

#include "metered-frame-private.h"
#include "metered-jwt.h"
#include "fuzz-common.h"

#define FUZZ_KEY_ID "sk_id_fuzz"
#define FUZZ_SECRET "sk_secret_fuzz_9f2c41"
#define FUZZ_NOW    G_GINT64_CONSTANT (1700000000)

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init ();
  return 0;
}

static void
check_error (const GError *error,
             const char   *token)
{
  g_assert_nonnull (error);
  g_assert_true (error->domain == METERED_JWT_ERROR);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  g_assert_null (strstr (error->message, FUZZ_SECRET));

  /* No message has a '.', so one holding such a token would quote it. */
  if (token != NULL && strchr (token, '.') != NULL)
    g_assert_null (strstr (error->message, token));
}

/* What metered_jwt_verify() must answer for a correctly signed token. */
static int
expected_verdict (JsonObject *claims)
{
  const char *names[] = { "exp", "nbf" };

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      JsonNode *node = json_object_get_member (claims, names[i]);
      double value;

      if (node == NULL)
        continue;
      if (!JSON_NODE_HOLDS_VALUE (node))
        return METERED_JWT_ERROR_INVALID_CLAIMS;
      if (json_node_get_value_type (node) == G_TYPE_INT64)
        value = (double) json_node_get_int (node);
      else if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
        value = json_node_get_double (node);
      else
        return METERED_JWT_ERROR_INVALID_CLAIMS;

      if (i == 0 && value <= (double) FUZZ_NOW)
        return METERED_JWT_ERROR_EXPIRED;
      if (i == 1 && value > (double) FUZZ_NOW)
        return METERED_JWT_ERROR_NOT_YET_VALID;
    }

  return -1;
}

/* Signs @claims, reads the token back and verifies it. */
static void
check_sign_round_trip (const char *key_id,
                       JsonObject *claims)
{
  g_autofree char *token = metered_jwt_sign (key_id, FUZZ_SECRET, claims);
  g_autoptr(MeteredJwt) jwt = NULL;
  g_autoptr(GError) error = NULL;
  int expected = expected_verdict (claims);

  g_assert_nonnull (token);
  jwt = metered_jwt_parse (token, &error);
  if (jwt == NULL)
    g_error ("a token made by metered_jwt_sign() does not parse: %s", error->message);

  g_assert_cmpstr (metered_jwt_get_algorithm (jwt), ==, "HS256");
  g_assert_cmpstr (metered_jwt_get_key_id (jwt), ==, key_id);
  g_assert_true (json_object_equal (metered_jwt_get_claims (jwt), claims));

  if (metered_jwt_verify (jwt, FUZZ_SECRET, FUZZ_NOW, &error))
    {
      g_assert_cmpint (expected, ==, -1);
    }
  else
    {
      check_error (error, token);
      g_assert_cmpint (error->code, ==, expected);
    }

  /* Any other secret fails the signature, before any claim is read. */
  g_clear_error (&error);
  g_assert_false (metered_jwt_verify (jwt, FUZZ_SECRET "x", FUZZ_NOW, &error));
  g_assert_error (error, METERED_JWT_ERROR, METERED_JWT_ERROR_BAD_SIGNATURE);
}

static void
fuzz_token (const char *text)
{
  g_autoptr(MeteredJwt) jwt = NULL;
  g_autoptr(GError) error = NULL;
  const char *key_id;

  jwt = metered_jwt_parse (text, &error);
  if (jwt == NULL)
    {
      check_error (error, text);
      g_assert_cmpint (error->code, ==, METERED_JWT_ERROR_MALFORMED);
      return;
    }

  key_id = metered_jwt_get_key_id (jwt);
  g_assert_nonnull (metered_jwt_get_algorithm (jwt));
  g_assert_nonnull (key_id);
  g_assert_cmpstr (key_id, !=, "");
  g_assert_nonnull (metered_jwt_get_claims (jwt));

  /* A token signed with the fuzz secret (the seeds) may verify; anything
   * else must fail without quoting the token or the secret. */
  if (!metered_jwt_verify (jwt, FUZZ_SECRET, FUZZ_NOW, &error))
    check_error (error, text);

  check_sign_round_trip (key_id, metered_jwt_get_claims (jwt));
}

static void
fuzz_claims (const char *text,
             gsize       len)
{
  g_autoptr(JsonNode) node = metered_json_parse_untrusted (text, (gssize) len, NULL);

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return;

  check_sign_round_trip (FUZZ_KEY_ID, json_node_get_object (node));
}

static void
fuzz_base64url (const guint8 *data,
                gsize         size)
{
  g_autofree char *encoded = metered_base64url_encode (data, size);
  g_autofree guint8 *decoded = NULL;
  g_autofree guint8 *bytes = NULL;
  g_autoptr(GError) error = NULL;
  gsize decoded_len = 0;
  gsize bytes_len = 0;

  /* Encoding always decodes back. */
  decoded = metered_base64url_decode (encoded, strlen (encoded), &decoded_len, &error);
  g_assert_no_error (error);
  g_assert_nonnull (decoded);
  g_assert_cmpmem (decoded, decoded_len, data, size);

  /* Decoding is strict: one encoding per byte string. */
  bytes = metered_base64url_decode ((const char *) data, size, &bytes_len, &error);
  if (bytes == NULL)
    {
      check_error (error, NULL);
      g_assert_cmpint (error->code, ==, METERED_JWT_ERROR_MALFORMED);
    }
  else
    {
      g_autofree char *again = metered_base64url_encode (bytes, bytes_len);

      g_assert_cmpmem (again, strlen (again), data, size);
    }
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autofree char *text = fuzz_dup_input (data, size);

  fuzz_token (text);
  fuzz_claims (text, size);
  fuzz_base64url (data, size);

  return 0;
}
