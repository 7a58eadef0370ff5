/* metered-websocket-frame.c: RFC 6455 frame headers, read and written
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "metered-websocket-frame"

#include <string.h>

#include "metered-websocket-frame-private.h"

/* RFC 6455 §1.3: appended to the client's key before hashing. */
#define WEBSOCKET_GUID "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

#define MAX_CONTROL_PAYLOAD 125

static gboolean
opcode_is_known (guint opcode)
{
  switch (opcode)
    {
    case METERED_WEBSOCKET_OPCODE_CONTINUATION:
    case METERED_WEBSOCKET_OPCODE_TEXT:
    case METERED_WEBSOCKET_OPCODE_BINARY:
    case METERED_WEBSOCKET_OPCODE_CLOSE:
    case METERED_WEBSOCKET_OPCODE_PING:
    case METERED_WEBSOCKET_OPCODE_PONG:
      return TRUE;
    default:
      return FALSE;
    }
}

MeteredWebsocketParseResult
metered_websocket_frame_parse_header (const guint8                *data,
                                      gsize                        length,
                                      gboolean                     expect_masked,
                                      MeteredWebsocketFrameHeader *header,
                                      const char                 **problem)
{
  const char *unused_problem;
  guint opcode;
  guint length7;
  guint64 payload_length;
  gsize pos;

  g_return_val_if_fail (data != NULL || length == 0, METERED_WEBSOCKET_PARSE_ERROR);
  g_return_val_if_fail (header != NULL, METERED_WEBSOCKET_PARSE_ERROR);

  if (problem == NULL)
    problem = &unused_problem;
  *problem = NULL;

  if (length < 2)
    return METERED_WEBSOCKET_PARSE_NEED_MORE;

  /* Every check that the first two bytes allow comes before asking for
   * more, so a bad frame is refused as soon as it can be. */
  if ((data[0] & 0x70) != 0)
    {
      *problem = "reserved bits set";
      return METERED_WEBSOCKET_PARSE_ERROR;
    }

  opcode = data[0] & 0x0F;
  if (!opcode_is_known (opcode))
    {
      *problem = "unknown opcode";
      return METERED_WEBSOCKET_PARSE_ERROR;
    }

  if (((data[1] & 0x80) != 0) != (expect_masked != FALSE))
    {
      *problem = expect_masked ? "unmasked frame from the client" : "masked frame from the server";
      return METERED_WEBSOCKET_PARSE_ERROR;
    }

  length7 = data[1] & 0x7F;

  if ((opcode & 0x08) != 0)
    {
      if ((data[0] & 0x80) == 0)
        {
          *problem = "fragmented control frame";
          return METERED_WEBSOCKET_PARSE_ERROR;
        }
      if (length7 > MAX_CONTROL_PAYLOAD)
        {
          *problem = "control frame payload over 125 bytes";
          return METERED_WEBSOCKET_PARSE_ERROR;
        }
    }

  pos = 2;
  if (length7 == 126)
    {
      if (length < pos + 2)
        return METERED_WEBSOCKET_PARSE_NEED_MORE;
      payload_length = ((guint64) data[2] << 8) | data[3];
      pos += 2;
      if (payload_length < 126)
        {
          *problem = "length not minimally encoded";
          return METERED_WEBSOCKET_PARSE_ERROR;
        }
    }
  else if (length7 == 127)
    {
      if (length < pos + 8)
        return METERED_WEBSOCKET_PARSE_NEED_MORE;
      if ((data[2] & 0x80) != 0)
        {
          *problem = "64-bit length with the top bit set";
          return METERED_WEBSOCKET_PARSE_ERROR;
        }
      payload_length = 0;
      for (guint i = 0; i < 8; i++)
        payload_length = (payload_length << 8) | data[2 + i];
      pos += 8;
      if (payload_length <= G_MAXUINT16)
        {
          *problem = "length not minimally encoded";
          return METERED_WEBSOCKET_PARSE_ERROR;
        }
    }
  else
    {
      payload_length = length7;
    }

  if (expect_masked)
    {
      if (length < pos + 4)
        return METERED_WEBSOCKET_PARSE_NEED_MORE;
      memcpy (header->mask, data + pos, 4);
      pos += 4;
    }
  else
    {
      memset (header->mask, 0, 4);
    }

  header->fin = (data[0] & 0x80) != 0;
  header->opcode = opcode;
  header->masked = expect_masked != FALSE;
  header->payload_length = payload_length;
  header->header_length = pos;

  return METERED_WEBSOCKET_PARSE_OK;
}

gsize
metered_websocket_frame_write_header (guint8                 out[METERED_WEBSOCKET_MAX_HEADER_BYTES],
                                      gboolean               fin,
                                      MeteredWebsocketOpcode opcode,
                                      guint64                payload_length,
                                      const guint8          *mask)
{
  guint8 mask_bit = mask != NULL ? 0x80 : 0x00;
  gsize pos;

  g_return_val_if_fail (out != NULL, 0);
  g_return_val_if_fail (payload_length <= G_MAXINT64, 0);

  out[0] = (fin ? 0x80 : 0x00) | (opcode & 0x0F);

  if (payload_length < 126)
    {
      out[1] = mask_bit | (guint8) payload_length;
      pos = 2;
    }
  else if (payload_length <= G_MAXUINT16)
    {
      out[1] = mask_bit | 126;
      out[2] = (guint8) (payload_length >> 8);
      out[3] = (guint8) payload_length;
      pos = 4;
    }
  else
    {
      out[1] = mask_bit | 127;
      for (guint i = 0; i < 8; i++)
        out[2 + i] = (guint8) (payload_length >> (8 * (7 - i)));
      pos = 10;
    }

  if (mask != NULL)
    {
      memcpy (out + pos, mask, 4);
      pos += 4;
    }

  return pos;
}

void
metered_websocket_frame_apply_mask (guint8       *data,
                                    gsize         length,
                                    const guint8  mask[4],
                                    guint64       offset)
{
  guint8 rotated[4];
  guint32 word;
  gsize i = 0;

  g_return_if_fail (data != NULL || length == 0);
  g_return_if_fail (mask != NULL);

  for (guint k = 0; k < 4; k++)
    rotated[k] = mask[(offset + k) & 3];

  /* Byte by byte up to an aligned address, then a word at a time: the mask
   * is a 4-byte pattern, so a word XOR is the same as four byte XORs. */
  while (i < length && ((guintptr) (data + i) & 3) != 0)
    {
      data[i] ^= rotated[i & 3];
      i++;
    }

  if (length - i >= 4)
    {
      guint8 aligned[4];

      for (guint k = 0; k < 4; k++)
        aligned[k] = rotated[(i + k) & 3];
      memcpy (&word, aligned, 4);

      for (; length - i >= 4; i += 4)
        {
          guint32 chunk;

          memcpy (&chunk, data + i, 4);
          chunk ^= word;
          memcpy (data + i, &chunk, 4);
        }
    }

  for (; i < length; i++)
    data[i] ^= rotated[i & 3];
}

char *
metered_websocket_frame_accept_key (const char *key)
{
  g_autoptr(GChecksum) checksum = NULL;
  guint8 digest[20];
  gsize digest_length = sizeof digest;

  g_return_val_if_fail (key != NULL, NULL);

  checksum = g_checksum_new (G_CHECKSUM_SHA1);
  g_checksum_update (checksum, (const guchar *) key, -1);
  g_checksum_update (checksum, (const guchar *) WEBSOCKET_GUID, -1);
  g_checksum_get_digest (checksum, digest, &digest_length);

  return g_base64_encode (digest, digest_length);
}
