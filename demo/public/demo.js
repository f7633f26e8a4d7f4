// The demo page's own script (no inline scripts: the pages run under a strict CSP with Trusted
// Types). It logs the element's events and, as a phone would after scanning, offers the QR
// code's link: in the sandbox that is its bank-app page with Approve and Decline.
const log = document.getElementById('event-log');
const bankLink = document.getElementById('open-bank-app');

const EVENTS = [
  'cup-qr-status',
  'cup-qr-success',
  'cup-qr-decline',
  'cup-qr-expire',
  'cup-qr-error',
];

for (const type of EVENTS) {
  document.addEventListener(type, (event) => {
    const detail = event.detail ?? {};
    const item = document.createElement('li');
    const what = type === 'cup-qr-status' ? `${type}: ${detail.status}` : type;
    item.textContent = `${new Date().toLocaleTimeString()} ${what}${detail.resumed ? ' (resumed)' : ''}`;
    log?.prepend(item);

    const url = detail.state?.qr?.data;
    if (bankLink && typeof url === 'string' && /^https?:\/\//.test(url)) {
      bankLink.href = url;
      bankLink.hidden = false;
    }
    if (bankLink && type === 'cup-qr-status' && detail.status !== 'awaiting-customer') {
      bankLink.hidden = true;
    }
  });
}
