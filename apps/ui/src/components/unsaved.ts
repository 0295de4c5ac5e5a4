import { useEffect } from 'preact/hooks';

/**
 * Forms with edits not saved yet (Parameters, a profile's draft): leaving the tab, the profile or the
 * page asks first, instead of dropping the edits without a word (issue 16).
 */
const edited = new Map<number, string>();
let nextKey = 0;

/** Marks the calling form as edited (or not) while it is mounted; `what` names it in the question. */
export function useUnsavedChanges(what: string, dirty: boolean): void {
  useEffect(() => {
    const key = ++nextKey;
    if (dirty) edited.set(key, what);
    return () => {
      edited.delete(key);
    };
  }, [what, dirty]);
}

/** The forms with unsaved edits, by name; `only` narrows them (a view switch drops only its own form). */
export function unsavedForms(only: (what: string) => boolean = () => true): string[] {
  return [...new Set(edited.values())].filter(only);
}

export function hasUnsavedChanges(): boolean {
  return edited.size > 0;
}

/**
 * True when nothing is edited, or the operator agrees to lose the edits. Nothing is forgotten here: the
 * edited forms unmount when the view changes, and their marks go with them.
 */
export function confirmDiscard(only?: (what: string) => boolean): boolean {
  const forms = unsavedForms(only);
  if (forms.length === 0) return true;
  return window.confirm(`You have changes that are not saved (${forms.join(', ')}). Leave and lose them?`);
}

/**
 * Guards the whole page: closing or reloading it (the browser's own question) and any change of the
 * hash route (tabs, links, Back). Call it in the shell before useRoute, so this hashchange listener runs
 * first and can put the old route back before the view follows the new one.
 */
export function useLeaveGuard(): void {
  useEffect(() => {
    let current = location.hash;
    const onBeforeUnload = (e: BeforeUnloadEvent) => {
      if (!hasUnsavedChanges()) return;
      e.preventDefault();
      e.returnValue = '';
    };
    const onHashChange = () => {
      if (location.hash === current) return;
      if (confirmDiscard()) current = location.hash;
      else history.replaceState(history.state, '', current || location.pathname);
    };
    window.addEventListener('beforeunload', onBeforeUnload);
    window.addEventListener('hashchange', onHashChange);
    return () => {
      window.removeEventListener('beforeunload', onBeforeUnload);
      window.removeEventListener('hashchange', onHashChange);
    };
  }, []);
}
