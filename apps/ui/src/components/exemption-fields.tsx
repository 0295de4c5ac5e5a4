/** The reason and end of a migration exemption, the same for one agent, a selection or a filter. */
export function ExemptionFields(props: {
  reason: string;
  expiresAt: string;
  onReason: (reason: string) => void;
  onExpiresAt: (expiresAt: string) => void;
}) {
  return (
    <>
      <label>
        Exemption reason (audited)
        <input required value={props.reason} onInput={(e) => props.onReason(e.currentTarget.value)} />
      </label>
      <label>
        Exempt until
        <input
          type="datetime-local"
          required
          value={props.expiresAt}
          onInput={(e) => props.onExpiresAt(e.currentTarget.value)}
        />
      </label>
    </>
  );
}
