/* metered-dev-config.h: keys, limits and account switches of the local server
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define METERED_DEV_CONFIG_ERROR (metered_dev_config_error_quark ())

typedef enum {
  METERED_DEV_CONFIG_ERROR_PARSE,     /* not JSON / not an object */
  METERED_DEV_CONFIG_ERROR_INVALID,   /* a field is wrong; the message names it */
} MeteredDevConfigError;

typedef enum {
  METERED_DEV_ACTION_SUBSCRIBE = 1 << 0,
  METERED_DEV_ACTION_PUBLISH   = 1 << 1,
  METERED_DEV_ACTION_PRESENCE  = 1 << 2,
  METERED_DEV_ACTION_SEND      = 1 << 3,
  METERED_DEV_ACTION_ALL       = 0xf,
} MeteredDevActions;

typedef struct {
  char              *key;
  char             **channel_patterns;
  MeteredDevActions  actions;
  gboolean           revoked;
} MeteredDevPublishableKey;

typedef struct {
  char              *id;
  char              *secret;
  char             **channel_patterns;
  MeteredDevActions  actions;
} MeteredDevSecretKey;

/* 0 means unlimited for every count. */
typedef struct {
  guint  max_message_size;           /* default 65536 */
  guint  max_channels_per_connection;/* default 100 */
  double message_rate_per_second;    /* default 100 */
  guint  message_burst;              /* default 200 */
  guint  max_concurrent_connections; /* default 0 */
  guint  max_messages_per_period;    /* default 0 */
  guint  ping_interval_seconds;      /* default 30 */
} MeteredDevLimits;

#define METERED_TYPE_DEV_CONFIG (metered_dev_config_get_type ())

G_DECLARE_FINAL_TYPE (MeteredDevConfig, metered_dev_config, METERED, DEV_CONFIG, GObject)

GQuark            metered_dev_config_error_quark     (void);
/* The built-in development configuration. */
MeteredDevConfig *metered_dev_config_new_default     (void);
MeteredDevConfig *metered_dev_config_new_from_file   (const char   *path,
                                                      GError      **error);
MeteredDevConfig *metered_dev_config_new_from_data   (const char   *data,
                                                      gssize        len,
                                                      GError      **error);

GPtrArray               *metered_dev_config_get_publishable_keys (MeteredDevConfig *self); /* MeteredDevPublishableKey */
GPtrArray               *metered_dev_config_get_secret_keys      (MeteredDevConfig *self); /* MeteredDevSecretKey */
const MeteredDevPublishableKey *metered_dev_config_find_publishable_key (MeteredDevConfig *self, const char *key);
const MeteredDevSecretKey      *metered_dev_config_find_secret_key      (MeteredDevConfig *self, const char *id);
MeteredDevLimits        *metered_dev_config_get_limits           (MeteredDevConfig *self);
gboolean                 metered_dev_config_get_account_suspended (MeteredDevConfig *self);
void                     metered_dev_config_set_account_suspended (MeteredDevConfig *self,
                                                                   gboolean          suspended);
/* `tls.certificate` / `tls.key`: PEM files, NULL when not configured. */
const char              *metered_dev_config_get_tls_certificate_file (MeteredDevConfig *self);
const char              *metered_dev_config_get_tls_key_file         (MeteredDevConfig *self);
/* Parses ["subscribe","publish",...]; FALSE for an unknown name. */
gboolean                 metered_dev_actions_from_json           (JsonArray         *array,
                                                                  MeteredDevActions *out);

G_END_DECLS
