/* inspector-types.h: enumerations shared by the inspector's models and views
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * InspectorLogKind:
 *
 * What a row of the message log records. The nicks are what the "kind"
 * column shows and what `kind:` matches in the log's search.
 */
typedef enum {
  INSPECTOR_LOG_KIND_MESSAGE,      /*< nick=message >*/
  INSPECTOR_LOG_KIND_DIRECT,       /*< nick=direct >*/
  INSPECTOR_LOG_KIND_PRESENCE,     /*< nick=presence >*/
  INSPECTOR_LOG_KIND_STATE,        /*< nick=state >*/
  INSPECTOR_LOG_KIND_WELCOME,      /*< nick=welcome >*/
  INSPECTOR_LOG_KIND_CLOSE,        /*< nick=close >*/
  INSPECTOR_LOG_KIND_SERVER_ERROR, /*< nick=error >*/
  INSPECTOR_LOG_KIND_GOING_AWAY,   /*< nick=going-away >*/
  INSPECTOR_LOG_KIND_TOKEN_ERROR,  /*< nick=token-error >*/
  INSPECTOR_LOG_KIND_SUBSCRIBE,    /*< nick=subscribe >*/
  INSPECTOR_LOG_KIND_UNSUBSCRIBE,  /*< nick=unsubscribe >*/
  INSPECTOR_LOG_KIND_PUBLISH,      /*< nick=publish >*/
  INSPECTOR_LOG_KIND_SEND,         /*< nick=send >*/
} InspectorLogKind;

/**
 * InspectorLogStatus:
 *
 * The outcome of a row the user caused (subscribe, publish, send);
 * %INSPECTOR_LOG_STATUS_NONE for everything the server sent.
 */
typedef enum {
  INSPECTOR_LOG_STATUS_NONE,    /*< nick=none >*/
  INSPECTOR_LOG_STATUS_PENDING, /*< nick=pending >*/
  INSPECTOR_LOG_STATUS_ACKED,   /*< nick=acked >*/
  INSPECTOR_LOG_STATUS_FAILED,  /*< nick=failed >*/
} InspectorLogStatus;

/**
 * InspectorChannelState:
 *
 * Where a subscription of the inspector stands. %INSPECTOR_CHANNEL_STATE_RESTORING
 * and %INSPECTOR_CHANNEL_STATE_RESTORED follow a reconnect: the client replays
 * the subscription and the server's fresh presence snapshot confirms it.
 */
typedef enum {
  INSPECTOR_CHANNEL_STATE_SUBSCRIBING, /*< nick=subscribing >*/
  INSPECTOR_CHANNEL_STATE_SUBSCRIBED,  /*< nick=subscribed >*/
  INSPECTOR_CHANNEL_STATE_RESTORING,   /*< nick=restoring >*/
  INSPECTOR_CHANNEL_STATE_RESTORED,    /*< nick=restored >*/
  INSPECTOR_CHANNEL_STATE_FAILED,      /*< nick=failed >*/
  INSPECTOR_CHANNEL_STATE_OFFLINE,     /*< nick=offline >*/
} InspectorChannelState;

/* Nicks match the io.github.metered_inspector.Inspector.TimestampFormat
 * enum of the settings schema. */
typedef enum {
  INSPECTOR_TIMESTAMP_TIME,     /*< nick=time >*/
  INSPECTOR_TIMESTAMP_TIME_MS,  /*< nick=time-ms >*/
  INSPECTOR_TIMESTAMP_ISO8601,  /*< nick=iso8601 >*/
  INSPECTOR_TIMESTAMP_RELATIVE, /*< nick=relative >*/
} InspectorTimestampFormat;

G_END_DECLS
