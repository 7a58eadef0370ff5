// Server configurations shared by several tests (one server per name,
// started on first use). Tests with global side effects spawn their own.

export const ALL_ACTIONS = ['subscribe', 'publish', 'presence', 'send'];

// A config file lists every key the server knows, so configs that only
// change limits or switches name the built-in development keys explicitly.
export function withDevKeys(config) {
  return {
    publishableKeys: [{ key: 'pk_live_dev', channelPatterns: ['**'], actions: ALL_ACTIONS }],
    secretKeys: [{ id: 'sk_id_dev', secret: 'sk_secret_dev', channelPatterns: ['**'], actions: ALL_ACTIONS }],
    ...config,
  };
}

export const SCOPED_KEYS = {
  app: 'pk_live_app', // channelPatterns app/**, all actions
  subOnly: 'pk_live_subonly', // **, subscribe only
  revoked: 'pk_live_revoked',
  full: { id: 'sk_id_full', secret: 'sk_secret_full' }, // **, all actions
  appPublish: { id: 'sk_id_app', secret: 'sk_secret_app' }, // app/**, publish only
};

export const SHARED_CONFIGS = {
  // No --config: the built-in pk_live_dev / sk_id_dev:sk_secret_dev.
  default: null,
  scoped: {
    publishableKeys: [
      { key: SCOPED_KEYS.app, channelPatterns: ['app/**'], actions: ALL_ACTIONS },
      { key: SCOPED_KEYS.subOnly, channelPatterns: ['**'], actions: ['subscribe'] },
      { key: SCOPED_KEYS.revoked, channelPatterns: ['**'], actions: ALL_ACTIONS, revoked: true },
    ],
    secretKeys: [
      { id: SCOPED_KEYS.full.id, secret: SCOPED_KEYS.full.secret, channelPatterns: ['**'], actions: ALL_ACTIONS },
      { id: SCOPED_KEYS.appPublish.id, secret: SCOPED_KEYS.appPublish.secret, channelPatterns: ['app/**'], actions: ['publish'] },
    ],
    limits: { maxChannelsPerConnection: 3 },
  },
  fastping: withDevKeys({ limits: { pingIntervalSeconds: 1 } }),
  ratelimit: withDevKeys({ limits: { messageRatePerSecond: 5, messageBurst: 10 } }),
};
