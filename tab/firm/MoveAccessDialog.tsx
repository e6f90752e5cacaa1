import { Button, Caption1, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle, makeStyles, tokens } from '@fluentui/react-components';
import { useState } from 'react';
import { ApiError, type AccessEntry, type CaseRecord, type Contact, type GrantPreview, type GrantScope } from '../api';
import { ErrorBar, Notice } from '../components/Feedback';
import { caseLabel, optionsOf, SearchField } from '../components/options';
import { useAction, useStaffApi } from '../shell/hooks';
import { useStrings } from '../strings';
import { ConfirmationPanel, useConfirmable } from '../staff/GuardrailConfirm';
import { PreviewList, previewIsEmpty } from '../staff/PreviewList';

const useStyles = makeStyles({ body: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM } });

/** The same access (view, rights, expiry) on another case; threads belong to their case and stay behind. */
export function movedScope(scope: GrantScope, caseId: string): GrantScope {
  if (scope.kind !== 'case') throw new Error('only access to a whole case moves to another case');
  return { kind: 'case', caseId, view: scope.view, threadIds: [] };
}

/**
 * Moves a guest's access to a whole case onto another case: pick the case, read exactly what they
 * gain and lose (the scope-change preview the Share dialog uses), confirm. The server's refusals
 * (a case they already have access to: 409; not linked to it) are shown in its words.
 */
export function MoveAccessDialog({ entry, contact, cases, onClose, onMoved }: { entry: AccessEntry; contact: Contact & { linkedCaseIds: string[] }; cases: readonly CaseRecord[]; onClose: () => void; onMoved: (message: string) => void }) {
  const s = useStyles();
  const t = useStrings().firmPages;
  const api = useStaffApi();
  const from = entry.grant.scope.kind === 'case' ? entry.grant.scope : null;
  const current = cases.find((c) => c.id === from?.caseId);
  const [query, setQuery] = useState('');
  const [targetId, setTargetId] = useState<string | null>(null);
  const [linked, setLinked] = useState<ReadonlySet<string>>(() => new Set(contact.linkedCaseIds));
  const [preview, setPreview] = useState<GrantPreview | null>(null);
  const target = cases.find((c) => c.id === targetId) ?? null;
  const choices = cases.filter((c) => c.id !== from?.caseId && !c.closedAt && caseLabel(c).toLowerCase().includes(query.toLowerCase()));
  const scope = target ? movedScope(entry.grant.scope, target.id) : null;
  const load = useAction(async () => scope && setPreview(await api.previewGrant(entry.grant.id, scope, entry.grant.rights)));
  const link = useAction(async () => {
    if (!target) return;
    await api.link(target.id, contact.id);
    setLinked(new Set([...linked, target.id]));
    await load.run();
  });
  const confirmable = useConfirmable(async (confirm) => {
    if (scope) await api.changeGrant(entry.grant.id, scope, entry.grant.rights, null, confirm);
  });
  const move = useAction(async () => {
    if (target && (await confirmable.attempt())) onMoved(t.moved(contact.name, target.number));
  });
  const notLinked = target !== null && !linked.has(target.id) && load.error instanceof ApiError && load.error.status === 409;
  const pick = (id: string | null) => {
    setTargetId(id);
    setPreview(null);
    load.clear();
    confirmable.reset();
  };
  return (
    <Dialog open onOpenChange={(_e, d) => !d.open && onClose()}>
      <DialogSurface aria-describedby={undefined}>
        <DialogBody>
          <DialogTitle>{t.moveTitle(contact.name)}</DialogTitle>
          <DialogContent className={s.body}>
            {current && <Caption1 as="p">{t.moveNow(current.number, current.title)}</Caption1>}
            {preview && target ? (
              <div data-testid="move-preview">
                {previewIsEmpty(preview) ? <Notice intent="info">{t.nothingChanges(contact.name)}</Notice> : <PreviewList preview={preview} />}
                {confirmable.confirmation && <ConfirmationPanel confirmation={confirmable.confirmation} reason={confirmable.reason} onReason={confirmable.setReason} />}
                <ErrorBar error={move.error} />
              </div>
            ) : (
              <>
                <SearchField label={t.moveTarget} placeholder={t.moveTargetPlaceholder} query={query} onQuery={setQuery} onPick={pick}>
                  {optionsOf(choices, (c) => c.id, caseLabel)}
                </SearchField>
                {from && from.threadIds.length > 0 && <Caption1 as="p">{t.moveThreadsDropped}</Caption1>}
                {notLinked && target ? (
                  <Notice intent="warning">
                    {t.notLinkedTo(contact.name, target.number)}{' '}
                    <Button size="small" disabled={link.busy} onClick={() => void link.run()}>
                      {t.linkTo(contact.name, target.number)}
                    </Button>
                  </Notice>
                ) : (
                  <ErrorBar error={load.error} />
                )}
                <ErrorBar error={link.error} />
              </>
            )}
          </DialogContent>
          <DialogActions>
            {preview ? (
              <>
                <Button
                  onClick={() => {
                    confirmable.reset();
                    setPreview(null);
                  }}
                >
                  {t.back}
                </Button>
                <Button appearance="primary" disabled={move.busy || !confirmable.ready} onClick={() => void move.run()} data-testid="confirm-move">
                  {move.busy ? t.moving : confirmable.confirmation ? t.confirmAndMove : t.moveAccess}
                </Button>
              </>
            ) : (
              <>
                <Button onClick={onClose}>{t.cancel}</Button>
                <Button appearance="primary" disabled={!target || load.busy} onClick={() => void load.run()} data-testid="preview-move">
                  {load.busy ? t.previewing : t.previewMove}
                </Button>
              </>
            )}
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
