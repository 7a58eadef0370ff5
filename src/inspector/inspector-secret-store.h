/* inspector-secret-store.h: a profile's secrets, in the keyring
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <libsecret/secret.h>

#include "inspector-connect-options.h"

G_BEGIN_DECLS

/* The libsecret schema; its attributes are "profile-id" and "kind". */
#define INSPECTOR_SECRET_SCHEMA_NAME "io.github.metered_inspector.Inspector.Secret"

/* How long an operation may take before it fails instead of hanging. */
#define INSPECTOR_SECRET_STORE_DEFAULT_TIMEOUT_MS 30000

typedef enum {
  INSPECTOR_SECRET_API_KEY,        /*< nick=api-key >*/
  INSPECTOR_SECRET_TOKEN,          /*< nick=token >*/
  INSPECTOR_SECRET_SIGNING_SECRET, /*< nick=signing-secret >*/
} InspectorSecretKind;

#define INSPECTOR_N_SECRET_KINDS 3

#define INSPECTOR_KEYRING_ERROR (inspector_keyring_error_quark ())

typedef enum {
  INSPECTOR_KEYRING_ERROR_UNAVAILABLE, /* no secret service, or it refused */
  INSPECTOR_KEYRING_ERROR_TIMED_OUT,   /* no answer in time, e.g. waiting to be unlocked */
  INSPECTOR_KEYRING_ERROR_MISSING,     /* the profile's secret is not in the keyring */
  INSPECTOR_KEYRING_ERROR_LOCKED,      /* the secret is there, but stays locked */
} InspectorKeyringError;

#define INSPECTOR_TYPE_SECRET_STORE (inspector_secret_store_get_type ())

G_DECLARE_FINAL_TYPE (InspectorSecretStore, inspector_secret_store, INSPECTOR, SECRET_STORE, GObject)

GQuark                   inspector_keyring_error_quark           (void);
const SecretSchema      *inspector_secret_store_get_schema       (void);

InspectorSecretStore    *inspector_secret_store_new              (void);
guint                    inspector_secret_store_get_timeout      (InspectorSecretStore    *self);
void                     inspector_secret_store_set_timeout      (InspectorSecretStore    *self,
                                                                  guint                    timeout_ms);

void                     inspector_secret_store_save_async       (InspectorSecretStore          *self,
                                                                  const char                    *profile_id,
                                                                  const char                    *profile_name,
                                                                  const InspectorConnectOptions *options,
                                                                  GCancellable                  *cancellable,
                                                                  GAsyncReadyCallback            callback,
                                                                  gpointer                       user_data);
gboolean                 inspector_secret_store_save_finish      (InspectorSecretStore    *self,
                                                                  GAsyncResult            *result,
                                                                  GError                 **error);
void                     inspector_secret_store_fill_async       (InspectorSecretStore          *self,
                                                                  const char                    *profile_id,
                                                                  const InspectorConnectOptions *options,
                                                                  GCancellable                  *cancellable,
                                                                  GAsyncReadyCallback            callback,
                                                                  gpointer                       user_data);
InspectorConnectOptions *inspector_secret_store_fill_finish      (InspectorSecretStore    *self,
                                                                  GAsyncResult            *result,
                                                                  GError                 **error);
void                     inspector_secret_store_copy_async       (InspectorSecretStore    *self,
                                                                  const char              *from_profile_id,
                                                                  const char              *to_profile_id,
                                                                  const char              *to_profile_name,
                                                                  GCancellable            *cancellable,
                                                                  GAsyncReadyCallback      callback,
                                                                  gpointer                 user_data);
gboolean                 inspector_secret_store_copy_finish      (InspectorSecretStore    *self,
                                                                  GAsyncResult            *result,
                                                                  GError                 **error);
void                     inspector_secret_store_clear_async      (InspectorSecretStore    *self,
                                                                  const char              *profile_id,
                                                                  GCancellable            *cancellable,
                                                                  GAsyncReadyCallback      callback,
                                                                  gpointer                 user_data);
gboolean                 inspector_secret_store_clear_finish     (InspectorSecretStore    *self,
                                                                  GAsyncResult            *result,
                                                                  GError                 **error);

G_END_DECLS
