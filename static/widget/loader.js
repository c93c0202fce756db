/*
 * Helpdesk chat loader. Embed with:
 *   <script src="https://helpdesk.example/static/widget/loader.js" data-channel="support" async></script>
 * Optional pre-fill: data-name, data-email, data-field-<key>.
 * Before the click this draws a button and nothing else: no cookie, no storage
 * write, no websocket. The chat itself runs in an iframe from the helpdesk.
 * The one global: HelpdeskChat.forget() (docs/privacy-widget.md).
 */
(function () {
  'use strict';
  var d = document;
  var w = window;
  var script = d.currentScript || d.querySelector('script[data-channel][src*="loader.js"]');
  var slug = script && script.getAttribute('data-channel');
  if (!slug || !/^[-\w]+$/.test(slug)) return;
  var id = 'helpdesk-' + slug;
  if (d.getElementById(id + '-button')) return;
  var base = new URL(script.src, location.href).origin;
  var url = base + '/chat/' + slug + '/';
  var key = 'helpdesk.widget.' + slug;
  var hex = /^#[0-9a-fA-F]{6}$/;
  var button, frame, loaded, userOpened, forgetOnLoad;

  function store(value) {
    try {
      if (value) sessionStorage.setItem(key, value);
      else sessionStorage.removeItem(key);
    } catch (e) { /* storage blocked: the chat just won't reopen by itself */ }
  }

  function stored() {
    try { return sessionStorage.getItem(key); } catch (e) { return null; }
  }

  function prefill() {
    // The host page the chat starts on, for the agent (its address without the fragment).
    var page = { url: location.href.split('#')[0], title: d.title };
    var data = { type: 'helpdesk:hello', focus: userOpened, fields: {}, page: page };
    var attrs = script.attributes;
    for (var i = 0; i < attrs.length; i++) {
      var n = attrs[i].name;
      if (n === 'data-name' || n === 'data-email') data[n.slice(5)] = attrs[i].value;
      else if (n.indexOf('data-field-') === 0) data.fields[n.slice(11)] = attrs[i].value;
    }
    return data;
  }

  function post(message) {
    if (frame && loaded) frame.contentWindow.postMessage(message, base);
  }

  function show(open, byUser) {
    userOpened = byUser;
    if (open && !frame) {
      frame = d.createElement('iframe');
      frame.id = id + '-frame';
      frame.className = 'helpdesk-frame';
      frame.title = button.textContent;
      frame.addEventListener('load', function () {
        loaded = true;
        // Late on a busy page: the customer may be typing in the widget already.
        if (!frame.hidden && userOpened && d.activeElement !== frame) frame.focus();
        post(prefill());
        if (forgetOnLoad) {
          forgetOnLoad = false;
          post({ type: 'helpdesk:forget' });
        }
      });
      frame.src = url;
      button.setAttribute('aria-controls', frame.id);
      button.parentNode.insertBefore(frame, button.nextSibling);
    }
    if (frame) frame.hidden = !open;
    button.setAttribute('aria-expanded', open ? 'true' : 'false');
    if (open && loaded && byUser) {
      frame.focus();
      post({ type: 'helpdesk:focus' });
    }
  }

  window.addEventListener('message', function (event) {
    if (!frame || event.source !== frame.contentWindow || event.origin !== base) return;
    var type = event.data && event.data.type;
    if (type === 'helpdesk:minimize') {
      show(false);
      store('minimized');
      button.focus();
    } else if (type === 'helpdesk:ended') {
      store('');
    } else if (type === 'helpdesk:started' && !frame.hidden) {
      store('open');
    }
  });

  // The token is in the helpdesk's storage: without an open widget, a hidden frame of it forgets.
  function forget() {
    store('');
    if (frame) {
      if (loaded) post({ type: 'helpdesk:forget' });
      else forgetOnLoad = true;
      if (!frame.hidden) {
        var focused = d.activeElement === frame;
        show(false);
        if (focused && button) button.focus();
      }
      return;
    }
    var helper = d.createElement('iframe');
    helper.hidden = true;
    helper.tabIndex = -1;
    helper.setAttribute('aria-hidden', 'true');
    helper.style.display = 'none';
    helper.src = url + '#forget';
    var timer;
    function done(event) {
      if (event && (event.source !== helper.contentWindow || event.origin !== base ||
          !event.data || event.data.type !== 'helpdesk:forgotten')) return;
      w.removeEventListener('message', done);
      w.clearTimeout(timer);
      helper.remove();
    }
    w.addEventListener('message', done);
    timer = w.setTimeout(done, 30000);
    d.body.appendChild(helper);
  }

  d.addEventListener('helpdesk:forget', forget);
  if (!w.HelpdeskChat) {
    w.HelpdeskChat = {
      forget: function () { d.dispatchEvent(new CustomEvent('helpdesk:forget')); }
    };
  }

  function draw(config) {
    var color = hex.test(config.color) ? config.color : '#1a73e8';
    var text = hex.test(config.textColor) ? config.textColor : '#ffffff';
    var css =
      '#' + id + '-button{position:fixed;right:20px;bottom:20px;z-index:2147483646;margin:0;' +
      'padding:12px 20px;border:0;border-radius:24px;font:600 16px/1.25 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;' +
      'background:' + color + ';color:' + text + ';cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.3);' +
      'max-width:calc(100vw - 40px);text-transform:none;letter-spacing:normal}' +
      '#' + id + '-button:focus{outline:3px solid #111;outline-offset:2px;box-shadow:0 0 0 2px #fff,0 4px 14px rgba(0,0,0,.3)}' +
      '#' + id + '-button:focus:not(:focus-visible){outline:0}' +
      '#' + id + '-frame{position:fixed;right:20px;bottom:84px;z-index:2147483647;width:370px;height:560px;' +
      'max-width:calc(100vw - 40px);max-height:calc(100vh - 104px);border:0;border-radius:12px;background:#fff;' +
      'box-shadow:0 8px 32px rgba(0,0,0,.3);display:block;margin:0;padding:0}' +
      '#' + id + '-frame[hidden]{display:none!important}' +
      '@media (max-width:480px){#' + id + '-frame{top:0;left:0;right:0;bottom:0;width:100%;height:100%;' +
      'max-width:none;max-height:none;border-radius:0}}';
    if ('adoptedStyleSheets' in d && w.CSSStyleSheet) {
      // A constructed style sheet: the host page's Content-Security-Policy
      // (style-src) does not apply to it, so strict sites need not allow inline styles.
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(css);
      d.adoptedStyleSheets = d.adoptedStyleSheets.concat([sheet]);
    } else {
      var style = d.createElement('style');
      style.nonce = script.nonce || '';  // a site with a nonce policy gave one to this script
      style.textContent = css;
      d.head.appendChild(style);
    }
    button = d.createElement('button');
    button.type = 'button';
    button.id = id + '-button';
    button.className = 'helpdesk-button';
    button.textContent = config.label || 'Chat';
    button.setAttribute('aria-expanded', 'false');
    button.addEventListener('click', function () {
      var open = !frame || frame.hidden;
      show(open, true);
      store(open ? 'open' : 'minimized');
      if (!open) post({ type: 'helpdesk:hidden' });
    });
    d.body.appendChild(button);
    if (stored() === 'open') show(true, false);
  }

  fetch(url + 'api/button', { credentials: 'omit', mode: 'cors' })
    .then(function (response) { return response.json(); })
    .then(function (config) {
      var error = config.error;
      // Not allowed on this site: the hint names the admin setting for the site's owner.
      if (error) return error.code === 'origin_not_allowed' && console.warn(error.message);
      // Closed, no requests taken, and the channel asks to hide: no button.
      if (config.hidden) return;
      if (d.body) draw(config);
      else d.addEventListener('DOMContentLoaded', function () { draw(config); });
    })
    .catch(function () { /* unreachable: no button */ });
})();
