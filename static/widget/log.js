/*
 * The widget's message log: messages in seq order, the customer's own ones
 * marked "Sending…" until stored, events as sentences, and the agent's typing
 * indicator. The log is an aria-live region: what is added here is announced.
 * Loaded with chat.js (core.js, loadChat); offers window.helpdeskWidget.log.
 */
(function () {
  'use strict';

  var W = window.helpdeskWidget;
  var S = W.strings;
  var node = W.node;
  var format = W.format;
  var chat = W.chat;
  // An agent who stopped typing without a word may have closed the tab: the
  // indicator goes away by itself after this long.
  var TYPING_SHOW_MS = 6000;

  var log = document.getElementById('hd-log');
  var typing = document.getElementById('hd-typing');

  function formatTime(iso) {
    var date = iso ? new Date(iso) : new Date();
    if (isNaN(date.getTime())) return '';
    try {
      return date.toLocaleTimeString(W.config.language, { hour: '2-digit', minute: '2-digit' });
    } catch (e) {
      return date.toTimeString().slice(0, 5);
    }
  }

  function nearBottom() {
    return log.scrollHeight - log.scrollTop - log.clientHeight < 80;
  }

  function scrollToBottom() {
    log.scrollTop = log.scrollHeight;
  }

  function firstPending() {
    return log.querySelector('.hd-pending');
  }

  function buildText(author, authorName, body, iso) {
    var own = author === 'customer';
    var item = node('div', 'hd-msg ' + (own ? 'hd-msg-own' : 'hd-msg-' + author));
    var meta = node('p', 'hd-meta');
    meta.appendChild(node('span', 'hd-author', own ? S.you : (authorName || S.agent)));
    meta.appendChild(document.createTextNode(' '));
    var time = node('time', 'hd-time', formatTime(iso));
    time.dateTime = iso || new Date().toISOString();
    meta.appendChild(time);
    item.appendChild(meta);
    item.appendChild(node('p', 'hd-body', body));
    return item;
  }

  function endedText(by, agentName) {
    if (by === 'customer') return S.ended_customer;
    if (by === 'agent') return format(S.ended_agent, { agent: agentName || S.agent });
    return S.ended_system;
  }

  function eventText(message) {
    var params = message.params || {};
    if (message.event === 'joined') return format(S.joined, { agent: params.agent || S.agent });
    if (message.event === 'ended') return endedText(params.by, chat.agentName);
    if (message.event === 'reopened') return S.reopened;
    if (message.event === 'returned') return format(S.returned, { agent: params.agent || S.agent });
    if (message.event === 'request_created') return format(S.request_created, { request_id: params.request_id || '' });
    return '';
  }

  /** The customer's message, shown at once and marked until the server has stored it. */
  function renderPending(item) {
    var element = buildText('customer', '', item.body, null);
    element.classList.add('hd-pending');
    element.setAttribute('data-client-id', item.client_id);
    element.appendChild(node('p', 'hd-delivery', S.sending));
    log.appendChild(element);
    scrollToBottom();
  }

  function pendingFor(clientId) {
    var items = log.querySelectorAll('[data-client-id]');
    for (var i = 0; i < items.length; i++) {
      if (items[i].getAttribute('data-client-id') === clientId) return items[i];
    }
    return null;
  }

  function markFailed(element, reason) {
    element.classList.remove('hd-pending');
    element.classList.add('hd-failed');
    var status = element.querySelector('.hd-delivery') || element.appendChild(node('p', 'hd-delivery'));
    status.textContent = format(S.not_delivered, { reason: reason });
  }

  /** A stored message (the socket has dropped repeats already). */
  function render(message) {
    var stick = nearBottom();
    var element;
    if (message.kind === 'event') {
      var text = eventText(message);
      if (message.event === 'joined' && message.params && message.params.agent) chat.agentName = message.params.agent;
      if (!text) return;
      element = node('p', 'hd-event', text);
    } else {
      element = message.client_id ? pendingFor(message.client_id) : null;
      if (element) {
        // Our own message, now stored: drop the "Sending…" note and put it in log order.
        element.classList.remove('hd-pending', 'hd-failed');
        element.removeAttribute('data-client-id');
        var status = element.querySelector('.hd-delivery');
        if (status) status.remove();
        var time = element.querySelector('time');
        time.textContent = formatTime(message.created_at);
        time.dateTime = message.created_at;
      } else {
        element = buildText(message.author, message.author_name, message.body, message.created_at);
      }
      if (message.author === 'agent') hideTyping();
    }
    element.setAttribute('data-seq', String(message.seq));
    var before = firstPending();
    if (before !== element) log.insertBefore(element, before);
    if (stick || message.author === 'customer' || message.kind === 'event') scrollToBottom();
  }

  /** Acknowledged: stored, though its message frame may still be on its way. */
  function acked(clientId) {
    var element = pendingFor(clientId);
    var status = element && element.querySelector('.hd-delivery');
    if (status) status.remove();
    if (element) element.classList.remove('hd-pending');
  }

  function failed(clientId, reason) {
    var element = pendingFor(clientId);
    if (element) markFailed(element, reason);
  }

  function failAll(reason) {
    Array.prototype.forEach.call(log.querySelectorAll('.hd-pending'), function (pending) {
      markFailed(pending, reason);
    });
  }

  var typingHideTimer = null;

  function showTyping(name) {
    typing.textContent = format(S.typing, { name: name || chat.agentName || S.agent });
    typing.hidden = false;
    window.clearTimeout(typingHideTimer);
    typingHideTimer = window.setTimeout(hideTyping, TYPING_SHOW_MS);
  }

  function hideTyping() {
    window.clearTimeout(typingHideTimer);
    typing.hidden = true;
    typing.textContent = '';
  }

  W.log = {
    render: render,
    pending: renderPending,
    acked: acked,
    failed: failed,
    failAll: failAll,
    clear: function () { log.textContent = ''; },
    scrollToBottom: scrollToBottom,
    endedText: endedText,
    showTyping: showTyping,
    hideTyping: hideTyping
  };
})();
