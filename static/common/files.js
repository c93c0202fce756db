/*
 * Files in the chat, what the widget and the dashboard share (the contract:
 * docs/api.md, "Files"): sending one file over HTTP with its progress,
 * picking files from a drop or a paste, sizes and kinds in words, and saving
 * a blob under its name. Screens and texts stay with each face
 * (static/widget/files.js, static/dashboard/files.js). Exposes one global,
 * HelpdeskFiles.
 *
 * Written here rather than taken from a library: Dropzone, FilePond and Uppy
 * were compared. Each brings its own markup, texts and styles (which would
 * need translating a second time and restyling to the page), Uppy needs a
 * bundler, and none knows the chat's client ids or error shape. What is left
 * to do is XMLHttpRequest's upload progress (fetch has none in browsers
 * yet), a FormData and two event listeners, about a hundred lines.
 */
(function () {
  'use strict';

  /** The kind a content type belongs to, as the channel's settings name them (chat.conversations.attachments). */
  function kindOf(contentType) {
    var type = String(contentType || '').toLowerCase();
    if (type.indexOf('image/') === 0) return 'image';
    if (type === 'application/pdf') return 'pdf';
    if (type.indexOf('text/') === 0) return 'text';
    if (/officedocument|msword|ms-excel|ms-powerpoint|opendocument/.test(type)) return 'office';
    return 'file';
  }

  /** "12 kB", "3.4 MB" in the page's language (Intl knows the units' names). */
  function formatSize(bytes, language) {
    var value = Number(bytes) || 0;
    var unit = 'byte';
    if (value >= 1024 * 1024) { value = value / (1024 * 1024); unit = 'megabyte'; } else if (value >= 1024) { value = value / 1024; unit = 'kilobyte'; }
    try {
      return new Intl.NumberFormat(language || undefined, {
        style: 'unit', unit: unit, unitDisplay: 'short', maximumFractionDigits: unit === 'megabyte' ? 1 : 0
      }).format(value);
    } catch (e) {
      return Math.round(value * 10) / 10 + ' ' + { byte: 'B', kilobyte: 'kB', megabyte: 'MB' }[unit];
    }
  }

  /**
   * Send one file: multipart/form-data with `file` and `client_id`.
   * options: url, file, clientId, headers, onProgress(fraction).
   * Returns { done: Promise, cancel() }. `done` always resolves, with
   * { ok, status, data, network, cancelled }: status 0 and network true when
   * no answer came (the same client id may be sent again: the server stores
   * the file once).
   */
  function upload(options) {
    var xhr = new XMLHttpRequest();
    var cancelled = false;
    var done = new Promise(function (resolve) {
      function finish(result) {
        result.cancelled = cancelled;
        resolve(result);
      }
      xhr.open('POST', options.url);
      xhr.responseType = 'text';
      xhr.setRequestHeader('Accept', 'application/json');
      Object.keys(options.headers || {}).forEach(function (name) { xhr.setRequestHeader(name, options.headers[name]); });
      xhr.upload.addEventListener('progress', function (event) {
        if (event.lengthComputable && options.onProgress) options.onProgress(event.loaded / event.total);
      });
      xhr.addEventListener('load', function () {
        var data = {};
        try { data = JSON.parse(xhr.responseText) || {}; } catch (e) { data = {}; }
        finish({ ok: xhr.status >= 200 && xhr.status < 300, status: xhr.status, data: data, network: false });
      });
      function failed() { finish({ ok: false, status: 0, data: {}, network: true }); }
      xhr.addEventListener('error', failed);
      xhr.addEventListener('timeout', failed);
      xhr.addEventListener('abort', failed);
      var form = new FormData();
      form.append('client_id', options.clientId);
      form.append('file', options.file, options.file.name || 'file');
      xhr.send(form);
    });
    return {
      done: done,
      cancel: function () {
        cancelled = true;
        xhr.abort();
      }
    };
  }

  /** The error of a refused upload: { code, message }, the server's translated text when it sent one. */
  function errorOf(result, fallback) {
    var error = result.data && result.data.error;
    if (error && typeof error.message === 'string' && error.message) return { code: String(error.code || ''), message: error.message };
    return { code: result.network ? 'network' : 'http_' + result.status, message: fallback };
  }

  /** Worth sending again with the same client id: nothing came back, the server failed, or it asked to wait. */
  function retryable(result) {
    return result.network || result.status >= 500 || result.status === 429;
  }

  /** The files of a paste: images copied to the clipboard (a screenshot) come as files. */
  function pastedFiles(event) {
    var data = event.clipboardData;
    if (!data) return [];
    var files = Array.prototype.slice.call(data.files || []);
    if (!files.length && data.items) {
      Array.prototype.forEach.call(data.items, function (item) {
        if (item.kind === 'file') {
          var file = item.getAsFile();
          if (file) files.push(file);
        }
      });
    }
    return files;
  }

  function carriesFiles(event) {
    var types = event.dataTransfer && event.dataTransfer.types;
    return !!types && Array.prototype.indexOf.call(types, 'Files') !== -1;
  }

  /**
   * Files dropped on `element` go to onFiles(files); while they are dragged
   * over it, `hint` shows (and the element has the class is-dropping).
   * enabled() says whether a drop is taken at all.
   */
  var pageGuarded = false;

  /**
   * A file dropped anywhere else on the page would make the browser open it
   * in place of the chat (losing the page, its drafts and its socket): a file
   * dragged over the page outside a drop target is refused instead.
   */
  function guardPage() {
    if (pageGuarded) return;
    pageGuarded = true;
    ['dragover', 'drop'].forEach(function (type) {
      document.addEventListener(type, function (event) {
        if (!carriesFiles(event) || event.defaultPrevented) return;
        event.preventDefault();
        if (event.dataTransfer) event.dataTransfer.dropEffect = 'none';
      });
    });
  }

  function dropTarget(element, hint, onFiles, enabled) {
    var depth = 0;
    guardPage();
    function show(on) {
      hint.hidden = !on;
      element.classList.toggle('is-dropping', on);
    }
    element.addEventListener('dragenter', function (event) {
      if (!carriesFiles(event) || !enabled()) return;
      event.preventDefault();
      depth += 1;
      show(true);
    });
    element.addEventListener('dragover', function (event) {
      if (!carriesFiles(event)) return;
      // Cancelled either way, so the browser never opens the file; refused while files cannot be sent.
      event.preventDefault();
      event.dataTransfer.dropEffect = enabled() ? 'copy' : 'none';
    });
    element.addEventListener('dragleave', function (event) {
      if (!carriesFiles(event)) return;
      depth = Math.max(0, depth - 1);
      if (!depth) show(false);
    });
    element.addEventListener('drop', function (event) {
      if (!carriesFiles(event)) return;
      // Never let the browser open the file in place of the chat.
      event.preventDefault();
      depth = 0;
      show(false);
      if (enabled()) onFiles(Array.prototype.slice.call(event.dataTransfer.files || []));
    });
  }

  /**
   * One file on its way, as a row of `options.list`: its name, size and
   * progress, then Cancel while it goes, and Try again (when worth it) and
   * Remove when it failed. Both faces use it with their own texts and class
   * names; what to do with the stored message is theirs (onStored).
   * options: list, file, name, url, headers() (asked at every try),
   * maxBytes, language, texts {uploading, cancel, cancelOf, retry, retryOf,
   * remove, removeOf, failed, tooLarge}, classes {item, name, size, progress,
   * error, actions, button, failed}, onStored(message), onGone() (the row
   * left: cancelled, removed or stored), focusAfter() (where focus goes
   * when the row's own button is gone).
   * Returns { item, cancel() }.
   */
  function uploadRow(options) {
    var classes = options.classes;
    var texts = options.texts;
    var request = null;
    var clientId = window.HelpdeskSocket.newClientId();

    function part(tag, className, text) {
      var node = document.createElement(tag);
      node.className = className;
      if (text !== undefined) node.textContent = text;
      return node;
    }

    function button(text, label, onClick) {
      var node = part('button', classes.button, text);
      node.type = 'button';
      node.setAttribute('aria-label', label);
      node.addEventListener('click', onClick);
      return node;
    }

    var item = part('li', classes.item);
    item.appendChild(part('span', classes.name, options.name));
    item.appendChild(part('span', classes.size, formatSize(options.file.size, options.language)));
    var progress = part('progress', classes.progress);
    progress.max = 1;
    progress.setAttribute('aria-label', texts.uploading);
    item.appendChild(progress);
    var error = part('p', classes.error);
    // Filled in after it is in the page: an alert region announces what appears in it.
    error.setAttribute('role', 'alert');
    item.appendChild(error);
    var actions = part('span', classes.actions);
    var cancelButton = button(texts.cancel, texts.cancelOf, function () {
      cancel();
      options.focusAfter();
    });
    var retryButton = button(texts.retry, texts.retryOf, function () {
      send();
      cancelButton.focus();
    });
    var removeButton = button(texts.remove, texts.removeOf, function () {
      gone();
      options.focusAfter();
    });
    actions.appendChild(cancelButton);
    actions.appendChild(retryButton);
    actions.appendChild(removeButton);
    item.appendChild(actions);

    function gone() {
      item.remove();
      options.onGone();
    }

    function cancel() {
      if (request) request.cancel();
      gone();
    }

    function showError(message, canRetry) {
      item.classList.add(classes.failed);
      progress.hidden = true;
      cancelButton.hidden = true;
      error.textContent = message;
      retryButton.hidden = !canRetry;
      removeButton.hidden = false;
    }

    function send() {
      item.classList.remove(classes.failed);
      error.textContent = '';
      progress.hidden = false;
      progress.removeAttribute('value');
      cancelButton.hidden = false;
      retryButton.hidden = true;
      removeButton.hidden = true;
      request = upload({
        url: options.url,
        file: options.file,
        clientId: clientId,
        headers: options.headers(),
        onProgress: function (fraction) { progress.value = fraction; }
      });
      request.done.then(function (result) {
        request = null;
        if (result.cancelled) return;
        if (result.ok && result.data.message) {
          gone();
          options.onStored(result.data.message);
          return;
        }
        showError(errorOf(result, texts.failed).message, retryable(result));
      });
    }

    options.list.appendChild(item);
    if (options.maxBytes && options.file.size > options.maxBytes) {
      // Refused before a byte leaves; the server checks again in any case.
      showError(texts.tooLarge, false);
    } else {
      send();
    }
    return { item: item, cancel: cancel };
  }

  /** Save `blob` under `name`, as a download link would. */
  function saveBlob(blob, name) {
    var url = URL.createObjectURL(blob);
    var link = document.createElement('a');
    link.href = url;
    link.download = name || 'file';
    link.hidden = true;
    document.body.appendChild(link);
    link.click();
    link.remove();
    // The download has taken the bytes by the next turns of the event loop.
    window.setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
  }

  window.HelpdeskFiles = {
    kindOf: kindOf,
    formatSize: formatSize,
    upload: upload,
    errorOf: errorOf,
    retryable: retryable,
    pastedFiles: pastedFiles,
    dropTarget: dropTarget,
    uploadRow: uploadRow,
    saveBlob: saveBlob
  };
})();
