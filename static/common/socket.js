/*
 * The one browser client of the websocket protocol (docs/protocol.md), for
 * the widget (/ws/chat/) and the dashboard (/ws/agent/) alike: the hello gate
 * (nothing but the hello before the server's answer to it), reconnecting with
 * a jittered backoff, a ping/pong watchdog, the outbox (kept until acked,
 * resent paced under the server's rate limits, retried after not_stored) and
 * dropping repeated messages by seq. Screens, texts and what a frame means
 * stay with each face. Exposes one global, HelpdeskSocket.
 */
(function () {
  'use strict';

  // Reconnecting (docs/protocol.md): 1 s, doubling up to 15 s, so that a
  // restarting server is not hammered and a short blip heals within a second.
  var BACKOFF_MIN_MS = 1000;
  var BACKOFF_MAX_MS = 15000;
  // Each delay is drawn from ±25 % around its step: clients that lost the
  // same server at the same moment do not all come back in the same instant.
  var BACKOFF_JITTER = 0.25;
  // A close that means "not now" (the customer's chat is open in too many
  // windows) waits from this step on: the full delay, not another second.
  var SLOW_ATTEMPT = 10;

  // Proxies and NAT drop idle connections after a minute or so; a ping every
  // 25 s keeps the socket in use. A half-open connection delivers nothing and
  // reports no error: without a pong within 10 s the socket counts as dead.
  var PING_MS = 25000;
  var PONG_TIMEOUT_MS = 10000;

  // The server allows each connection 20 frames at once, then 10 a second
  // (infra/realtime/consumer.py), and a chat's customer sockets 20 messages
  // at once, then 2 a second (chat/widget/consumer.py, the defaults of
  // HELPDESK_CHAT_MESSAGE_BURST and _RATE). The outbox sends at most 10 at once, leaving room for
  // the hello, typing, pings and a second tab, then 1.5 a second, under the
  // slower of the two refills: a long outbox after a reconnect goes through
  // without a single rate_limited.
  var PACE_BURST = 10;
  var PACE_PER_SECOND = 1.5;

  // A refused message is tried again after this long: rate_limited always
  // (the server asks for it), not_stored (the database failed on it) only a
  // few times, since a message that keeps failing will not be stored later.
  var RETRY_MS = 1500;
  var NOT_STORED_RETRIES = 3;

  /** The delay before reconnect attempt number `attempt` (0 for the first). */
  function backoffDelay(attempt) {
    var step = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * Math.pow(2, attempt));
    return Math.round(step * (1 - BACKOFF_JITTER + 2 * BACKOFF_JITTER * Math.random()));
  }

  /** A message's own id (1 to 64 characters), random so that two tabs never share one. */
  function newClientId() {
    // randomUUID exists only on secure (https) pages.
    if (typeof crypto.randomUUID === 'function') return 'c-' + crypto.randomUUID();
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    return 'c-' + Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join('');
  }

  function socketUrl(path) {
    return (window.location.protocol === 'https:' ? 'wss://' : 'ws://') + window.location.host + path;
  }

  /** What an outbox item keeps in storage and sends: the `send` frame's fields, not its retry state. */
  function stored(item) {
    var copy = { client_id: item.client_id, body: item.body };
    if (item.chat_id !== undefined) copy.chat_id = item.chat_id;
    return copy;
  }

  /**
   * options: path ('/ws/chat/'); hello() builds the hello for each
   * connection; welcome: the type of the server's answer to it;
   * onFrame(frame, item) gets every frame but pongs, repeats and errors that
   * are retried (item: the outbox entry an ack or error settles);
   * onDown(code) hears of a lost socket (code null: the watchdog gave up)
   * and returns 'stop' to stay down, 'slow' for the longest delay, else it
   * reconnects; storage() and storageKey keep the outbox over a reload.
   */
  function ReliableSocket(options) {
    this.options = options;
    this.ws = null;
    this.welcomed = false;
    this.running = false;
    this.attempt = 0;
    this.reconnectTimer = null;
    this.pingTimer = null;
    this.pongTimer = null;
    this.outbox = [];        // [{client_id, body, chat_id?}] not yet acknowledged, oldest first
    this.tokens = PACE_BURST;
    this.tokensAt = Date.now();
    this.paceTimer = null;
    this.trailing = [];      // frames that go once the outbox is out (afterOutbox)
    this.lastSeqs = {};      // chat id -> the highest seq received

    var self = this;
    window.addEventListener('online', function () {
      if (self.running && !self.ws) {
        self.attempt = 0;
        self.start();
      }
    });
    document.addEventListener('visibilitychange', function () {
      // A background tab's timers may have been throttled for a minute: when
      // the page is looked at again, reconnect now rather than later.
      if (document.visibilityState === 'visible' && self.running && !self.ws) self.start();
    });
  }

  ReliableSocket.prototype = {
    // ------------------------------------------------------------ connection

    /** Connect now, unless connected already (also cuts a pending reconnect delay short). */
    start: function () {
      this.running = true;
      if (this.ws) return;
      window.clearTimeout(this.reconnectTimer);
      this.reconnectTimer = null;
      var ws;
      try {
        ws = new WebSocket(socketUrl(this.options.path));
      } catch (e) {
        this.scheduleReconnect();
        return;
      }
      this.ws = ws;
      var self = this;
      ws.addEventListener('open', function () {
        if (self.ws === ws) self.rawSend(self.options.hello());
      });
      ws.addEventListener('message', function (event) {
        if (self.ws !== ws) return;
        var frame;
        try { frame = JSON.parse(event.data); } catch (e) { return; }
        if (frame && typeof frame.type === 'string') self.receive(frame);
      });
      ws.addEventListener('close', function (event) {
        if (self.ws === ws) self.lost(event.code);
      });
    },

    /** Hang up on purpose and stay down until start(). */
    stop: function () {
      this.running = false;
      window.clearTimeout(this.reconnectTimer);
      this.reconnectTimer = null;
      this.down();
      var ws = this.ws;
      this.ws = null;
      if (ws) {
        try { ws.close(1000); } catch (e) { /* closed already */ }
      }
    },

    /** The next reconnect starts from the shortest delay again. */
    resetBackoff: function () {
      this.attempt = 0;
    },

    /** Welcomed: frames other than the hello may go out. */
    isOpen: function () {
      return !!this.ws && this.welcomed && this.ws.readyState === WebSocket.OPEN;
    },

    down: function () {
      this.welcomed = false;
      window.clearInterval(this.pingTimer);
      window.clearTimeout(this.pongTimer);
      window.clearTimeout(this.paceTimer);
      this.pingTimer = this.pongTimer = this.paceTimer = null;
      this.trailing = [];
    },

    lost: function (code) {
      this.ws = null;
      this.down();
      if (!this.running) return;
      var next = this.options.onDown(code);
      if (next === 'stop' || !this.running) {
        this.running = false;
        return;
      }
      if (next === 'slow') this.attempt = Math.max(this.attempt, SLOW_ATTEMPT);
      this.scheduleReconnect();
    },

    scheduleReconnect: function () {
      if (this.reconnectTimer || !this.running) return;
      var self = this;
      var delay = backoffDelay(this.attempt);
      this.attempt += 1;
      this.reconnectTimer = window.setTimeout(function () {
        self.reconnectTimer = null;
        if (self.running) self.start();
      }, delay);
    },

    startWatchdog: function () {
      var self = this;
      var ws = this.ws;
      window.clearInterval(this.pingTimer);
      this.pingTimer = window.setInterval(function () {
        if (!self.rawSend({ type: 'ping' }) || self.pongTimer) return;
        self.pongTimer = window.setTimeout(function () {
          self.pongTimer = null;
          if (self.ws !== ws) return;
          // No pong: the connection is gone even if the browser says it is open.
          self.ws = null;
          try { ws.close(); } catch (e) { /* closed already */ }
          self.lost(null);
        }, PONG_TIMEOUT_MS);
      }, PING_MS);
    },

    // ------------------------------------------------------------ frames

    rawSend: function (frame) {
      if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
      try {
        this.ws.send(JSON.stringify(frame));
        return true;
      } catch (e) {
        return false;
      }
    },

    /** A frame that is not kept for resending (typing, presence, take...): false when it could not go out now. */
    send: function (frame) {
      return this.isOpen() && this.rawSend(frame);
    },

    /**
     * A frame that must not overtake the messages still waiting for their turn
     * (ending a chat): it goes once all of them are out on this connection.
     * False when there is no connection to send it on.
     */
    afterOutbox: function (frame) {
      if (!this.isOpen()) return false;
      this.trailing.push(frame);
      this.flush();
      return true;
    },

    receive: function (frame) {
      if (frame.type === this.options.welcome && !this.welcomed) {
        // The answer to this connection's hello (the agent socket sends more
        // `state` frames later, when the agent's channels change).
        this.welcomed = true;
        this.attempt = 0;
        this.startWatchdog();
        this.deliver(frame);
        // Everything not yet acknowledged goes again (sentOn names an older
        // connection), paced; the server stores each client id once.
        this.flush();
        return;
      }
      switch (frame.type) {
        case 'pong':
          window.clearTimeout(this.pongTimer);
          this.pongTimer = null;
          return;
        case 'message':
          if (!this.isNew(frame)) return;
          // Stored, so settled, even if its ack was lost with a connection.
          if (frame.message.client_id) this.remove(frame.message.client_id);
          this.deliver(frame);
          return;
        case 'ack':
          // The sender's own message may come inside its ack instead of as a
          // message frame of its own (docs/protocol.md): the page sees both.
          if (frame.message) this.receive({ type: 'message', chat_id: frame.chat_id, message: frame.message });
          this.deliver(frame, this.remove(frame.client_id));
          return;
        case 'error':
          if (!this.refused(frame)) this.deliver(frame, this.remove(frame.client_id));
          return;
        default:
          this.deliver(frame);
      }
    },

    deliver: function (frame, item) {
      try {
        this.options.onFrame(frame, item);
      } catch (err) {
        // One frame the page could not handle must not stop the ones after it.
        if (window.console) window.console.error(err);
      }
    },

    // ------------------------------------------------------------ sequence numbers

    /**
     * Messages come in seq order per chat; one at or below the highest seen
     * is a repeat (the overlap of a resumed log and live events).
     */
    isNew: function (frame) {
      var seq = frame.message && frame.message.seq;
      if (typeof seq !== 'number') return false;
      var key = String(frame.chat_id);
      if (seq <= (this.lastSeqs[key] || 0)) return false;
      this.lastSeqs[key] = seq;
      return true;
    },

    /** The highest seq received for a chat, for the hello after a reconnect (0: none). */
    lastSeq: function (chatId) {
      return this.lastSeqs[String(chatId)] || 0;
    },

    /** Forget a chat's seqs (all chats without an id): its whole log will be wanted again. */
    forget: function (chatId) {
      if (chatId === undefined) this.lastSeqs = {};
      else delete this.lastSeqs[String(chatId)];
    },

    // ------------------------------------------------------------ outbox

    /** Keep a message until it is acknowledged and send it as soon as the pace allows. */
    post: function (fields) {
      var item = stored(fields);
      item.client_id = newClientId();
      this.outbox.push(item);
      this.save();
      this.flush();
      return item;
    },

    /** The messages not yet acknowledged, oldest first. */
    pending: function () {
      return this.outbox.slice();
    },

    /** Take back the outbox a previous page left in storage. */
    restore: function () {
      var list;
      try {
        list = JSON.parse(this.options.storage().getItem(this.options.storageKey) || '[]');
      } catch (e) {
        list = [];  // storage blocked, or not ours to read
      }
      this.outbox = (Array.isArray(list) ? list : []).filter(function (item) {
        return item && typeof item.client_id === 'string' && typeof item.body === 'string';
      }).map(stored);
      this.flush();
    },

    /** Drop every message not yet sent for good (the chat they were for is over). */
    discard: function () {
      this.outbox = [];
      this.save();
    },

    remove: function (clientId) {
      for (var i = 0; i < this.outbox.length; i++) {
        if (this.outbox[i].client_id === clientId) {
          var item = this.outbox.splice(i, 1)[0];
          this.save();
          return item;
        }
      }
      return undefined;
    },

    save: function () {
      try {
        var storage = this.options.storage();
        if (this.outbox.length) storage.setItem(this.options.storageKey, JSON.stringify(this.outbox.map(stored)));
        else storage.removeItem(this.options.storageKey);
      } catch (e) { /* private mode or blocked storage: the outbox lives in memory only */ }
    },

    /** An error about an outbox message that is worth another try: schedule it and keep it. */
    refused: function (frame) {
      var item = this.outbox.filter(function (pending) { return pending.client_id === frame.client_id; })[0];
      if (!item) return false;
      var again = frame.code === 'rate_limited' ||
        (frame.code === 'not_stored' && (item.retries = (item.retries || 0) + 1) <= NOT_STORED_RETRIES);
      if (!again) return false;
      // The server's allowance is used up: so is ours, and the rest waits its turn.
      if (frame.code === 'rate_limited') this.tokens = 0;
      item.sentOn = null;
      item.notBefore = Date.now() + RETRY_MS;
      this.flush();
      return true;
    },

    /**
     * Send what the outbox holds, oldest first, as far as the pace allows (a
     * token bucket of PACE_BURST, refilled PACE_PER_SECOND), and come back
     * when the next one may go.
     */
    flush: function () {
      window.clearTimeout(this.paceTimer);
      this.paceTimer = null;
      if (!this.isOpen()) return;
      var now = Date.now();
      this.tokens = Math.min(PACE_BURST, this.tokens + (now - this.tokensAt) * PACE_PER_SECOND / 1000);
      this.tokensAt = now;
      var ws = this.ws;
      var wake = Infinity;
      for (var i = 0; i < this.outbox.length; i++) {
        var item = this.outbox[i];
        if (item.sentOn === ws) continue;  // on its way on this connection
        if (item.notBefore > now) {
          wake = Math.min(wake, item.notBefore - now);
          continue;
        }
        if (this.tokens < 1) {
          wake = Math.min(wake, (1 - this.tokens) * 1000 / PACE_PER_SECOND);
          break;
        }
        var frame = stored(item);
        frame.type = 'send';
        if (!this.rawSend(frame)) return;
        this.tokens -= 1;
        item.sentOn = ws;
      }
      if (wake < Infinity) {
        var self = this;
        this.paceTimer = window.setTimeout(function () { self.flush(); }, Math.ceil(wake));
        return;
      }
      while (this.trailing.length && this.rawSend(this.trailing[0])) this.trailing.shift();
    }
  };

  window.HelpdeskSocket = {
    open: function (options) { return new ReliableSocket(options); },
    // For frames kept outside the outbox (the dashboard's notes and FAQ entries).
    newClientId: newClientId
  };
})();
