import { Button, Field, Input, makeStyles, tokens } from '@fluentui/react-components';

const useStyles = makeStyles({
  form: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'flex-end', flexWrap: 'wrap' },
});

/** One text field and its button, for adding a thing by name; the button waits for a non-blank value. */
export function SingleFieldForm({ label, value, onChange, action, busy, onSubmit }: { label: string; value: string; onChange: (value: string) => void; action: string; busy: boolean; onSubmit: () => void }) {
  const s = useStyles();
  return (
    <div className={s.form}>
      <Field label={label}>
        <Input value={value} onChange={(_e, d) => onChange(d.value)} />
      </Field>
      <Button disabled={!value.trim() || busy} onClick={onSubmit}>
        {action}
      </Button>
    </div>
  );
}
