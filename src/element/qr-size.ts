/**
 * The `qr-size` attribute as the card's private `--_size`: the code's box, its skeleton and
 * the stage's room all follow it.
 */
/**
 * `qr-size` as the private `--_size` of the card in `root`, set through the CSSOM: a `style`
 * attribute would break on pages whose CSP forbids inline styles.
 */
export function applyQrSize(root: ParentNode, size: number | undefined): void {
  const base = root.querySelector<HTMLElement>('[part~="base"]');
  if (!base) return;
  if (size !== undefined && Number.isFinite(size) && size > 0) {
    base.style.setProperty('--_size', `${size}px`);
  } else {
    base.style.removeProperty('--_size');
  }
}
