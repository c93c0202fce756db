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

  /**
   * An FAQ entry the agent sent: a card with the question and a "Show answer"
   * button that loads the answer into the card (POST api/chat-faq/<id>, with
   * the chat's token: only entries sent into this chat).
   */
  function buildFaqCard(message) {
    var params = message.params || {};
    var item = buildText('agent', message.author_name, '', message.created_at);
    item.classList.add('hd-msg-faq');
    var body = item.querySelector('.hd-body');
    body.appendChild(node('span', 'hd-faq-card-label', S.faq_entry));
    body.appendChild(node('strong', 'hd-faq-card-question', params.question || message.body || ''));
    var panelId = 'hd-faq-card-' + message.seq;
    var toggle = node('button', 'hd-button hd-faq-card-toggle', S.show_answer);
    toggle.type = 'button';
    toggle.setAttribute('aria-expanded', 'false');
    toggle.setAttribute('aria-controls', panelId);
    var panel = node('div', 'hd-faq-card-answer');
    panel.id = panelId;
    panel.hidden = true;
    toggle.addEventListener('click', function () {
      var open = toggle.getAttribute('aria-expanded') !== 'true';
      if (!open) {
        toggle.setAttribute('aria-expanded', 'false');
        toggle.textContent = S.show_answer;
        panel.hidden = true;
        return;
      }
      var show = function () {
        toggle.setAttribute('aria-expanded', 'true');
        toggle.textContent = S.hide_answer;
        panel.hidden = false;
      };
      if (panel.getAttribute('data-loaded')) { show(); return; }
      toggle.disabled = true;
      W.api('chat-faq/' + encodeURIComponent(params.entry_id), {}, { 'X-Chat-Token': W.chatToken() || '' }).then(function (result) {
        toggle.disabled = false;
        if (!result.ok || typeof result.data.answer !== 'string') {
          panel.textContent = S.answer_failed;
        } else {
          // The answer is HTML sanitized by the server with an allow-list
          // (faq/sanitize.py), inserted as the widget's FAQ view does.
          panel.innerHTML = result.data.answer;
          panel.setAttribute('data-loaded', 'true');
        }
        show();
      }, function () {
        toggle.disabled = false;
        panel.textContent = S.answer_failed;
        show();
      });
    });
    item.appendChild(toggle);
    item.appendChild(panel);
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
    // A second agent (a manager) joining and leaving: the chat's agent stays who it is.
    if (message.event === 'participant_joined') return format(S.joined, { agent: params.agent || S.agent });
    if (message.event === 'participant_left') return format(S.participant_left, { agent: params.agent || S.agent });
    if (message.event === 'ended') return endedText(params.by, chat.agentName);
    if (message.event === 'reopened') return S.reopened;
    if (message.event === 'transferred' && params.to_channel) return format(S.transferred_channel, { channel: params.to_channel });
    if (message.event === 'transferred') return format(S.transferred, { from: params.from || S.agent, to: params.to || S.agent });
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

  // Kind-specific messages (static/widget/files.js): kind -> function (message) -> element.
  var renderers = {};

  function storedElement(seq) {
    return log.querySelector('[data-seq="' + String(seq) + '"]');
  }

  /** Where a stored message goes: before the first one with a higher seq, else before the pending ones. */
  function placeBefore(seq) {
    var items = log.querySelectorAll('[data-seq]');
    for (var i = 0; i < items.length; i++) {
      if (Number(items[i].getAttribute('data-seq')) > seq) return items[i];
    }
    return firstPending();
  }

  /**
   * A stored message. The socket has dropped its own repeats; a message the
   * widget has shown already from an HTTP answer (a file it sent) is dropped
   * here by its seq.
   */
  function render(message) {
    if (typeof message.seq === 'number' && storedElement(message.seq)) return;
    var stick = nearBottom();
    var element;
    if (renderers[message.kind]) {
      element = renderers[message.kind](message);
      if (message.author === 'agent') hideTyping(message.author_name);
    } else if (message.kind === 'event') {
      var text = eventText(message);
      if (message.event === 'joined' && message.params && message.params.agent) chat.agentName = message.params.agent;
      if (!text) return;
      element = node('p', 'hd-event', text);
    } else if (message.kind === 'faq') {
      element = buildFaqCard(message);
      hideTyping(message.author_name);
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
      if (message.author === 'agent') hideTyping(message.author_name);
    }
    element.setAttribute('data-seq', String(message.seq));
    var before = placeBefore(message.seq);
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

  // Who is typing (a manager who joined types beside the agent): name ->
  // the timer that hides them by themselves. The latest to start is shown.
  var typers = new Map();

  function typerName(name) {
    return name || chat.agentName || S.agent;
  }

  function renderTyping() {
    var names = Array.from(typers.keys());
    typing.hidden = !names.length;
    typing.textContent = names.length ? format(S.typing, { name: names[names.length - 1] }) : '';
  }

  function showTyping(name) {
    name = typerName(name);
    window.clearTimeout(typers.get(name));
    typers.delete(name);
    typers.set(name, window.setTimeout(function () { hideTyping(name); }, TYPING_SHOW_MS));
    renderTyping();
  }

  /** `name` stopped typing or wrote; without a name, everyone. */
  function hideTyping(name) {
    var who = name === undefined ? null : typerName(name);
    typers.forEach(function (timer, typer) {
      if (who === null || typer === who) {
        window.clearTimeout(timer);
        typers.delete(typer);
      }
    });
    renderTyping();
  }

  W.log = {
    render: render,
    renderers: renderers,
    buildItem: buildText,
    formatTime: formatTime,
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
