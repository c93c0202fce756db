/*
 * The agents' dashboard: what its parts share. One websocket to /ws/agent/
 * (docs/protocol.md) through static/common/socket.js.
 *
 * Plain deferred scripts, no build step, in this order
 * (templates/agent/dashboard.html): core.js (this file: helpers, state,
 * elements, window.helpdeskDashboard), common/socket.js, alerts.js,
 * presence.js, queue.js, conversation.js, chats.js, composer.js,
 * connection.js. Each adds what it offers to window.helpdeskDashboard; the
 * page starts once all of them have run. Every text from the server or a
 * customer reaches the page through textContent, never as HTML.
 */
(function () {
  'use strict';

  var configNode = document.getElementById('dashboard-config');
  var config = configNode ? JSON.parse(configNode.textContent) : {};
  var S = config.strings || {};

  function $(id) { return document.getElementById(id); }

  function t(key, params) {
    var text = S[key] || key;
    if (params) {
      text = text.replace(/%\((\w+)\)s/g, function (all, name) {
        return Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : all;
      });
    }
    return text;
  }

  /** Create an element; `text` goes in as textContent, never as HTML. */
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function parseTime(value) {
    var ms = value ? Date.parse(value) : NaN;
    return isNaN(ms) ? null : ms;
  }

  function formatDuration(ms) {
    var seconds = Math.max(0, Math.floor(ms / 1000));
    if (seconds < 60) { return t('seconds', { n: seconds }); }
    var minutes = Math.floor(seconds / 60);
    if (minutes < 60) { return t('minutes', { n: minutes }); }
    return t('hours', { n: Math.floor(minutes / 60) });
  }

  var lang = document.documentElement.lang || undefined;

  function formatClock(value) {
    var ms = parseTime(value);
    if (ms === null) { return ''; }
    try {
      return new Date(ms).toLocaleTimeString(lang, { hour: '2-digit', minute: '2-digit' });
    } catch (e) {
      return new Date(ms).toLocaleTimeString();
    }
  }

  function pageVisible() {
    return document.visibilityState !== 'hidden';
  }

  function isScrolledDown(node) {
    return node.hidden || node.scrollHeight - node.scrollTop - node.clientHeight < 40;
  }

  function scrollDown(node) {
    node.scrollTop = node.scrollHeight;
  }

  // ---------------------------------------------------------------------------
  // State

  var state = {
    presence: 'away',
    queue: [],              // queue entries from the server, oldest first
    queueIds: null,         // ids seen in the last queue frame (null: none yet)
    everQueued: new Set(),  // ids this page has seen waiting (they rang when they arrived)
    chats: new Map(),       // chat id -> chat record
    order: [],              // chat ids in list order
    selectedId: null,
    dismissed: new Set(),
    earlyMessages: new Map(), // chat id -> [message] that came before the chat's summary
    lastTakeAt: 0,
    takeRequested: null     // chat id asked for with `take`, or 'next'
  };

  // ---------------------------------------------------------------------------
  // Elements

  var ui = {
    presenceSelect: $('presence-select'),
    presenceDot: $('presence-dot'),
    connection: $('connection-status'),
    alert: $('alert'),
    alertBox: $('alert-box'),
    alertClose: $('alert-close'),
    takeNext: $('take-next'),
    queueList: $('queue-list'),
    queueEmpty: $('queue-empty'),
    queueCount: $('queue-count'),
    chatList: $('chat-list'),
    chatsEmpty: $('chats-empty'),
    chatsCount: $('chats-count'),
    convEmpty: $('conversation-empty'),
    convBody: $('conversation-body'),
    convName: $('conv-name'),
    convEmail: $('conv-email'),
    convUnverified: $('conv-unverified'),
    convChannel: $('conv-channel'),
    formdataWrap: $('conv-formdata-wrap'),
    formdata: $('conv-formdata'),
    logs: $('logs'),
    typing: $('conv-typing'),
    ended: $('conv-ended'),
    dismiss: $('conv-dismiss'),
    composer: $('composer'),
    input: $('composer-input'),
    send: $('composer-send'),
    menuWrap: $('chat-menu-wrap'),
    menuButton: $('chat-menu-button'),
    menu: $('chat-menu'),
    createRequestItem: $('create-request-item'),
    endItem: $('end-chat-item'),
    endDialog: $('end-dialog'),
    endDialogCancel: $('end-dialog-cancel')
  };

  // The parts of the workspace (canned replies, notes, transfers, the
  // customer panel, notifications, shortcuts) listen here instead of being
  // called by name: D.on('state', fn), D.emit('state', frame). Events:
  // 'state' (frame), 'chat' (chat record, after a summary arrived or
  // changed), 'message' (chat, message), 'select' (chat or null),
  // 'chat-state' (chat), 'queue' (entries).
  var listeners = {};

  function on(name, fn) {
    (listeners[name] = listeners[name] || []).push(fn);
  }

  function emit(name) {
    var args = Array.prototype.slice.call(arguments, 1);
    (listeners[name] || []).forEach(function (fn) {
      try { fn.apply(null, args); } catch (e) { if (window.console) { window.console.error(e); } }
    });
  }

  /**
   * Run `fn` when `dialog` closes. The browser fires "close" in a task of its
   * own after the dialog is already hidden, so a dialog closed and at once
   * opened again (Escape, then the shortcut) receives the first close while it
   * is open for the second time; that stale event is no answer to the second.
   */
  function onDialogClosed(dialog, fn) {
    dialog.addEventListener('close', function (event) {
      if (dialog.open) { return; }
      fn(event);
    });
  }

  var D = window.helpdeskDashboard = {
    on: on,
    emit: emit,
    onDialogClosed: onDialogClosed,
    // Frame types of the workspace's parts: type -> function (frame, item).
    frameHandlers: {},
    // Message kinds the workspace's parts draw themselves (a file):
    // kind -> function (chat, message) -> the element in place of the text.
    messageRenderers: {},
    // And how they read in one line (the chat list, a notification):
    // kind -> function (message) -> text. Others read as their body.
    messageSummaries: {},
    summary: function (message) {
      var summarize = D.messageSummaries[message.kind];
      return summarize ? summarize(message) : message.body || '';
    },
    // Functions (chat, body) asked in turn before the composer sends a
    // message; one that returns true has taken the text (a note, say).
    beforeSend: [],
    config: config,
    t: t,
    el: el,
    parseTime: parseTime,
    formatDuration: formatDuration,
    formatClock: formatClock,
    pageVisible: pageVisible,
    isScrolledDown: isScrolledDown,
    scrollDown: scrollDown,
    state: state,
    ui: ui
  };

  // Deferred scripts all run before DOMContentLoaded: by then every part is
  // in place, and the page can draw itself and connect.
  document.addEventListener('DOMContentLoaded', function () {
    D.socket.restore();
    D.setConnection('connecting');
    D.renderQueue();
    D.renderChatList();
    D.renderConversation();
    D.socket.start();
  });
}());
