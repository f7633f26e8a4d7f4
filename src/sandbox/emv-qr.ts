/**
 * An EMVCo merchant-presented QR payload for UnionPay (EMV QRCPS-MPM), as QR payment providers
 * send in `qr_data` instead of a URL (PROTOCOL.md §3): `000201010212…6304<CRC>`. The sandbox
 * sends one for a project with `qrFormat: 'emv'`, so a merchant sees what such a code does to
 * their integration: it is drawn, but it opens nothing and is no link.
 *
 * Each data object is an ID (2 digits), a length (2 digits, in characters) and the value; the
 * payload ends with ID 63, the CRC-16/CCITT-FALSE of everything before it up to and including
 * `6304`, in four upper-case hex digits. The values here are plausible, not a real acquirer's.
 */

/** ID 15's institution numbers: the acquirer's and the forwarding one's (made up, 8 digits each). */
const ACQUIRER_IIN = '00010156';
const FORWARDING_IIN = '00010156';

/** What varies from one payment's code to another's. */
export interface EmvQrFacts {
  projectId: number;
  /** Minor units (fen). */
  amount: number;
  /** The provider's payment id: the code's reference label, unique per payment. */
  reference: string;
}

/** CRC-16/CCITT-FALSE (polynomial 0x1021, initial 0xFFFF, no reflection) of UTF-8 `text`. */
export function crc16ccitt(text: string): string {
  let crc = 0xffff;
  for (const byte of new TextEncoder().encode(text)) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++) {
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    }
  }
  return crc.toString(16).toUpperCase().padStart(4, '0');
}

/** One data object: ID, length in characters, value. */
function tlv(id: string, value: string): string {
  const length = [...value].length;
  if (length > 99) throw new RangeError(`EMV data object ${id} is too long (${length})`);
  return `${id}${String(length).padStart(2, '0')}${value}`;
}

/** Minor units as the amount field writes them: 30000 -> `300.00`. */
function emvAmount(minor: number): string {
  return `${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, '0')}`;
}

/** The payload of one payment, CRC included. */
export function emvQrPayload(facts: EmvQrFacts): string {
  // UnionPay's merchant account (ID 15): acquirer IIN, forwarding IIN, 15-digit merchant id.
  const merchantId = String(facts.projectId).padStart(15, '0').slice(-15);
  const body = [
    tlv('00', '01'), // payload format indicator
    tlv('01', '12'), // dynamic: one code per payment
    tlv('15', `${ACQUIRER_IIN}${FORWARDING_IIN}${merchantId}`),
    tlv('52', '5999'), // merchant category code
    tlv('53', '156'), // CNY
    tlv('54', emvAmount(facts.amount)),
    tlv('58', 'CN'),
    tlv('59', 'SANDBOX MERCHANT'),
    tlv('60', 'BEIJING'),
    tlv('62', tlv('05', facts.reference.slice(0, 25))), // additional data: reference label
    tlv('64', tlv('00', 'ZH') + tlv('01', '沙盒商户') + tlv('02', '北京')), // in Chinese
  ].join('');
  const signed = `${body}6304`;
  return signed + crc16ccitt(signed);
}
