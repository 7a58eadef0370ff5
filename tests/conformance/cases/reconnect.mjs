// SDK recovery after the server drops the TCP connection (hook "drop").

import assert from 'node:assert/strict';
import { mintJwt } from '../lib/jwt.mjs';
import { show, uid } from '../lib/util.mjs';

export const tests = [
  {
    name: 'reconnect/drop-then-resubscribe-and-flow',
    run: async (ctx) => {
      const server = await ctx.server();
      const channel = uid('flow');
      const subA = uid('dropme');
      const A = await ctx.connect(server, { token: mintJwt({ sub: subA }) });
      const B = await ctx.connect(server, { apiKey: 'pk_live_dev' });
      assert.equal((await A.next('connected')).isReconnect, false);
      await A.client.subscribe(channel);
      await B.client.subscribe(channel);
      await A.next('presence', (p) => p.joined.length > 0);
      await B.client.publish(channel, 'before');
      assert.equal((await A.next('message')).data, 'before');

      const answer = await server.hook({ hook: 'drop', peerId: subA });
      assert.equal(answer.affected, 1, `drop hook: ${show(answer)}`);
      const disc = await A.next('disconnected');
      assert.equal(disc.willReconnect, true, show(disc));
      assert.equal(disc.code, 1006, `a TCP drop has no close frame, so the SDK sees 1006: ${show(disc)}`);
      const left = await B.next('presence', (p) => p.left.some((x) => x.peerId === subA));
      assert.equal(left.channel, channel);

      const again = await A.next('connected', () => true, 5000);
      assert.equal(again.isReconnect, true);
      assert.equal(again.peerId, subA);
      // The SDK replays the subscription; B sees A join again.
      await B.next('presence', (p) => p.joined.some((x) => x.peerId === subA), 5000, 'A rejoining after the replayed subscribe');
      await B.client.publish(channel, 'after');
      const m = await A.next('message', (x) => x.data === 'after', 3000);
      assert.equal(m.from, B.peerId);
      const order = A.events.filter((e) => e.event === 'connected' || e.event === 'disconnected').map((e) => e.event);
      assert.deepEqual(order, ['connected', 'disconnected', 'connected']);
    },
  },
];
