import { described, Field } from '../parameters/field.js';
import { PASSWORD_HINT } from './user-words.js';

/** A password input with its issue; a new password shows the rule, the current one does not. */
export function PasswordField(props: {
  id: string;
  label: string;
  issue: string | undefined;
  value: string;
  onInput: (value: string) => void;
  current?: boolean;
}) {
  return (
    <Field
      id={props.id}
      label={props.label}
      issue={props.issue}
      hint={props.current ? undefined : PASSWORD_HINT}
    >
      <input
        {...described(props.id, props.issue)}
        type="password"
        autocomplete={props.current ? 'current-password' : 'new-password'}
        required
        value={props.value}
        onInput={(e) => props.onInput(e.currentTarget.value)}
      />
    </Field>
  );
}
