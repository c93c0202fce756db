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

  var D = window.helpdeskDashboard = {
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
