import { described, Field } from '../parameters/field.js';

/** A new profile's name and description, with their inline issues (new profile, copy). */
export function ProfileNameFields(props: {
  idPrefix: string;
  nameLabel: string;
  name: string;
  description: string;
  issues: Record<string, string>;
  onName: (name: string) => void;
  onDescription: (description: string) => void;
}) {
  const nameId = `${props.idPrefix}-name`;
  const descriptionId = `${props.idPrefix}-description`;
  return (
    <>
      <Field id={nameId} label={props.nameLabel} issue={props.issues.name} hint="A-Z a-z 0-9 . _ -">
        <input
          {...described(nameId, props.issues.name)}
          value={props.name}
          required
          onInput={(e) => props.onName(e.currentTarget.value)}
        />
      </Field>
      <Field id={descriptionId} label="Description" issue={props.issues.description}>
        <input
          {...described(descriptionId, props.issues.description)}
          value={props.description}
          onInput={(e) => props.onDescription(e.currentTarget.value)}
        />
      </Field>
    </>
  );
}
