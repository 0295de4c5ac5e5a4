/** A tab whose screen is not built yet: says so plainly and points at the API that already exists. */
export function Placeholder(props: { title: string; api: string; what: string }) {
  return (
    <section aria-labelledby="placeholder-title" class="placeholder" data-placeholder={props.title}>
      <h1 id="placeholder-title">{props.title}</h1>
      <p>
        This screen ({props.what}) is not part of the UI yet. Until it is, use the API:{' '}
        <code>{props.api}</code> (see the README's API overview).
      </p>
    </section>
  );
}
