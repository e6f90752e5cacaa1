import { Button, Caption1, Checkbox, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle, Field, Input, Text, makeStyles, tokens } from '@fluentui/react-components';
import { useState } from 'react';
import { SECTIONS, type FirmView, type Section } from '../api';
import { Empty, ErrorBar, Loading, Notice } from '../components/Feedback';
import { TitledCard } from '../components/TitledCard';
import { useAction, useLoad, useStaffApi } from '../shell/hooks';
import { forgetGuestPolicy } from '../staff/guestPolicy';
import { useStrings } from '../strings';

const useStyles = makeStyles({
  page: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL, marginTop: tokens.spacingVerticalM },
  body: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, padding: `0 ${tokens.spacingHorizontalM} ${tokens.spacingVerticalM}` },
  list: { listStyle: 'none', padding: 0, margin: 0 },
  row: { display: 'flex', flexWrap: 'wrap', alignItems: 'center', gap: tokens.spacingHorizontalS, padding: `${tokens.spacingVerticalS} 0`, borderBottom: `1px solid ${tokens.colorNeutralStroke2}` },
  what: { flexGrow: 1, minWidth: '200px', display: 'flex', flexDirection: 'column' },
  ticks: { border: 'none', padding: 0, margin: 0, display: 'flex', flexWrap: 'wrap', columnGap: tokens.spacingHorizontalM, minWidth: 0 },
});

interface Draft {
  name: string;
  sections: Section[];
}

/** A view's name and its section ticks: the same for a new view and for changing one. */
function ViewFields({ draft, onChange, disabled, idPrefix }: { draft: Draft; onChange: (d: Draft) => void; disabled: readonly Section[]; idPrefix: string }) {
  const s = useStyles();
  const t = useStrings().views.viewsPage;
  const sectionWords = useStrings().common.section;
  return (
    <>
      <Field label={t.name} hint={t.nameHint} required>
        <Input id={`${idPrefix}-name`} value={draft.name} maxLength={80} onChange={(_e, d) => onChange({ ...draft, name: d.value })} />
      </Field>
      <fieldset className={s.ticks} data-testid={`${idPrefix}-sections`}>
        <legend>{t.sections}</legend>
        {SECTIONS.map((section) => (
          <Checkbox
            key={section}
            label={sectionWords[section]}
            checked={draft.sections.includes(section)}
            onChange={(_e, d) => onChange({ ...draft, sections: d.checked ? [...draft.sections, section] : draft.sections.filter((x) => x !== section) })}
          />
        ))}
      </fieldset>
      {disabled.length > 0 && <Caption1>{t.policyOff(disabled)}</Caption1>}
    </>
  );
}

const ready = (d: Draft): boolean => d.name.trim().length > 0 && d.sections.length > 0;

/** Change one view in a dialog (name, sections); what was given from it stays as it was. */
function EditView({ view, disabled, onDone }: { view: FirmView; disabled: readonly Section[]; onDone: (message: string | null) => void }) {
  const api = useStaffApi();
  const t = useStrings().views.viewsPage;
  const [draft, setDraft] = useState<Draft>({ name: view.name, sections: [...view.sections] });
  const save = useAction(async () => {
    const changed = await api.changeFirmView(view.id, { name: draft.name, sections: draft.sections });
    onDone(t.saved(changed.name));
  });
  return (
    <Dialog open onOpenChange={(_e, d) => !d.open && onDone(null)}>
      <DialogSurface>
        <DialogBody>
          <DialogTitle>{t.editTitle(view.name)}</DialogTitle>
          <DialogContent>
            <ViewFields draft={draft} onChange={setDraft} disabled={disabled} idPrefix="edit-view" />
            <Notice intent="info">{t.editNote}</Notice>
            <ErrorBar error={save.error} />
          </DialogContent>
          <DialogActions>
            <Button onClick={() => onDone(null)}>{t.cancel}</Button>
            <Button appearance="primary" disabled={!ready(draft) || save.busy} onClick={() => void save.run()}>
              {save.busy ? t.creating : t.save}
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}

function DeleteView({ view, onDone }: { view: FirmView; onDone: (message: string | null) => void }) {
  const api = useStaffApi();
  const t = useStrings().views.viewsPage;
  const remove = useAction(async () => {
    await api.deleteFirmView(view.id);
    onDone(t.removed(view.name));
  });
  return (
    <Dialog open onOpenChange={(_e, d) => !d.open && onDone(null)}>
      <DialogSurface>
        <DialogBody>
          <DialogTitle>{t.removeTitle(view.name)}</DialogTitle>
          <DialogContent>
            <Text as="p">{t.removeBody}</Text>
            <ErrorBar error={remove.error} />
          </DialogContent>
          <DialogActions>
            <Button onClick={() => onDone(null)}>{t.cancel}</Button>
            <Button appearance="primary" disabled={remove.busy} onClick={() => void remove.run()}>
              {t.removeConfirm}
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}

/** /tab/firm/views (admins): the firm's saved views, a new one, and changing or deleting one. */
export function ViewsPage() {
  const s = useStyles();
  const t = useStrings().views.viewsPage;
  const api = useStaffApi();
  const views = useLoad(() => api.firmViews(), []);
  const policy = useLoad(() => api.firmPolicy(), []);
  const disabled = policy.data?.disabledSections ?? [];
  const [draft, setDraft] = useState<Draft>({ name: '', sections: [] });
  const [editing, setEditing] = useState<{ kind: 'edit' | 'delete'; view: FirmView } | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const changed = (msg: string | null) => {
    setEditing(null);
    if (!msg) return;
    setMessage(msg);
    forgetGuestPolicy(api);
    void views.reload();
  };
  const create = useAction(async () => {
    const made = await api.createFirmView({ name: draft.name, sections: draft.sections });
    setDraft({ name: '', sections: [] });
    changed(t.created(made.name));
  });
  return (
    <div className={s.page}>
      <Text as="p">{t.intro}</Text>
      <div data-testid="views-keep-note">
        <Notice intent="info">{t.keepsSections}</Notice>
      </div>
      {message && <Notice>{message}</Notice>}
      <TitledCard title={t.heading} testId="saved-views">
        <div className={s.body}>
          {!views.data ? (
            views.error ? (
              <ErrorBar error={views.error} onRetry={() => void views.reload()} />
            ) : (
              <Loading label={t.loading} />
            )
          ) : views.data.length === 0 ? (
            <Empty>{t.none}</Empty>
          ) : (
            <ul className={s.list} aria-label={t.listLabel}>
              {views.data.map((v) => (
                <li key={v.id} className={s.row} data-testid="saved-view" data-name={v.name}>
                  <div className={s.what}>
                    <Text weight="semibold">{v.name}</Text>
                    <Caption1>{t.sectionsOf(v.sections)}</Caption1>
                  </div>
                  <Button aria-label={t.edit(v.name)} onClick={() => setEditing({ kind: 'edit', view: v })}>
                    {t.editButton}
                  </Button>
                  <Button aria-label={t.remove(v.name)} onClick={() => setEditing({ kind: 'delete', view: v })}>
                    {t.removeButton}
                  </Button>
                </li>
              ))}
            </ul>
          )}
        </div>
      </TitledCard>
      <TitledCard title={t.newHeading} testId="new-view">
        <form
          className={s.body}
          onSubmit={(e) => {
            e.preventDefault();
            void create.run();
          }}
        >
          <ViewFields draft={draft} onChange={setDraft} disabled={disabled} idPrefix="new-view" />
          <ErrorBar error={create.error} />
          <div>
            <Button type="submit" appearance="primary" disabled={!ready(draft) || create.busy}>
              {create.busy ? t.creating : t.create}
            </Button>
          </div>
        </form>
      </TitledCard>
      {editing?.kind === 'edit' && <EditView view={editing.view} disabled={disabled} onDone={changed} />}
      {editing?.kind === 'delete' && <DeleteView view={editing.view} onDone={changed} />}
    </div>
  );
}
