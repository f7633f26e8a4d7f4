/**
 * Where the focus goes when a new state took away the control that had it
 * (controllers/focus-keeper.ts): the form's first field, the result (its words, then its
 * action), else the stage (the QR code, its placeholder, the Payment Page button's place).
 */
export function focusTargetIn(root: ParentNode): HTMLElement | null {
  return (
    root.querySelector<HTMLElement>('[part~="input"]') ??
    root.querySelector<HTMLElement>('[part~="status"][tabindex]') ??
    root.querySelector<HTMLElement>('[part~="stage"]')
  );
}
