/*
 * Files in the chat, the agent's side (docs/api.md, "Files"): the paperclip
 * and its file picker, dropping files on the conversation and pasting
 * images into the composer, one line per upload with its progress
 * (cancellable, sent again with the same client id after a network error,
 * so the file is stored once), and a FILE message in the log
 * (D.messageRenderers.file): a thumbnail for an image, a card with a
 * download link otherwise. The session authenticates the file's address,
 * so a plain <img src> and <a download> do.
 *
 * A file always goes to the customer: in note mode (static/dashboard/notes.js)
 * there is nothing to attach, since a note is for agents only.
 */
(function () {
  'use strict';

  var D = window.helpdeskDashboard;
  var F = window.HelpdeskFiles;
  var state = D.state;
  var ui = D.ui;
  var t = D.t;
  var el = D.el;
  var lang = document.documentElement.lang || undefined;

  function $(id) { return document.getElementById(id); }

  var nodes = {
    conversation: $('conversation-body'),
    attach: $('files-attach'),
    hint: $('files-hint'),
    input: $('files-input'),
    uploads: $('files-uploads'),
    drop: $('files-drop')
  };

  // The channels' file settings, from `state` (channel id -> {enabled, max_bytes, accept}).
  var channelLimits = new Map();
  var defaultLimits = null;
  // Uploads under way or failed: {chatId, row (F.uploadRow)}.
  var uploads = [];

  function selected() {
    return state.chats.get(state.selectedId);
  }

  /** The file settings of the chat's channel: in its summary, its channel's entry in `state`, or the state's own. */
  function limitsFor(chat) {
    var summary = chat && chat.summary;
    if (summary && summary.files && typeof summary.files === 'object') { return summary.files; }
    if (summary && channelLimits.has(summary.channel_id)) { return channelLimits.get(summary.channel_id); }
    return defaultLimits;
  }

  function mayAttach(chat) {
    var limits = limitsFor(chat);
    return !!(chat && limits && limits.enabled && chat.status !== 'ended' &&
      !(typeof D.noteMode === 'function' && D.noteMode()));
  }

  function refresh() {
    var chat = selected();
    var limits = limitsFor(chat);
    var shown = !!(limits && limits.enabled);
    nodes.attach.hidden = !shown;
    nodes.hint.hidden = !shown;
    nodes.attach.disabled = !mayAttach(chat);
    if (limits && limits.accept) { nodes.input.setAttribute('accept', limits.accept); } else { nodes.input.removeAttribute('accept'); }
    uploads.forEach(function (upload) { upload.row.item.hidden = !chat || upload.chatId !== chat.id; });
  }

  function csrfToken() {
    var field = document.querySelector('input[name="csrfmiddlewaretoken"]');
    return field ? field.value : '';
  }

  // ---------------------------------------------------------------------------
  // Uploads

  function addUpload(chat, file) {
    var name = file.name || t('files_kind_file');
    var limits = limitsFor(chat) || {};
    var upload = { chatId: chat.id };
    upload.row = F.uploadRow({
      list: nodes.uploads,
      file: file,
      name: name,
      url: '/agent/chats/' + encodeURIComponent(chat.id) + '/files',
      headers: function () { return { 'X-CSRFToken': csrfToken() }; },
      maxBytes: limits.max_bytes,
      language: lang,
      texts: {
        uploading: t('files_uploading', { name: name }),
        cancel: t('files_cancel'),
        cancelOf: t('files_cancel_of', { name: name }),
        retry: t('files_retry'),
        retryOf: t('files_retry_of', { name: name }),
        remove: t('files_remove'),
        removeOf: t('files_remove_of', { name: name }),
        failed: t('files_failed'),
        tooLarge: t('files_too_large', { name: name, size: F.formatSize(limits.max_bytes, lang) })
      },
      classes: {
        item: 'files__upload', name: 'files__name', size: 'files__size', progress: 'files__progress',
        error: 'files__error', actions: 'files__actions', button: 'button button--quiet files__button',
        failed: 'files__upload--failed'
      },
      // Shown at once; the socket's message frame for the same seq is dropped (conversation.js).
      onStored: function (message) { D.onMessage(chat.id, message); },
      onGone: function () {
        var index = uploads.indexOf(upload);
        if (index !== -1) { uploads.splice(index, 1); }
      },
      focusAfter: function () { ui.input.focus(); }
    });
    uploads.push(upload);
  }

  function addFiles(files) {
    var chat = selected();
    if (!mayAttach(chat)) { return; }
    files.forEach(function (file) { addUpload(chat, file); });
  }

  nodes.attach.addEventListener('click', function () {
    if (mayAttach(selected())) { nodes.input.click(); }
  });

  nodes.input.addEventListener('change', function () {
    addFiles(Array.prototype.slice.call(nodes.input.files || []));
    nodes.input.value = '';
    ui.input.focus();
  });

  // The hint covers the whole conversation while a file is dragged over it.
  nodes.conversation.appendChild(nodes.drop);
  F.dropTarget(nodes.conversation, nodes.drop, addFiles, function () { return mayAttach(selected()); });

  ui.input.addEventListener('paste', function (event) {
    var files = F.pastedFiles(event).filter(function (file) { return F.kindOf(file.type) === 'image'; });
    if (!files.length || !mayAttach(selected())) { return; }
    event.preventDefault();
    addFiles(files);
  });

  // ---------------------------------------------------------------------------
  // A FILE message in the log

  function fileUrl(key) {
    return '/agent/files/' + encodeURIComponent(key);
  }

  function kindText(params) {
    return t('files_kind_' + (params.is_image ? 'image' : F.kindOf(params.content_type)));
  }

  // In one line (the chat list, a notification): "Image: holiday.jpg".
  D.messageSummaries.file = function (message) {
    var params = message.params || {};
    return t('files_summary', { kind: kindText(params), name: params.name || '' });
  };

  D.messageRenderers.file = function (chat, message) {
    var params = message.params || {};
    var name = params.name || t('files_kind_file');
    var body = el('div', 'msg__body msg__file');
    if (params.is_image && params.key) {
      var open = el('a', 'msg__file-open');
      open.href = fileUrl(params.key);
      open.target = '_blank';
      open.rel = 'noopener';
      open.setAttribute('aria-label', t('files_open_image', { name: name }));
      var image = el('img', 'msg__file-thumb');
      image.src = fileUrl(params.key);
      image.alt = name;
      if (params.width && params.height) {
        image.width = params.width;
        image.height = params.height;
      }
      open.appendChild(image);
      body.appendChild(open);
    }
    var card = el('span', 'msg__file-card');
    card.appendChild(el('span', 'msg__file-name', name));
    card.appendChild(el('span', 'msg__file-meta', kindText(params) + ' · ' + F.formatSize(params.size, lang)));
    body.appendChild(card);
    if (params.key) {
      var download = el('a', 'msg__file-download', t('files_download'));
      download.href = fileUrl(params.key);
      download.download = name;
      download.setAttribute('aria-label', t('files_download_of', { name: name }));
      body.appendChild(download);
    }
    return body;
  };

  // ---------------------------------------------------------------------------
  // Following the page

  D.on('state', function (frame) {
    if (frame.files && typeof frame.files === 'object') { defaultLimits = frame.files; }
    (Array.isArray(frame.channels) ? frame.channels : []).forEach(function (channel) {
      if (channel && channel.files && typeof channel.files === 'object') { channelLimits.set(channel.id, channel.files); }
    });
    refresh();
  });
  D.on('select', refresh);
  D.on('chat', refresh);
  D.on('chat-state', refresh);
  var noteToggle = $('note-toggle');
  if (noteToggle) { noteToggle.addEventListener('change', refresh); }
  refresh();
}());
