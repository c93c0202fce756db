/*
 * Files in the widget (docs/api.md, "Files"): the paperclip button and its
 * file picker, dropping files on the chat and pasting images, one line per
 * upload with its progress (cancellable, and sent again with the same
 * client id after a network error, so the file is stored once), and a FILE
 * message in the log: a thumbnail for an image, a card with a Download
 * button otherwise. The chat's token travels only in the X-Chat-Token
 * header: images and downloads are fetched and shown from blob: URLs, never
 * from an address with the token in it.
 *
 * Loaded with the live chat (core.js, loadChat) after common/files.js and
 * log.js, before chat.js, which calls W.files.applyState, setOpen and reset.
 */
(function () {
  'use strict';

  var W = window.helpdeskWidget;
  var S = W.strings;
  var F = window.HelpdeskFiles;
  var node = W.node;
  var format = W.format;
  var API = '/chat/' + encodeURIComponent(W.config.slug) + '/api/files';

  function $(id) { return document.getElementById('hd-' + id); }

  var el = {
    screen: $('screen-chat'), composer: $('composer'), message: $('message'), attach: $('attach'),
    input: $('file'), uploads: $('uploads'), drop: $('drop')
  };

  // From the chat's state (the channel's settings); until it comes, no button.
  var limits = { enabled: false, max_bytes: 0, accept: '' };
  var composerOpen = true;
  var uploads = [];

  function tokenHeader() {
    return { 'X-Chat-Token': W.chat.token || '' };
  }

  function mayAttach() {
    // Files do not reopen an ended chat (a text after "Write again" does): until then, none.
    return limits.enabled && composerOpen && !!W.chat.token && W.chat.status !== 'ended';
  }

  function refreshButton() {
    el.attach.hidden = !limits.enabled;
    el.attach.disabled = !mayAttach();
  }

  // ---------------------------------------------------------------- uploads

  function forget(row) {
    var index = uploads.indexOf(row);
    if (index !== -1) uploads.splice(index, 1);
  }

  function addUpload(file) {
    var row = F.uploadRow({
      list: el.uploads,
      file: file,
      name: file.name,
      url: API,
      headers: tokenHeader,
      maxBytes: limits.max_bytes,
      language: W.config.language,
      texts: {
        uploading: format(S.uploading, { name: file.name }),
        cancel: S.cancel_upload,
        cancelOf: format(S.cancel_upload_of, { name: file.name }),
        retry: S.retry_upload,
        retryOf: format(S.retry_upload_of, { name: file.name }),
        remove: S.dismiss_upload,
        removeOf: format(S.dismiss_upload_of, { name: file.name }),
        failed: S.upload_failed,
        tooLarge: format(S.file_too_large, { name: file.name, size: F.formatSize(limits.max_bytes, W.config.language) })
      },
      classes: {
        item: 'hd-upload', name: 'hd-upload-name', size: 'hd-upload-size', progress: 'hd-upload-progress',
        error: 'hd-upload-error', actions: 'hd-upload-actions', button: 'hd-button hd-upload-button',
        failed: 'hd-upload-failed'
      },
      onStored: function (message) {
        W.log.render(message);
        W.log.scrollToBottom();
      },
      onGone: function () { forget(row); },
      focusAfter: function () { el.message.focus(); }
    });
    uploads.push(row);
  }

  function button(text, label, onClick) {
    var b = node('button', 'hd-button hd-upload-button', text);
    b.type = 'button';
    b.setAttribute('aria-label', label);
    b.addEventListener('click', onClick);
    return b;
  }

  function addFiles(files) {
    if (!mayAttach()) return;
    files.forEach(addUpload);
  }

  el.attach.addEventListener('click', function () {
    if (mayAttach()) el.input.click();
  });

  el.input.addEventListener('change', function () {
    addFiles(Array.prototype.slice.call(el.input.files || []));
    el.input.value = '';
    el.message.focus();
  });

  F.dropTarget(el.screen, el.drop, addFiles, mayAttach);

  el.message.addEventListener('paste', function (event) {
    var files = F.pastedFiles(event).filter(function (file) { return F.kindOf(file.type) === 'image'; });
    if (!files.length || !mayAttach()) return;
    event.preventDefault();
    addFiles(files);
  });

  // ---------------------------------------------------------------- files in the log

  function fetchFile(key) {
    return fetch(API + '/' + encodeURIComponent(key), {
      credentials: 'same-origin',
      referrerPolicy: 'same-origin',
      headers: tokenHeader()
    }).then(function (response) {
      if (!response.ok) throw new Error('download failed: ' + response.status);
      return response.blob();
    });
  }

  function kindText(params) {
    return S['file_kind_' + (params.is_image ? 'image' : F.kindOf(params.content_type))] || S.file_kind_file;
  }

  function renderFile(message) {
    var params = message.params || {};
    var name = params.name || S.file_kind_file;
    var item = W.log.buildItem(message.author, message.author_name, '', message.created_at);
    item.classList.add('hd-msg-file');
    var body = item.querySelector('.hd-body');
    body.classList.add('hd-file');
    if (params.is_image) {
      var image = document.createElement('img');
      image.className = 'hd-file-thumb';
      image.alt = name;
      if (params.width && params.height) {
        image.width = params.width;
        image.height = params.height;
      }
      body.appendChild(image);
      fetchFile(params.key).then(function (blob) {
        var url = URL.createObjectURL(blob);
        // Once drawn, the image keeps its pixels: the blob need not stay in
        // memory for as long as the page lives (a long chat has many photos).
        image.addEventListener('load', function () { URL.revokeObjectURL(url); }, { once: true });
        image.addEventListener('error', function () { URL.revokeObjectURL(url); }, { once: true });
        image.src = url;
      }, function () {
        image.replaceWith(node('span', 'hd-file-error', S.file_load_failed));
      });
    }
    var card = node('span', 'hd-file-card');
    card.appendChild(node('span', 'hd-file-name', name));
    card.appendChild(node('span', 'hd-file-meta', kindText(params) + ' · ' + F.formatSize(params.size, W.config.language)));
    body.appendChild(card);
    var problem = node('p', 'hd-file-error');
    problem.setAttribute('role', 'alert');
    var download = button(S.download, format(S.download_file, { name: name }), function () {
      download.disabled = true;
      problem.textContent = '';
      fetchFile(params.key).then(function (blob) {
        download.disabled = false;
        F.saveBlob(blob, name);
      }, function () {
        download.disabled = false;
        problem.textContent = S.file_load_failed;
      });
    });
    download.className = 'hd-button hd-file-download';
    item.appendChild(download);
    item.appendChild(problem);
    return item;
  }

  W.log.renderers.file = renderFile;

  // ---------------------------------------------------------------- for chat.js

  W.files = {
    /** The chat's state may carry the channel's file settings (docs/api.md). */
    applyState: function (state) {
      if (state && state.files && typeof state.files === 'object') {
        limits = {
          enabled: !!state.files.enabled,
          max_bytes: Number(state.files.max_bytes) || 0,
          accept: typeof state.files.accept === 'string' ? state.files.accept : ''
        };
        if (limits.accept) el.input.setAttribute('accept', limits.accept);
        else el.input.removeAttribute('accept');
      }
      refreshButton();
    },
    setOpen: function (open) {
      composerOpen = open;
      refreshButton();
    },
    /** A new chat: uploads of the old one are dropped. */
    reset: function () {
      uploads.slice().forEach(function (row) { row.cancel(); });
      limits = { enabled: false, max_bytes: 0, accept: '' };
      refreshButton();
    }
  };
  refreshButton();
})();
