/**
 * The sandbox's two browser scripts, served as they are (plain ES2017, no build step), and the
 * messages between them:
 *
 * - `/shared/merchant.js` (+ `/shared/merchant.css`), at the path of ECommPay's
 *   (`https://paymentpage.ecommpay.com/shared/merchant.js`): `EPayWidget.run(config, method)`
 *   opens the Payment Page with the signed parameters of `config` (`GET`, the default, or
 *   `POST`) in a modal frame over the merchant's page, in the element named by
 *   `target_element`, or, with `redirect` (or `redirect_on_mobile` on a phone), in the whole
 *   window. It adds `frame_mode=iframe` and `_referrer` (its page; neither is signed), and
 *   calls the hooks of `config`: `onLoaded`, `onPaymentSuccess`, `onPaymentFail` (once each
 *   per run), `onExit` (the shopper closed it) and `onDestroy` (it is gone).
 * - `/assets/payment-page.js`: loaded by a framed Payment Page that knows its `_referrer`, it
 *   posts `{message, data}` to that origin only: {@link FRAME_MESSAGES}.
 *
 * merchant.js trusts a message only from the frame it opened and from the sandbox's origin
 * (the origin it was loaded from). It works under a strict CSP that lists the sandbox's origin
 * in `script-src` and `frame-src` (and `form-action` for `POST`): no inline script or style,
 * no `innerHTML`, styles set through the CSSOM, nothing that Trusted Types guards.
 */

export const MERCHANT_JS_PATH = '/shared/merchant.js';
export const MERCHANT_CSS_PATH = '/shared/merchant.css';
export const PAYMENT_PAGE_SCRIPT_PATH = '/assets/payment-page.js';

/** What a framed Payment Page posts to the page that framed it (`data`: `payment_id`, `status`, `code`, `message`). */
export const FRAME_MESSAGES = {
  loaded: 'epframe.loaded',
  success: 'epframe.payment.success',
  fail: 'epframe.payment.fail',
} as const;

/** The framed page's messenger: the outcome to `data-parent-origin` (pages.ts), nothing else. */
export const PAYMENT_PAGE_SCRIPT = `// ECommPay sandbox: tells the page that framed this Payment Page (merchant.js) what happened.
(function () {
  'use strict';
  var parentOrigin = document.body && document.body.getAttribute('data-parent-origin');
  if (!parentOrigin || window.parent === window) return;
  var idCell = document.querySelector('[data-field="payment-id"]');
  var paymentId = idCell ? idCell.textContent : '';
  function post(message, data) {
    window.parent.postMessage({ message: message, data: data }, parentOrigin);
  }
  post(${JSON.stringify(FRAME_MESSAGES.loaded)}, { payment_id: paymentId });
  var outcome = document.querySelector('[data-outcome]');
  if (!outcome) return;
  var data = { payment_id: paymentId, status: outcome.getAttribute('data-status') };
  if (outcome.hasAttribute('data-code')) {
    data.code = outcome.getAttribute('data-code');
    data.message = outcome.getAttribute('data-message');
  }
  var success = outcome.getAttribute('data-outcome') === 'success';
  post(success ? ${JSON.stringify(FRAME_MESSAGES.success)} : ${JSON.stringify(FRAME_MESSAGES.fail)}, data);
})();
`;

export const MERCHANT_CSS = `/* ECommPay sandbox: merchant.js styles its modal itself (through the CSSOM, which a strict
   style-src allows). This file is here so that a page linking ECommPay's merchant.css loads it.
   Its elements carry classes to restyle (with !important): .epframe-overlay, .epframe-dialog,
   .epframe-close, .epframe-frame. */
`;

/**
 * merchant.js. `baseUrl` is the sandbox's base URL, used only when the script cannot tell where
 * it was loaded from (`document.currentScript` is null when a loader inserts it).
 */
export function merchantJs(baseUrl: string): string {
  return `// ECommPay sandbox merchant.js: EPayWidget.run(config, method). See the sandbox's docs.
(function () {
  'use strict';
  var script = document.currentScript;
  var ORIGIN = new URL(script && script.src ? script.src : ${JSON.stringify(`${baseUrl}/`)}).origin;
  var MESSAGES = ${JSON.stringify(FRAME_MESSAGES)};
  var runs = 0;
  var current = null;

  function truthy(value) {
    return value === true || value === 1 || value === '1' || value === 'true' || value === 'True';
  }

  function styled(tag, className, css) {
    var element = document.createElement(tag);
    element.className = className;
    element.style.cssText = css;
    return element;
  }

  /** The parameters to send: everything but the hooks, as text; frame_mode and _referrer added. */
  function paramsOf(config, framed) {
    var params = [];
    Object.keys(config).forEach(function (name) {
      var value = config[name];
      if (typeof value === 'function' || value === undefined || value === null) return;
      if (name === '_referrer') return;
      if (typeof value === 'object') {
        throw new TypeError('EPayWidget.run: config.' + name + ' must be text, a number or a boolean (send JSON values as the text you signed)');
      }
      params.push([name, String(value)]);
    });
    if (framed && config.frame_mode === undefined) params.push(['frame_mode', 'iframe']);
    params.push(['_referrer', location.origin + location.pathname]);
    return params;
  }

  function submit(method, params, target) {
    if (method === 'GET') {
      var url = ORIGIN + '/payment?' + new URLSearchParams(params).toString();
      if (target === '_self') location.assign(url);
      return url;
    }
    var form = styled('form', 'epframe-form', 'display:none');
    form.method = 'post';
    form.action = ORIGIN + '/payment';
    form.acceptCharset = 'utf-8';
    form.target = target;
    params.forEach(function (pair) {
      var input = document.createElement('input');
      input.type = 'hidden';
      input.name = pair[0];
      input.value = pair[1];
      form.appendChild(input);
    });
    document.body.appendChild(form);
    form.submit();
    form.remove();
    return undefined;
  }

  function run(config, method) {
    if (typeof config !== 'object' || config === null) {
      throw new TypeError('EPayWidget.run: config must be an object: the Payment Page parameters and their signature');
    }
    var verb = method === undefined ? 'GET' : String(method).toUpperCase();
    if (verb !== 'GET' && verb !== 'POST') {
      throw new TypeError('EPayWidget.run: method must be "GET" or "POST" (got ' + JSON.stringify(String(method)) + ')');
    }
    if (typeof config.signature !== 'string' || config.signature === '') {
      throw new TypeError('EPayWidget.run: config.signature is required: sign the parameters on your server');
    }
    var mobile = window.matchMedia && window.matchMedia('(max-width: 640px), (pointer: coarse)').matches;
    if (truthy(config.redirect) || (truthy(config.redirect_on_mobile) && mobile)) {
      submit(verb, paramsOf(config, false), '_self');
      return { close: function () {} };
    }
    var container = null;
    if (config.target_element !== undefined) {
      container = document.getElementById(String(config.target_element));
      if (!container) throw new TypeError('EPayWidget.run: no element with the id of target_element ' + JSON.stringify(String(config.target_element)));
    }
    var params = paramsOf(config, true);
    if (current) current.close();

    var previous = document.activeElement;
    var frame = styled('iframe', 'epframe-frame', 'display:block;width:100%;border:0;' + (container ? 'height:680px' : 'flex:1 1 auto;min-height:0'));
    frame.name = 'epframe-' + ++runs;
    frame.title = '收银台 Payment Page';
    var overlay = null;
    if (container) {
      container.appendChild(frame);
    } else {
      overlay = styled('div', 'epframe-overlay', 'position:fixed;inset:0;z-index:2147483000;display:flex;align-items:center;justify-content:center;padding:0;background:rgba(0,0,0,.55)');
      var dialog = styled('div', 'epframe-dialog', 'display:flex;flex-direction:column;width:100%;max-width:440px;height:100%;max-height:760px;background:#fff;border-radius:12px;overflow:hidden');
      dialog.setAttribute('role', 'dialog');
      dialog.setAttribute('aria-modal', 'true');
      dialog.setAttribute('aria-label', '收银台 Payment Page');
      var closeButton = styled('button', 'epframe-close', 'align-self:flex-end;font:600 16px system-ui,sans-serif;padding:12px 16px;border:0;background:transparent;color:#1d2330;cursor:pointer');
      closeButton.type = 'button';
      closeButton.textContent = '关闭 Close';
      closeButton.setAttribute('aria-label', '关闭收银台 Close the payment page');
      closeButton.addEventListener('click', function () { instance.close(); });
      dialog.appendChild(closeButton);
      dialog.appendChild(frame);
      overlay.appendChild(dialog);
      overlay.addEventListener('click', function (event) {
        if (event.target === overlay && truthy(config.close_on_missclick)) instance.close();
      });
      overlay.addEventListener('keydown', function (event) {
        if (event.key === 'Escape') instance.close();
      });
      document.body.appendChild(overlay);
    }

    var loaded = false;
    var settled = false;
    function call(name, data) {
      if (typeof config[name] === 'function') config[name](data);
    }
    function onMessage(event) {
      if (event.origin !== ORIGIN || event.source !== frame.contentWindow) return;
      var data = event.data;
      if (typeof data === 'string') {
        try { data = JSON.parse(data); } catch (error) { return; }
      }
      if (!data || typeof data.message !== 'string') return;
      var detail = data.data && typeof data.data === 'object' ? data.data : {};
      if (data.message === MESSAGES.loaded && !loaded) {
        loaded = true;
        call('onLoaded', detail);
      } else if ((data.message === MESSAGES.success || data.message === MESSAGES.fail) && !settled) {
        settled = true;
        call(data.message === MESSAGES.success ? 'onPaymentSuccess' : 'onPaymentFail', detail);
      }
    }
    window.addEventListener('message', onMessage);

    var closed = false;
    var instance = {
      /** Removes the widget; onExit, then onDestroy. */
      close: function () {
        if (closed) return;
        closed = true;
        if (current === instance) current = null;
        window.removeEventListener('message', onMessage);
        (overlay || frame).remove();
        if (previous && typeof previous.focus === 'function') previous.focus();
        call('onExit', {});
        call('onDestroy', {});
      },
    };
    current = instance;
    var url = submit(verb, params, frame.name);
    if (url) frame.src = url;
    frame.focus();
    return instance;
  }

  window.EPayWidget = { run: run };
})();
`;
}
