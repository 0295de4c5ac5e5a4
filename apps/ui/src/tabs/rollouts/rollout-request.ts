import type { RolloutMode, WaveOrder } from '../../../../../libs/api/rollouts.js';

/** The create form's fields, as typed. */
export interface RolloutFormValues {
  profile: string;
  revision: string;
  targetKind: 'all' | 'groups' | 'agentIds';
  targetList: string;
  waveKind: 'sizes' | 'percentages';
  waveList: string;
  waveOrder: WaveOrder;
  successThresholdPercent: string;
  pauseBetweenWaves: boolean;
  errorKind: 'count' | 'percent';
  errorValue: string;
  mode: RolloutMode;
  stepTimeoutSeconds: string;
}

export const INITIAL_VALUES: RolloutFormValues = {
  profile: '',
  revision: '',
  targetKind: 'all',
  targetList: '',
  waveKind: 'percentages',
  waveList: '100',
  // A first wave drawn from the whole fleet says more than its alphabetical head (issue 16 point 8).
  waveOrder: 'random',
  successThresholdPercent: '100',
  pauseBetweenWaves: false,
  errorKind: 'count',
  errorValue: '1',
  mode: 'publish',
  stepTimeoutSeconds: '300',
};

const words = (text: string) => text.split(/[\s,]+/).filter(Boolean);
/** Numbers stay as typed when they are not numbers, so the API names the field in its 400. */
const num = (text: string): number | string =>
  text.trim() !== '' && !Number.isNaN(Number(text)) ? Number(text) : text;

/**
 * POST /api/rollouts (and /preview) body from the form; the API does all the checking. `waveSeed` is the
 * seed of the preview on screen: the rollout then gets the waves the operator saw.
 */
export function rolloutRequest(v: RolloutFormValues, waveSeed?: number): Record<string, unknown> {
  return {
    profile: v.profile,
    revision: num(v.revision),
    targets: v.targetKind === 'all' ? { all: true } : { [v.targetKind]: words(v.targetList) },
    waves: { [v.waveKind]: words(v.waveList).map(num) },
    successThresholdPercent: num(v.successThresholdPercent),
    pauseBetweenWaves: v.pauseBetweenWaves,
    errorThreshold: { [v.errorKind]: num(v.errorValue) },
    mode: v.mode,
    stepTimeoutSeconds: num(v.stepTimeoutSeconds),
    waveOrder: v.waveOrder,
    ...(v.waveOrder === 'random' && waveSeed !== undefined ? { waveSeed } : {}),
  };
}

/** A 400 issue's field ("waves.percentages", "targets.groups.0") mapped to the form control that shows it. */
export function controlOf(field: string): string {
  const top = field.split('.')[0] ?? field;
  return top;
}
