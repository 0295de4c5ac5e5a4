import { type RolloutMode } from '../../api/rollout-types.js';

/** The create form's fields, as typed. */
export interface RolloutFormValues {
  profile: string;
  revision: string;
  targetKind: 'all' | 'groups' | 'agentIds';
  targetList: string;
  waveKind: 'sizes' | 'percentages';
  waveList: string;
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

/** POST /api/rollouts body from the form; the API does all the checking. */
export function rolloutRequest(v: RolloutFormValues): Record<string, unknown> {
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
  };
}

/** A 400 issue's field ("waves.percentages", "targets.groups.0") mapped to the form control that shows it. */
export function controlOf(field: string): string {
  const top = field.split('.')[0] ?? field;
  return top;
}
