/* test-websocket-frame.c: the RFC 6455 frame header codec
 *
 * SPDX-License-Identifier: MIT
 */

#include <string.h>

#include "metered-websocket-frame-private.h"

static const guint8 test_mask[4] = { 0x12, 0x34, 0x56, 0x78 };

static void
assert_parses (const guint8                *data,
               gsize                        length,
               gboolean                     expect_masked,
               MeteredWebsocketFrameHeader *header)
{
  const char *problem = "untouched";

  g_assert_cmpint (metered_websocket_frame_parse_header (data, length, expect_masked, header, &problem),
                   ==, METERED_WEBSOCKET_PARSE_OK);
  g_assert_null (problem);

  /* Every shorter prefix asks for more. */
  for (gsize i = 0; i < header->header_length; i++)
    {
      MeteredWebsocketFrameHeader partial;

      g_assert_cmpint (metered_websocket_frame_parse_header (data, i, expect_masked, &partial, NULL),
                       ==, METERED_WEBSOCKET_PARSE_NEED_MORE);
    }
}

static void
assert_refused (const guint8 *data,
                gsize         length,
                gboolean      expect_masked)
{
  MeteredWebsocketFrameHeader header;
  const char *problem = NULL;

  g_assert_cmpint (metered_websocket_frame_parse_header (data, length, expect_masked, &header, &problem),
                   ==, METERED_WEBSOCKET_PARSE_ERROR);
  g_assert_nonnull (problem);
  g_assert_cmpuint (strlen (problem), <=, 123);
  g_assert_true (g_utf8_validate (problem, -1, NULL));
}

/* Writes a header, reads it back, and checks both. */
static void
round_trip (gboolean               fin,
            MeteredWebsocketOpcode opcode,
            guint64                payload_length,
            gboolean               masked,
            gsize                  expected_length)
{
  guint8 out[METERED_WEBSOCKET_MAX_HEADER_BYTES];
  MeteredWebsocketFrameHeader header;
  gsize length;

  length = metered_websocket_frame_write_header (out, fin, opcode, payload_length, masked ? test_mask : NULL);
  g_assert_cmpuint (length, ==, expected_length);

  assert_parses (out, length, masked, &header);
  g_assert_cmpint (header.fin, ==, fin);
  g_assert_cmpint (header.opcode, ==, opcode);
  g_assert_cmpint (header.masked, ==, masked);
  g_assert_cmpuint (header.payload_length, ==, payload_length);
  g_assert_cmpuint (header.header_length, ==, length);
  if (masked)
    g_assert_cmpmem (header.mask, 4, test_mask, 4);
}

static void
test_header_forms (void)
{
  /* 7-bit lengths */
  round_trip (TRUE, METERED_WEBSOCKET_OPCODE_TEXT, 0, FALSE, 2);
  round_trip (TRUE, METERED_WEBSOCKET_OPCODE_TEXT, 125, FALSE, 2);
  round_trip (TRUE, METERED_WEBSOCKET_OPCODE_BINARY, 5, TRUE, 6);
  /* 16-bit lengths */
  round_trip (TRUE, METERED_WEBSOCKET_OPCODE_TEXT, 126, FALSE, 4);
  round_trip (FALSE, METERED_WEBSOCKET_OPCODE_TEXT, 65535, TRUE, 8);
  /* 64-bit lengths */
  round_trip (TRUE, METERED_WEBSOCKET_OPCODE_BINARY, 65536, FALSE, 10);
  round_trip (FALSE, METERED_WEBSOCKET_OPCODE_CONTINUATION, G_GUINT64_CONSTANT (0x7fffffffffffffff), TRUE, 14);
  /* Control frames */
  round_trip (TRUE, METERED_WEBSOCKET_OPCODE_CLOSE, 125, TRUE, 6);
  round_trip (TRUE, METERED_WEBSOCKET_OPCODE_PING, 0, FALSE, 2);
  round_trip (TRUE, METERED_WEBSOCKET_OPCODE_PONG, 3, TRUE, 6);
}

static void
test_header_bytes (void)
{
  /* RFC 6455 §5.7: a single-frame unmasked "Hello", and a masked one. */
  static const guint8 unmasked_hello[] = { 0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f };
  static const guint8 masked_hello[] = { 0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58 };
  /* 256 bytes binary, unmasked; 64 KiB binary, unmasked. */
  static const guint8 binary_256[] = { 0x82, 0x7E, 0x01, 0x00 };
  static const guint8 binary_64k[] = { 0x82, 0x7F, 0, 0, 0, 0, 0, 1, 0, 0 };
  MeteredWebsocketFrameHeader header;
  guint8 payload[5];
  guint8 out[METERED_WEBSOCKET_MAX_HEADER_BYTES];

  assert_parses (unmasked_hello, sizeof unmasked_hello, FALSE, &header);
  g_assert_true (header.fin);
  g_assert_cmpint (header.opcode, ==, METERED_WEBSOCKET_OPCODE_TEXT);
  g_assert_cmpuint (header.payload_length, ==, 5);
  g_assert_cmpuint (header.header_length, ==, 2);

  assert_parses (masked_hello, sizeof masked_hello, TRUE, &header);
  g_assert_true (header.masked);
  g_assert_cmpuint (header.header_length, ==, 6);
  memcpy (payload, masked_hello + 6, 5);
  metered_websocket_frame_apply_mask (payload, 5, header.mask, 0);
  g_assert_cmpmem (payload, 5, "Hello", 5);

  assert_parses (binary_256, sizeof binary_256, FALSE, &header);
  g_assert_cmpuint (header.payload_length, ==, 256);
  assert_parses (binary_64k, sizeof binary_64k, FALSE, &header);
  g_assert_cmpuint (header.payload_length, ==, 65536);

  g_assert_cmpuint (metered_websocket_frame_write_header (out, TRUE, METERED_WEBSOCKET_OPCODE_TEXT, 5, NULL), ==, 2);
  g_assert_cmpmem (out, 2, unmasked_hello, 2);
  g_assert_cmpuint (metered_websocket_frame_write_header (out, TRUE, METERED_WEBSOCKET_OPCODE_BINARY, 256, NULL), ==, 4);
  g_assert_cmpmem (out, 4, binary_256, 4);
  g_assert_cmpuint (metered_websocket_frame_write_header (out, TRUE, METERED_WEBSOCKET_OPCODE_BINARY, 65536, NULL), ==, 10);
  g_assert_cmpmem (out, 10, binary_64k, 10);
}

static void
test_rejections (void)
{
  /* Reserved bits, each of them. */
  static const guint8 rsv1[] = { 0xC1, 0x00 };
  static const guint8 rsv2[] = { 0xA1, 0x00 };
  static const guint8 rsv3[] = { 0x91, 0x00 };
  /* Unknown opcodes. */
  static const guint8 opcode_3[] = { 0x83, 0x00 };
  static const guint8 opcode_7[] = { 0x87, 0x00 };
  static const guint8 opcode_b[] = { 0x8B, 0x00 };
  static const guint8 opcode_f[] = { 0x8F, 0x00 };
  /* Control frames: fragmented, or over 125 bytes (in every length form). */
  static const guint8 ping_no_fin[] = { 0x09, 0x00 };
  static const guint8 close_no_fin[] = { 0x08, 0x00 };
  static const guint8 ping_126[] = { 0x89, 0x7E, 0x00, 0x7E };
  static const guint8 pong_127[] = { 0x8A, 0x7F, 0, 0, 0, 0, 0, 1, 0, 0 };
  /* Lengths not minimally encoded. */
  static const guint8 short_in_16[] = { 0x82, 0x7E, 0x00, 0x7D };
  static const guint8 zero_in_16[] = { 0x82, 0x7E, 0x00, 0x00 };
  static const guint8 short_in_64[] = { 0x82, 0x7F, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF };
  static const guint8 tiny_in_64[] = { 0x82, 0x7F, 0, 0, 0, 0, 0, 0, 0, 1 };
  /* The top bit of a 64-bit length. */
  static const guint8 top_bit[] = { 0x82, 0x7F, 0x80, 0, 0, 0, 0, 0, 0, 0 };
  /* Mask bit against the role. */
  static const guint8 unmasked[] = { 0x81, 0x00 };
  static const guint8 masked[] = { 0x81, 0x80, 1, 2, 3, 4 };

  assert_refused (rsv1, sizeof rsv1, FALSE);
  assert_refused (rsv2, sizeof rsv2, FALSE);
  assert_refused (rsv3, sizeof rsv3, TRUE);
  assert_refused (opcode_3, sizeof opcode_3, FALSE);
  assert_refused (opcode_7, sizeof opcode_7, FALSE);
  assert_refused (opcode_b, sizeof opcode_b, FALSE);
  assert_refused (opcode_f, sizeof opcode_f, FALSE);
  assert_refused (ping_no_fin, sizeof ping_no_fin, FALSE);
  assert_refused (close_no_fin, sizeof close_no_fin, FALSE);
  assert_refused (ping_126, sizeof ping_126, FALSE);
  assert_refused (pong_127, sizeof pong_127, FALSE);
  assert_refused (short_in_16, sizeof short_in_16, FALSE);
  assert_refused (zero_in_16, sizeof zero_in_16, FALSE);
  assert_refused (short_in_64, sizeof short_in_64, FALSE);
  assert_refused (tiny_in_64, sizeof tiny_in_64, FALSE);
  assert_refused (top_bit, sizeof top_bit, FALSE);
  assert_refused (unmasked, sizeof unmasked, TRUE);
  assert_refused (masked, sizeof masked, FALSE);

  /* Refused from the first two bytes, before the rest has arrived. */
  assert_refused (rsv1, 2, FALSE);
  assert_refused (ping_126, 2, FALSE);
  assert_refused (unmasked, 2, TRUE);
}

static void
test_mask_in_pieces (void)
{
  guint8 whole[1000];
  guint8 pieces[1000];
  guint8 original[1000];
  static const gsize cuts[] = { 0, 1, 2, 3, 7, 8, 13, 64, 65, 333, 998, 1000 };

  for (guint i = 0; i < sizeof original; i++)
    original[i] = (guint8) (i * 7 + 3);

  memcpy (whole, original, sizeof whole);
  metered_websocket_frame_apply_mask (whole, sizeof whole, test_mask, 0);
  for (guint i = 0; i < sizeof whole; i++)
    g_assert_cmpuint (whole[i], ==, original[i] ^ test_mask[i % 4]);

  /* Any split, at any alignment, gives the same bytes. */
  for (guint c = 0; c + 1 < G_N_ELEMENTS (cuts); c++)
    for (guint shift = 0; shift < 4; shift++)
      {
        gsize first = MIN (cuts[c] + shift, sizeof pieces);
        gsize second = MIN (cuts[c + 1] + shift, sizeof pieces);

        memcpy (pieces, original, sizeof pieces);
        metered_websocket_frame_apply_mask (pieces, first, test_mask, 0);
        metered_websocket_frame_apply_mask (pieces + first, second - first, test_mask, first);
        metered_websocket_frame_apply_mask (pieces + second, sizeof pieces - second, test_mask, second);
        g_assert_cmpmem (pieces, sizeof pieces, whole, sizeof whole);
      }

  /* Masking twice is the identity; zero bytes is a no-op. */
  metered_websocket_frame_apply_mask (whole, sizeof whole, test_mask, 0);
  g_assert_cmpmem (whole, sizeof whole, original, sizeof original);
  metered_websocket_frame_apply_mask (whole, 0, test_mask, 5);
  g_assert_cmpmem (whole, sizeof whole, original, sizeof original);
}

static void
test_accept_key (void)
{
  g_autofree char *accept = metered_websocket_frame_accept_key ("dGhlIHNhbXBsZSBub25jZQ==");

  /* RFC 6455 §1.3. */
  g_assert_cmpstr (accept, ==, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/websocket-frame/header-forms", test_header_forms);
  g_test_add_func ("/websocket-frame/header-bytes", test_header_bytes);
  g_test_add_func ("/websocket-frame/rejections", test_rejections);
  g_test_add_func ("/websocket-frame/mask-in-pieces", test_mask_in_pieces);
  g_test_add_func ("/websocket-frame/accept-key", test_accept_key);

  return g_test_run ();
}
