/* metered-cli-token.c: `metered token`, minting an HS256 JWT locally
 *
 * The claims are those the service reads (protocol §9.2): `sub` (the peer
 * id), `iat`, `exp`, and when given `channels`, `permissions` and
 * `peerMetadata`. The token goes to stdout; the signing secret never goes
 * anywhere.
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "metered-cli"

#include <stdio.h>
#include <string.h>

#include "metered.h"
#include "metered-frame-private.h"
#include "metered-cli-command.h"
#include "metered-cli-error.h"
#include "metered-cli-log.h"

#define DEFAULT_TTL_SECONDS 3600
/* What the service accepts for `peerMetadata` (serialized). */
#define MAX_PEER_METADATA_BYTES 4096

static const char * const permission_names[] = { "subscribe", "publish", "presence", "send", NULL };

typedef struct {
  char     *secret_id;
  char     *secret;
  char     *sub;
  char    **channels;
  char    **permissions;
  char     *peer_metadata;
  gint64    ttl;
} TokenArgs;

static void
token_args_clear (TokenArgs *args)
{
  g_clear_pointer (&args->secret_id, g_free);
  if (args->secret != NULL)
    memset (args->secret, 0, strlen (args->secret));
  g_clear_pointer (&args->secret, g_free);
  g_clear_pointer (&args->sub, g_free);
  g_clear_pointer (&args->channels, g_strfreev);
  g_clear_pointer (&args->permissions, g_strfreev);
  g_clear_pointer (&args->peer_metadata, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (TokenArgs, token_args_clear)

/* `--channels a,b --channels c` gives [a, b, c]; blanks and repeats go. */
static JsonNode *
list_to_json (char * const  *values,
              const char    *option,
              gboolean     (*check) (const char *item, const char *option, GError **error),
              GError       **error)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(JsonArray) array = json_array_new ();

  for (gsize i = 0; values[i] != NULL; i++)
    {
      g_auto(GStrv) parts = g_strsplit (values[i], ",", -1);

      for (gsize j = 0; parts[j] != NULL; j++)
        {
          const char *item = g_strstrip (parts[j]);

          if (*item == '\0' || g_ptr_array_find_with_equal_func (items, item, g_str_equal, NULL))
            continue;
          if (!check (item, option, error))
            return NULL;
          g_ptr_array_add (items, g_strdup (item));
          json_array_add_string_element (array, item);
        }
    }

  if (items->len == 0)
    {
      metered_cli_command_usage (error, "%s lists nothing", option);
      return NULL;
    }

  return json_node_init_array (json_node_alloc (), array);
}

static gboolean
check_channel_pattern (const char  *item,
                       const char  *option,
                       GError     **error)
{
  g_autoptr(GError) local_error = NULL;

  if (!metered_channel_validate (item, &local_error))
    return metered_cli_command_usage (error, "%s: invalid pattern \"%s\": %s", option, item, local_error->message);

  return TRUE;
}

static gboolean
check_permission (const char  *item,
                  const char  *option,
                  GError     **error)
{
  if (!g_strv_contains (permission_names, item))
    return metered_cli_command_usage (error, "%s: unknown permission \"%s\" (known: subscribe, publish, presence, send)",
                                      option, item);

  return TRUE;
}

static JsonNode *
parse_peer_metadata (const char  *text,
                     GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonNode) root = NULL;

  if (strlen (text) > MAX_PEER_METADATA_BYTES)
    {
      metered_cli_command_usage (error, "--peer-metadata is longer than %d bytes", MAX_PEER_METADATA_BYTES);
      return NULL;
    }

  /* The server reads the token as strictly; better to fail here. */
  root = metered_json_parse_untrusted (text, -1, &local_error);
  if (root == NULL)
    {
      metered_cli_command_usage (error, "--peer-metadata: invalid JSON: %s", local_error->message);
      return NULL;
    }

  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      metered_cli_command_usage (error, "--peer-metadata must be a JSON object");
      return NULL;
    }

  return g_steal_pointer (&root);
}

static JsonObject *
build_claims (TokenArgs  *args,
              GError    **error)
{
  g_autoptr(JsonObject) claims = json_object_new ();
  g_autoptr(GError) local_error = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  if (!metered_peer_id_validate (args->sub, &local_error))
    {
      metered_cli_command_usage (error, "--sub: %s", local_error->message);
      return NULL;
    }

  if (args->ttl <= 0 || args->ttl > G_MAXINT64 - now)
    {
      metered_cli_command_usage (error, "--ttl must be a positive number of seconds");
      return NULL;
    }

  json_object_set_string_member (claims, "sub", args->sub);
  json_object_set_int_member (claims, "iat", now);
  json_object_set_int_member (claims, "exp", now + args->ttl);

  if (args->channels != NULL)
    {
      JsonNode *channels = list_to_json (args->channels, "--channels", check_channel_pattern, error);

      if (channels == NULL)
        return NULL;
      json_object_set_member (claims, "channels", channels);
    }

  if (args->permissions != NULL)
    {
      JsonNode *permissions = list_to_json (args->permissions, "--permissions", check_permission, error);

      if (permissions == NULL)
        return NULL;
      json_object_set_member (claims, "permissions", permissions);
    }

  if (args->peer_metadata != NULL)
    {
      JsonNode *metadata = parse_peer_metadata (args->peer_metadata, error);

      if (metadata == NULL)
        return NULL;
      json_object_set_member (claims, "peerMetadata", metadata);
    }

  return g_steal_pointer (&claims);
}

static gboolean
check_args (TokenArgs  *args,
            char      **arguments,
            GError    **error)
{
  if (arguments[0] != NULL)
    return metered_cli_command_usage (error, "unexpected argument \"%s\"", arguments[0]);

  if (args->secret == NULL && g_getenv ("METERED_SECRET") != NULL)
    args->secret = g_strdup (g_getenv ("METERED_SECRET"));
  if (args->secret != NULL)
    g_strstrip (args->secret);
  metered_cli_log_add_secret (args->secret);

  if (args->secret_id == NULL || *g_strstrip (args->secret_id) == '\0')
    return metered_cli_command_usage (error, "give the secret key id with --secret-id");
  if (args->secret == NULL || *args->secret == '\0')
    return metered_cli_command_usage (error, "give the signing secret with --secret or $METERED_SECRET");
  if (args->sub == NULL)
    return metered_cli_command_usage (error, "give the peer id with --sub");

  return TRUE;
}

int
metered_cli_token (MeteredCliOptions *options,
                   int                argc,
                   char             **argv)
{
  g_auto(TokenArgs) args = { .ttl = DEFAULT_TTL_SECONDS };
  g_autoptr(JsonObject) claims = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  g_auto(GStrv) arguments = NULL;
  const GOptionEntry entries[] = {
    { "secret-id", 0, 0, G_OPTION_ARG_STRING, &args.secret_id,
      "Secret key id sk_id_… (the token's kid)", "ID" },
    { "secret", 0, 0, G_OPTION_ARG_STRING, &args.secret,
      "Signing secret sk_secret_… (default $METERED_SECRET)", "SECRET" },
    { "sub", 0, 0, G_OPTION_ARG_STRING, &args.sub,
      "Peer id the token stands for", "PEER" },
    { "channels", 0, 0, G_OPTION_ARG_STRING_ARRAY, &args.channels,
      "Channels or patterns (* and **) allowed, comma-separated, repeatable (default: the key's)", "LIST" },
    { "permissions", 0, 0, G_OPTION_ARG_STRING_ARRAY, &args.permissions,
      "Any of subscribe,publish,presence,send, comma-separated, repeatable (default: the key's)", "LIST" },
    { "peer-metadata", 0, 0, G_OPTION_ARG_STRING, &args.peer_metadata,
      "JSON object other peers see on presence and messages", "JSON" },
    { "ttl", 0, 0, G_OPTION_ARG_INT64, &args.ttl,
      "Lifetime in seconds (default 3600)", "SECONDS" },
    { NULL }
  };

  if (!metered_cli_command_parse (metered_cli_command_lookup ("token"), options, entries, argc, argv,
                                  &arguments, &error) ||
      !check_args (&args, arguments, &error))
    return metered_cli_command_report (error);

  claims = build_claims (&args, &error);
  if (claims == NULL)
    return metered_cli_command_report (error);

  token = metered_jwt_sign (args.secret_id, args.secret, claims);
  printf ("%s\n", token);
  fflush (stdout);

  return METERED_CLI_EXIT_OK;
}
