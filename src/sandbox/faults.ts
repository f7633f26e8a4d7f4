/**
 * Faults on demand, by scope: the whole sandbox, one project, one payment (of one project, or
 * of any project when no project is given). The narrower scope wins field by field. Faults are
 * read when they act (a callback is produced, a sale arrives), so setting them after a payment
 * started still changes its later callbacks.
 */
import { SandboxError } from './errors.js';
import type { FaultScope, SandboxFaults } from './types.js';

const ANY_PROJECT = '*';

/** Keys of the faults that act on Gate's sale answer. */
const GATE_FAULTS = ['gateError', 'gateHang'] as const;

export class FaultBook {
  #global: SandboxFaults = {};
  readonly #projects = new Map<number, SandboxFaults>();
  /** `${projectId | '*'} ${paymentId}` -> faults. */
  readonly #payments = new Map<string, SandboxFaults>();

  set(faults: SandboxFaults, scope: FaultScope = {}): void {
    const checked = checkFaults(faults);
    if (scope.paymentId !== undefined) {
      this.#payments.set(paymentKey(scope.projectId, scope.paymentId), checked);
    } else if (scope.projectId !== undefined) {
      this.#projects.set(scope.projectId, checked);
    } else {
      this.#global = checked;
    }
  }

  /** The faults that apply to one payment. */
  resolve(projectId: number | undefined, paymentId: string | undefined): SandboxFaults {
    return Object.assign({}, ...this.#layers(projectId, paymentId).map((layer) => layer.faults));
  }

  /**
   * The Gate fault to act on for one sale request, if any, counting it against
   * `gateFaultTimes` of the scope that set it (the scope's Gate faults end when it runs out).
   */
  takeGateFault(
    projectId: number | undefined,
    paymentId: string | undefined,
  ): Pick<SandboxFaults, 'gateError' | 'gateHang'> {
    let owner: SandboxFaults | undefined;
    const result: Pick<SandboxFaults, 'gateError' | 'gateHang'> = {};
    for (const layer of this.#layers(projectId, paymentId)) {
      for (const key of GATE_FAULTS) {
        if (layer.faults[key] !== undefined && layer.faults[key] !== false) {
          Object.assign(result, { [key]: layer.faults[key] });
          owner = layer.faults;
        }
      }
    }
    if (owner?.gateFaultTimes !== undefined) {
      owner.gateFaultTimes -= 1;
      if (owner.gateFaultTimes <= 0) {
        for (const key of GATE_FAULTS) delete owner[key];
        delete owner.gateFaultTimes;
      }
    }
    return result;
  }

  #layers(
    projectId: number | undefined,
    paymentId: string | undefined,
  ): { faults: SandboxFaults }[] {
    const layers = [{ faults: this.#global }];
    const project = projectId === undefined ? undefined : this.#projects.get(projectId);
    if (project) layers.push({ faults: project });
    if (paymentId !== undefined) {
      const anyProject = this.#payments.get(paymentKey(undefined, paymentId));
      if (anyProject) layers.push({ faults: anyProject });
      const exact =
        projectId === undefined ? undefined : this.#payments.get(paymentKey(projectId, paymentId));
      if (exact) layers.push({ faults: exact });
    }
    return layers;
  }
}

function paymentKey(projectId: number | undefined, paymentId: string): string {
  return `${projectId ?? ANY_PROJECT} ${paymentId}`;
}

const COUNTS = [
  'duplicateCallbacks',
  'callbackDelayMs',
  'failDeliveries',
  'gateDelayMs',
  'gateFaultTimes',
] as const;

/** A copy of `faults`, refused when a value makes no sense (a typo should not pass silently). */
export function checkFaults(faults: unknown): SandboxFaults {
  if (typeof faults !== 'object' || faults === null || Array.isArray(faults)) {
    throw new SandboxError('invalid', 'faults must be an object');
  }
  const input = faults as Record<string, unknown>;
  const known = new Set<string>([
    ...COUNTS,
    'finalBeforeAwaiting',
    'failMode',
    'corruptSignature',
    'gateError',
    'gateHang',
  ]);
  for (const key of Object.keys(input)) {
    if (!known.has(key)) throw new SandboxError('invalid', `unknown fault ${JSON.stringify(key)}`);
  }
  for (const key of COUNTS) {
    const value = input[key];
    if (value !== undefined && !(Number.isSafeInteger(value) && (value as number) >= 0)) {
      throw new SandboxError('invalid', `${key} must be a whole number >= 0`);
    }
  }
  for (const key of ['finalBeforeAwaiting', 'corruptSignature'] as const) {
    if (input[key] !== undefined && typeof input[key] !== 'boolean') {
      throw new SandboxError('invalid', `${key} must be true or false`);
    }
  }
  if (
    input.failMode !== undefined &&
    input.failMode !== 'unreachable' &&
    input.failMode !== 'answer-lost'
  ) {
    throw new SandboxError('invalid', 'failMode must be "unreachable" or "answer-lost"');
  }
  const gateError = input.gateError;
  if (
    gateError !== undefined &&
    !(Number.isInteger(gateError) && (gateError as number) >= 500 && (gateError as number) <= 599)
  ) {
    throw new SandboxError('invalid', 'gateError must be an HTTP status from 500 to 599');
  }
  const hang = input.gateHang;
  if (hang !== undefined && typeof hang !== 'boolean' && hang !== 'after-accept') {
    throw new SandboxError('invalid', 'gateHang must be true, false or "after-accept"');
  }
  return { ...(input as SandboxFaults) };
}
