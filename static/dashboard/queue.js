/*
 * The queue of the agent's channels: who waits, since when, and "Take" /
 * "Take next". Kept in the server's order (oldest first); entries are
 * updated in place so that focus and screen readers are not disturbed.
 * Offers onQueue, renderQueue, take and takeNext.
 */
(function () {
  'use strict';

  var D = window.helpdeskDashboard;
  var state = D.state;
  var ui = D.ui;
  var t = D.t;
  var el = D.el;

  var queueNodes = new Map(); // chat id -> li

  function onQueue(queue, initial) {
    var previous = state.queueIds;
    var ids = new Set(queue.map(function (entry) { return entry.id; }));
    var arrived = false;
    if (previous && !initial) {
      ids.forEach(function (id) { if (!previous.has(id)) { arrived = true; } });
    }
    state.queue = queue;
    state.queueIds = ids;
    ids.forEach(function (id) { state.everQueued.add(id); });
    renderQueue();
    D.updateTitle();
    if (arrived) { D.notify(); }
    D.emit('queue', queue, initial);
  }

  function renderQueue() {
    var focusedInside = ui.queueList.contains(document.activeElement);
    var keep = new Set();
    state.queue.forEach(function (entry) { keep.add(entry.id); });
    queueNodes.forEach(function (node, id) {
      if (!keep.has(id)) {
        node.parentNode && node.parentNode.removeChild(node);
        queueNodes.delete(id);
      }
    });
    var previous = null;
    state.queue.forEach(function (entry) {
      var node = queueNodes.get(entry.id);
      if (!node) {
        node = buildQueueItem(entry);
        queueNodes.set(entry.id, node);
      } else {
        updateQueueItem(node, entry);
      }
      var wanted = previous ? previous.nextSibling : ui.queueList.firstChild;
      if (wanted !== node) { ui.queueList.insertBefore(node, wanted); }
      previous = node;
    });
    if (focusedInside && !ui.queueList.contains(document.activeElement)) {
      ui.takeNext.focus();
    }
    ui.queueEmpty.hidden = state.queue.length > 0;
    ui.queueList.hidden = state.queue.length === 0;
    ui.queueCount.textContent = String(state.queue.length);
    tick();
  }

  function buildQueueItem(entry) {
    var li = el('li', 'queue__item');
    li.dataset.id = String(entry.id);
    var head = el('div', 'queue__head');
    var name = el('span', 'queue__name');
    var channel = el('span', 'queue__channel');
    head.appendChild(name);
    head.appendChild(channel);
    li.appendChild(head);
    li.appendChild(el('p', 'queue__question'));
    var foot = el('div', 'queue__foot');
    foot.appendChild(el('span', 'queue__wait'));
    var button = el('button', 'button button--small', t('take'));
    button.type = 'button';
    button.addEventListener('click', function () {
      take(Number(li.dataset.id));
    });
    foot.appendChild(button);
    li.appendChild(foot);
    updateQueueItem(li, entry);
    return li;
  }

  function updateQueueItem(li, entry) {
    li.querySelector('.queue__name').textContent = entry.customer_name || '';
    li.querySelector('.queue__channel').textContent = entry.channel || '';
    var question = li.querySelector('.queue__question');
    question.textContent = entry.question || '';
    question.hidden = !entry.question;
    li.querySelector('.queue__wait').dataset.since = entry.queued_at || '';
    li.querySelector('button').setAttribute('aria-label', t('take_customer', { name: entry.customer_name || '' }));
  }

  /** The waiting times, once a second. */
  function tick() {
    var now = Date.now();
    ui.queueList.querySelectorAll('.queue__wait').forEach(function (node) {
      var since = D.parseTime(node.dataset.since);
      var text = since === null ? '' : t('waiting_for', { time: D.formatDuration(now - since) });
      if (node.textContent !== text) { node.textContent = text; }
    });
  }

  function take(chatId) {
    state.takeRequested = chatId;
    state.lastTakeAt = Date.now();
    D.clearAlert();
    D.socket.send({ type: 'take', chat_id: chatId });
  }

  function takeNext() {
    state.takeRequested = 'next';
    state.lastTakeAt = Date.now();
    D.clearAlert();
    D.socket.send({ type: 'take_next' });
  }

  ui.takeNext.addEventListener('click', takeNext);
  setInterval(tick, 1000);

  D.onQueue = onQueue;
  D.renderQueue = renderQueue;
}());
