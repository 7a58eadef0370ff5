/* test-jwt.c: HS256 tokens and base64url
 *
 * SPDX-License-Identifier: MIT
 */

#include <string.h>

#include "metered-jwt.h"

#define NOW 1800000000
#define SECRET "sk_secret_test"
#define HEADER_HS256 "{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"sk_id_test\"}"

/* Computed independently with Node's crypto.createHmac ("sha256", ...) over
 * JSON.stringify output:
 *   header  {"alg":"HS256","typ":"JWT","kid":"sk_id_test"}
 *   payload {"sub":"alice","exp":2000000000,"channels":["app_abc/<star>","tasks/<star><star>"],
 *            "metadata":{"name":"Alé \"x\""}}   (<star> being an asterisk)
 *   secret  sk_secret_test */
static const char known_token[] =
  "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6InNrX2lkX3Rlc3QifQ."
  "eyJzdWIiOiJhbGljZSIsImV4cCI6MjAwMDAwMDAwMCwiY2hhbm5lbHMiOlsiYXBwX2FiYy8qIiwidGFza3MvKioiXSwibWV0YWRhdGEiOnsibmFtZSI6IkFsw6kgXCJ4XCIifX0."
  "AiK9cSSlURB0VAexRSWtwr1wQCGloVLoNVpPURa5gnA";

/* Same tool: header members in another order, nbf, a fractional exp
 * (1700003600.5), secret "another secret". */
static const char known_token_2[] =
  "eyJ0eXAiOiJKV1QiLCJraWQiOiJza19pZF9vdGhlciIsImFsZyI6IkhTMjU2In0."
  "eyJzdWIiOiJib2IiLCJuYmYiOjE3MDAwMDAwMDAsImV4cCI6MTcwMDAwMzYwMC41fQ."
  "WyAhyZqMq1p_oofQq5nLOYo0aKLACYIOZEx2Te9ovnA";

static char *
b64 (const char *text)
{
  return metered_base64url_encode ((const guint8 *) text, strlen (text));
}

/* Builds a token with arbitrary header and payload text, signed with HS256
 * whatever the header says, to reach every verification branch. */
static char *
make_token (const char *header_json,
            const char *payload_json,
            const char *secret)
{
  g_autofree char *header = b64 (header_json);
  g_autofree char *payload = b64 (payload_json);
  g_autofree char *input = g_strconcat (header, ".", payload, NULL);
  g_autofree char *signature = NULL;
  g_autoptr(GHmac) hmac = g_hmac_new (G_CHECKSUM_SHA256, (const guchar *) secret, strlen (secret));
  guint8 digest[32];
  gsize len = sizeof digest;

  g_hmac_update (hmac, (const guchar *) input, -1);
  g_hmac_get_digest (hmac, digest, &len);
  signature = metered_base64url_encode (digest, len);

  return g_strconcat (input, ".", signature, NULL);
}

static void
assert_no_secrets (const GError *error,
                   const char   *token)
{
  g_auto(GStrv) parts = g_strsplit (token, ".", -1);

  g_assert_null (strstr (error->message, SECRET));
  for (guint i = 0; parts[i] != NULL; i++)
    {
      if (strlen (parts[i]) >= 4)
        g_assert_null (strstr (error->message, parts[i]));
    }
}

static void
assert_verify_fails (const char *token,
                     const char *secret,
                     gint64      now,
                     int         code)
{
  g_autoptr(MeteredJwt) jwt = NULL;
  g_autoptr(GError) error = NULL;

  jwt = metered_jwt_parse (token, &error);
  g_assert_no_error (error);
  g_assert_false (metered_jwt_verify (jwt, secret, now, &error));
  g_assert_error (error, METERED_JWT_ERROR, code);
  assert_no_secrets (error, token);
}

static void
assert_parse_fails (const char *token)
{
  g_autoptr(MeteredJwt) jwt = NULL;
  g_autoptr(GError) error = NULL;

  jwt = metered_jwt_parse (token, &error);
  g_assert_null (jwt);
  g_assert_error (error, METERED_JWT_ERROR, METERED_JWT_ERROR_MALFORMED);
  assert_no_secrets (error, token);
}

static void
test_known_answer (void)
{
  g_autoptr(MeteredJwt) jwt = NULL;
  g_autoptr(MeteredJwt) jwt2 = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) claims = NULL;
  g_autoptr(JsonArray) channels = NULL;
  g_autoptr(JsonObject) metadata = NULL;
  g_autofree char *signed_token = NULL;
  JsonObject *parsed;

  jwt = metered_jwt_parse (known_token, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (metered_jwt_get_algorithm (jwt), ==, "HS256");
  g_assert_cmpstr (metered_jwt_get_key_id (jwt), ==, "sk_id_test");
  parsed = metered_jwt_get_claims (jwt);
  g_assert_cmpstr (json_object_get_string_member (parsed, "sub"), ==, "alice");
  g_assert_cmpint (json_object_get_int_member (parsed, "exp"), ==, 2000000000);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (parsed, "metadata"), "name"),
                   ==, "Al\xc3\xa9 \"x\"");
  g_assert_true (metered_jwt_verify (jwt, SECRET, NOW, &error));
  g_assert_no_error (error);

  jwt2 = metered_jwt_parse (known_token_2, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (metered_jwt_get_key_id (jwt2), ==, "sk_id_other");
  g_assert_true (metered_jwt_verify (jwt2, "another secret", 1700000000, &error));
  g_assert_true (metered_jwt_verify (jwt2, "another secret", 1700003600, &error));
  g_assert_no_error (error);
  g_assert_false (metered_jwt_verify (jwt2, "another secret", 1700003601, &error));
  g_assert_error (error, METERED_JWT_ERROR, METERED_JWT_ERROR_EXPIRED);
  g_clear_error (&error);
  g_assert_false (metered_jwt_verify (jwt2, "another secret", 1699999999, &error));
  g_assert_error (error, METERED_JWT_ERROR, METERED_JWT_ERROR_NOT_YET_VALID);
  g_clear_error (&error);

  /* Signing the same claims gives Node's token byte for byte. */
  claims = json_object_new ();
  json_object_set_string_member (claims, "sub", "alice");
  json_object_set_int_member (claims, "exp", 2000000000);
  channels = json_array_new ();
  json_array_add_string_element (channels, "app_abc/*");
  json_array_add_string_element (channels, "tasks/**");
  json_object_set_array_member (claims, "channels", g_steal_pointer (&channels));
  metadata = json_object_new ();
  json_object_set_string_member (metadata, "name", "Al\xc3\xa9 \"x\"");
  json_object_set_object_member (claims, "metadata", g_steal_pointer (&metadata));

  signed_token = metered_jwt_sign ("sk_id_test", SECRET, claims);
  g_assert_cmpstr (signed_token, ==, known_token);
}

static void
test_round_trip (void)
{
  g_autoptr(JsonObject) claims = json_object_new ();
  g_autoptr(MeteredJwt) jwt = NULL;
  g_autoptr(MeteredJwt) ref = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;

  json_object_set_string_member (claims, "sub", "u_bob_456");
  json_object_set_int_member (claims, "exp", NOW + 60);
  json_object_set_int_member (claims, "nbf", NOW - 60);

  token = metered_jwt_sign ("sk_id_rt", "s3cret", claims);
  jwt = metered_jwt_parse (token, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (metered_jwt_get_key_id (jwt), ==, "sk_id_rt");
  g_assert_cmpstr (json_object_get_string_member (metered_jwt_get_claims (jwt), "sub"), ==, "u_bob_456");
  g_assert_true (metered_jwt_verify (jwt, "s3cret", NOW, &error));
  g_assert_no_error (error);

  /* exp is exclusive, nbf inclusive. */
  g_assert_true (metered_jwt_verify (jwt, "s3cret", NOW + 59, NULL));
  g_assert_false (metered_jwt_verify (jwt, "s3cret", NOW + 60, NULL));
  g_assert_true (metered_jwt_verify (jwt, "s3cret", NOW - 60, NULL));
  g_assert_false (metered_jwt_verify (jwt, "s3cret", NOW - 61, NULL));

  ref = metered_jwt_ref (jwt);
  g_assert_true (ref == jwt);
  g_assert_true (G_TYPE_IS_BOXED (METERED_TYPE_JWT));
}

static void
test_tampered (void)
{
  g_autofree char *payload = b64 ("{\"sub\":\"mallory\",\"exp\":2000000000}");
  g_auto(GStrv) parts = g_strsplit (known_token, ".", 3);
  g_autofree char *swapped_payload = g_strjoin (".", parts[0], payload, parts[2], NULL);
  g_autofree char *bad_signature = g_strdup (known_token);
  g_autofree char *short_signature = g_strjoin (".", parts[0], parts[1], "AAAA", NULL);
  g_autofree char *empty_signature = g_strjoin (".", parts[0], parts[1], "", NULL);
  gsize len = strlen (bad_signature);

  assert_verify_fails (swapped_payload, SECRET, NOW, METERED_JWT_ERROR_BAD_SIGNATURE);

  /* Flip a character in the middle of the signature. */
  bad_signature[len - 10] = bad_signature[len - 10] == 'A' ? 'B' : 'A';
  assert_verify_fails (bad_signature, SECRET, NOW, METERED_JWT_ERROR_BAD_SIGNATURE);
  assert_verify_fails (short_signature, SECRET, NOW, METERED_JWT_ERROR_BAD_SIGNATURE);
  assert_verify_fails (empty_signature, SECRET, NOW, METERED_JWT_ERROR_BAD_SIGNATURE);

  assert_verify_fails (known_token, "wrong secret", NOW, METERED_JWT_ERROR_BAD_SIGNATURE);
  assert_verify_fails (known_token, "", NOW, METERED_JWT_ERROR_BAD_SIGNATURE);
  assert_verify_fails (known_token, SECRET "x", NOW, METERED_JWT_ERROR_BAD_SIGNATURE);
}

static void
test_algorithms (void)
{
  g_autofree char *none = make_token ("{\"alg\":\"none\",\"kid\":\"k\"}", "{\"sub\":\"a\"}", SECRET);
  g_autofree char *hs512 = make_token ("{\"alg\":\"HS512\",\"kid\":\"k\"}", "{\"sub\":\"a\"}", SECRET);
  g_autofree char *lower = make_token ("{\"alg\":\"hs256\",\"kid\":\"k\"}", "{\"sub\":\"a\"}", SECRET);
  g_autofree char *none_header = b64 ("{\"alg\":\"none\",\"kid\":\"k\"}");
  g_autofree char *none_payload = b64 ("{\"sub\":\"a\"}");
  g_autofree char *unsigned_none = g_strconcat (none_header, ".", none_payload, ".", NULL);

  /* Rejected even though the HMAC over the input is right. */
  assert_verify_fails (none, SECRET, NOW, METERED_JWT_ERROR_UNSUPPORTED_ALGORITHM);
  assert_verify_fails (hs512, SECRET, NOW, METERED_JWT_ERROR_UNSUPPORTED_ALGORITHM);
  assert_verify_fails (lower, SECRET, NOW, METERED_JWT_ERROR_UNSUPPORTED_ALGORITHM);
  assert_verify_fails (unsigned_none, SECRET, NOW, METERED_JWT_ERROR_UNSUPPORTED_ALGORITHM);
}

static void
test_claims (void)
{
  const struct {
    const char *payload;
    gint64      now;
    int         code;   /* -1: valid */
  } cases[] = {
    { "{}", NOW, -1 },
    { "{\"exp\":1800000001}", NOW, -1 },
    { "{\"exp\":1800000000}", NOW, METERED_JWT_ERROR_EXPIRED },
    { "{\"exp\":1}", NOW, METERED_JWT_ERROR_EXPIRED },
    { "{\"exp\":1800000000.5}", NOW, -1 },
    { "{\"exp\":\"2000000000\"}", NOW, METERED_JWT_ERROR_INVALID_CLAIMS },
    { "{\"exp\":null}", NOW, METERED_JWT_ERROR_INVALID_CLAIMS },
    { "{\"exp\":true}", NOW, METERED_JWT_ERROR_INVALID_CLAIMS },
    { "{\"exp\":[1]}", NOW, METERED_JWT_ERROR_INVALID_CLAIMS },
    { "{\"nbf\":1800000001}", NOW, METERED_JWT_ERROR_NOT_YET_VALID },
    { "{\"nbf\":1800000000}", NOW, -1 },
    { "{\"nbf\":\"soon\"}", NOW, METERED_JWT_ERROR_INVALID_CLAIMS },
    { "{\"nbf\":1800000001,\"exp\":1}", NOW, METERED_JWT_ERROR_EXPIRED },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *token = make_token (HEADER_HS256, cases[i].payload, SECRET);

      if (cases[i].code < 0)
        {
          g_autoptr(MeteredJwt) jwt = metered_jwt_parse (token, NULL);
          g_autoptr(GError) error = NULL;

          g_assert_nonnull (jwt);
          g_assert_true (metered_jwt_verify (jwt, SECRET, cases[i].now, &error));
          g_assert_no_error (error);
        }
      else
        {
          assert_verify_fails (token, SECRET, cases[i].now, cases[i].code);
        }
    }
}

static void
test_malformed (void)
{
  g_autofree char *no_kid = make_token ("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", "{}", SECRET);
  g_autofree char *empty_kid = make_token ("{\"alg\":\"HS256\",\"kid\":\"\"}", "{}", SECRET);
  g_autofree char *numeric_kid = make_token ("{\"alg\":\"HS256\",\"kid\":7}", "{}", SECRET);
  g_autofree char *no_alg = make_token ("{\"kid\":\"k\"}", "{}", SECRET);
  g_autofree char *numeric_alg = make_token ("{\"alg\":1,\"kid\":\"k\"}", "{}", SECRET);
  g_autofree char *array_header = make_token ("[\"HS256\"]", "{}", SECRET);
  g_autofree char *string_payload = make_token (HEADER_HS256, "\"claims\"", SECRET);
  g_autofree char *bad_json = make_token (HEADER_HS256, "{\"sub\":", SECRET);
  g_autofree char *comment_json = make_token (HEADER_HS256, "/*x*/{}", SECRET);
  g_autofree char *bad_utf8 = make_token (HEADER_HS256, "{\"sub\":\"\xff\"}", SECRET);
  g_autoptr(GString) bomb = g_string_new (NULL);
  g_autofree char *bomb_token = NULL;
  g_autofree char *padded = NULL;
  g_autofree char *bad_alphabet = NULL;
  g_autofree char *four_parts = g_strconcat (known_token, ".x", NULL);
  g_auto(GStrv) parts = g_strsplit (known_token, ".", 3);
  g_autofree char *empty_header = g_strjoin (".", "", parts[1], parts[2], NULL);
  g_autofree char *empty_payload = g_strjoin (".", parts[0], "", parts[2], NULL);

  for (guint i = 0; i < 100000; i++)
    g_string_append_c (bomb, '[');
  bomb_token = make_token (HEADER_HS256, bomb->str, SECRET);

  /* '=' padding and the standard alphabet's '+' and '/' are not base64url. */
  padded = g_strjoin (".", parts[0], "e30=", parts[2], NULL);
  bad_alphabet = g_strdup (known_token);
  bad_alphabet[5] = '+';

  assert_parse_fails ("");
  assert_parse_fails ("abc");
  assert_parse_fails ("a.b");
  assert_parse_fails ("...");
  assert_parse_fails ("!!!.@@@.###");
  assert_parse_fails (four_parts);
  assert_parse_fails (empty_header);
  assert_parse_fails (empty_payload);
  assert_parse_fails (padded);
  assert_parse_fails (bad_alphabet);
  assert_parse_fails (no_kid);
  assert_parse_fails (empty_kid);
  assert_parse_fails (numeric_kid);
  assert_parse_fails (no_alg);
  assert_parse_fails (numeric_alg);
  assert_parse_fails (array_header);
  assert_parse_fails (string_payload);
  assert_parse_fails (bad_json);
  assert_parse_fails (comment_json);
  assert_parse_fails (bad_utf8);
  assert_parse_fails (bomb_token);
}

static void
test_base64url (void)
{
  const struct {
    const char *plain;
    const char *encoded;
  } vectors[] = {
    /* RFC 4648 §10, unpadded. */
    { "", "" },
    { "f", "Zg" },
    { "fo", "Zm8" },
    { "foo", "Zm9v" },
    { "foob", "Zm9vYg" },
    { "fooba", "Zm9vYmE" },
    { "foobar", "Zm9vYmFy" },
    /* The two characters where base64url differs. */
    { "\xfb\xff", "-_8" },
  };
  const char * const invalid[] = {
    "Z", "Zg=", "Zg==", "Zm9v=", "Zh", "Zm9", "+/8", "Zm 9v", "Zm9v\n", "Zm9vYmFyZ",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (vectors); i++)
    {
      gsize plain_len = strlen (vectors[i].plain);
      g_autofree char *encoded = metered_base64url_encode ((const guint8 *) vectors[i].plain, plain_len);
      g_autofree guint8 *decoded = NULL;
      g_autoptr(GError) error = NULL;
      gsize decoded_len = 0;

      g_assert_cmpstr (encoded, ==, vectors[i].encoded);
      decoded = metered_base64url_decode (vectors[i].encoded, strlen (vectors[i].encoded),
                                          &decoded_len, &error);
      g_assert_no_error (error);
      g_assert_nonnull (decoded);
      g_assert_cmpmem (decoded, decoded_len, vectors[i].plain, plain_len);
    }

  for (gsize i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_autoptr(GError) error = NULL;
      gsize len;

      g_assert_null (metered_base64url_decode (invalid[i], strlen (invalid[i]), &len, &error));
      g_assert_error (error, METERED_JWT_ERROR, METERED_JWT_ERROR_MALFORMED);
    }

  /* Every byte value survives a round trip. */
  {
    guint8 all[256];
    g_autofree char *encoded = NULL;
    g_autofree guint8 *decoded = NULL;
    gsize len;

    for (guint i = 0; i < 256; i++)
      all[i] = (guint8) i;
    for (gsize n = 0; n <= sizeof all; n += 37)
      {
        g_clear_pointer (&encoded, g_free);
        g_clear_pointer (&decoded, g_free);
        encoded = metered_base64url_encode (all, n);
        decoded = metered_base64url_decode (encoded, strlen (encoded), &len, NULL);
        g_assert_cmpmem (decoded, len, all, n);
      }
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/jwt/known-answer", test_known_answer);
  g_test_add_func ("/jwt/round-trip", test_round_trip);
  g_test_add_func ("/jwt/tampered", test_tampered);
  g_test_add_func ("/jwt/algorithms", test_algorithms);
  g_test_add_func ("/jwt/claims", test_claims);
  g_test_add_func ("/jwt/malformed", test_malformed);
  g_test_add_func ("/jwt/base64url", test_base64url);

  return g_test_run ();
}
