import {
  Badge,
  Button,
  Caption1,
  Checkbox,
  Dropdown,
  Field,
  Input,
  Link,
  Menu,
  MenuItem,
  MenuList,
  MenuPopover,
  MenuTrigger,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  Option,
  Subtitle2,
  Text,
  Toolbar,
  Tooltip,
  Tree,
  TreeItem,
  TreeItemLayout,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { DismissRegular, DocumentRegular, FolderAddRegular, FolderRegular, MoreHorizontalRegular } from '@fluentui/react-icons';
import { useState, type ReactNode } from 'react';
import { ApiError, plainMessage, type CaseSharing, type Confirmation, type Item, type ItemPatch, type UploadAnswer } from '../api';
import { Empty, ErrorBar, Notice } from '../components/Feedback';
import { date, size } from '../components/format';
import { DropZone, UploadList, useUploads, type UploadJob } from '../components/Uploads';
import { optionsOf } from '../components/options';
import { useAction, useStaffApi } from '../shell/hooks';
import { useStrings } from '../strings';
import { createdItemIds, folderPath, shareable } from './caseData';
import { ContactTicks } from './ContactTicks';
import { subtree, useItemActions, type ItemActions } from './ItemMenu';
import { PickContactsDialog } from './PickContactsDialog';
import { ItemSeenBy } from './SeenBy';

const useStyles = makeStyles({
  bar: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS, alignItems: 'flex-end', marginBottom: tokens.spacingVerticalS },
  aside: { display: 'flex', gap: tokens.spacingHorizontalXS, alignItems: 'center', flexWrap: 'wrap' },
  upload: { marginTop: tokens.spacingVerticalXL, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  names: { maxWidth: '220px', overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' },
  meta: { color: tokens.colorNeutralForeground3 },
  list: { margin: 0, paddingLeft: tokens.spacingHorizontalXL, maxHeight: '30vh', overflowY: 'auto' },
  // On a phone a row's sharing, seen-by lines and menu go under its name, so the menu stays on screen.
  row: { '@media (max-width: 600px)': { flexWrap: 'wrap', paddingBottom: tokens.spacingVerticalXS } },
  rowMain: { '@media (max-width: 600px)': { flex: '1 1 0', minWidth: 0 } },
  rowAside: { flexWrap: 'wrap', '@media (max-width: 600px)': { flexBasis: '100%', justifyContent: 'flex-end' } },
});

const CHUNK = 200;

/** "Shared" with the people it is shared with (and how), or nothing. */
function SharedLabel({ sharing, itemId }: { sharing: CaseSharing; itemId: string }) {
  const s = useStyles();
  const t = useStrings().items;
  const entries = sharing.sharedWith[itemId] ?? [];
  if (entries.length === 0) return null;
  const names = entries.map((e) => t.sharedWithPerson(e.name, e.via === 'item' ? null : e.via, e.state === 'pending')).join('; ');
  return (
    <Tooltip content={t.sharedWith(names)} relationship="description">
      <span className={s.aside} data-testid="shared-label" tabIndex={0}>
        <Badge appearance="tint" color="brand" size="small">
          {t.sharedBadge}
        </Badge>
        <Caption1 className={s.names}>{entries.map((e) => e.name).join(', ')}</Caption1>
      </span>
    </Tooltip>
  );
}

/** What keeps a document or folder from guests, as a badge beside its name. */
function WithheldBadge({ item }: { item: Item }): ReactNode {
  const t = useStrings().items;
  if (item.staffOnly)
    return (
      <Badge appearance="outline" size="small" data-testid="staff-only-badge">
        {t.staffOnly}
      </Badge>
    );
  if (item.privileged)
    return (
      <Badge appearance="filled" color="danger" size="small" data-testid="privileged-badge">
        {t.privileged}
      </Badge>
    );
  return null;
}

/** Checked, unchecked or mixed: how many of these documents are selected. */
function triState(ids: readonly string[], checked: ReadonlySet<string>): boolean | 'mixed' {
  const n = ids.filter((id) => checked.has(id)).length;
  return n === 0 ? false : n === ids.length ? true : 'mixed';
}

/** A tri-state "select all" over some documents: ticking selects them all, unticking (or mixed) clears them. */
function SelectAll({ ids, checked, onChange, label, ariaLabel, testId }: { ids: readonly string[]; checked: ReadonlySet<string>; onChange: (next: Set<string>) => void; label: string; ariaLabel: string; testId: string }) {
  if (ids.length === 0) return null;
  const state = triState(ids, checked);
  return (
    // Neither its click nor its change may reach the tree row: the row would open or close the folder and take the change as the folder's own tick.
    <span onClick={(e) => e.stopPropagation()} onChange={(e) => e.stopPropagation()}>
      <Checkbox
        size="medium"
        label={label}
        aria-label={ariaLabel}
        checked={state}
        data-testid={testId}
        onChange={() => {
          const next = new Set(checked);
          for (const id of ids) {
            if (state === true) next.delete(id);
            else next.add(id);
          }
          onChange(next);
        }}
      />
    </span>
  );
}

interface RowProps {
  items: Item[];
  sharing: CaseSharing;
  actions: ItemActions;
  checked: ReadonlySet<string>;
  setChecked: (next: Set<string>) => void;
}

/** The documents inside a folder, however deep (what its "All files" box selects). */
const documentsIn = (folder: Item, items: readonly Item[]): string[] =>
  subtree(folder, items)
    .filter((i) => i.kind === 'document')
    .map((i) => i.id);

function Branch({ parentId, ...p }: RowProps & { parentId: string | null }): ReactNode {
  const s = useStyles();
  const t = useStrings().items;
  const { items, sharing, actions, checked, setChecked } = p;
  const children = items.filter((i) => i.parentId === parentId).sort((a, b) => (a.kind === b.kind ? a.title.localeCompare(b.title) : a.kind === 'folder' ? -1 : 1));
  return children.map((c) =>
    c.kind === 'folder' ? (
      <TreeItem key={c.id} itemType="branch" value={c.id} data-testid="doc-node" data-title={c.title} data-item-id={c.id}>
        <TreeItemLayout
          className={s.row}
          main={{ className: s.rowMain }}
          iconBefore={<FolderRegular />}
          aside={{
            className: s.rowAside,
            children: (
              <>
                <SharedLabel sharing={sharing} itemId={c.id} />
                <SelectAll ids={documentsIn(c, items)} checked={checked} onChange={setChecked} label={t.allFiles} ariaLabel={t.selectAllIn(c.title)} testId="folder-select-all" />
                {actions.menu(c)}
              </>
            ),
          }}
        >
          {c.title} <WithheldBadge item={c} />
        </TreeItemLayout>
        <Tree>
          <Branch parentId={c.id} {...p} />
        </Tree>
      </TreeItem>
    ) : (
      <TreeItem key={c.id} itemType="leaf" value={c.id} data-testid="doc-node" data-title={c.title} data-item-id={c.id}>
        <TreeItemLayout
          className={s.row}
          main={{ className: s.rowMain }}
          iconBefore={<DocumentRegular />}
          aside={{
            className: s.rowAside,
            children: (
              <>
                <SharedLabel sharing={sharing} itemId={c.id} />
                <ItemSeenBy sharing={sharing} itemId={c.id} />
                {actions.menu(c)}
              </>
            ),
          }}
        >
          {c.title} <WithheldBadge item={c} />{' '}
          <Caption1 className={s.meta} data-testid="doc-meta">
            {[t.modified(date(c.updatedAt)), size(c.sizeBytes)].filter(Boolean).join(' · ')}
          </Caption1>
        </TreeItemLayout>
      </TreeItem>
    ),
  );
}

/** What a bulk run did, kept on the page after its dialog closed until dismissed. */
interface BulkResult {
  message: string;
  refused: Array<{ title: string; why: string }>;
}

/** "40 documents", with the names behind a toggle (210 names are not a summary). */
function SelectionSummary({ items }: { items: Item[] }) {
  const s = useStyles();
  const t = useStrings().items;
  const [showNames, setShowNames] = useState(false);
  const documents = items.filter((i) => i.kind === 'document').length;
  return (
    <div data-testid="bulk-summary">
      <Text as="p" block weight="semibold">
        {t.documentsCount(documents, items.length - documents)}
      </Text>
      <Link as="button" onClick={() => setShowNames(!showNames)} aria-expanded={showNames}>
        {showNames ? t.hideNames : t.showNames}
      </Link>
      {showNames && (
        <ul className={s.list} data-testid="bulk-names">
          {items.map((i) => (
            <li key={i.id}>{i.title}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** The case folder as a tree: select many (per folder or all) → Actions → Share / Stop sharing; a menu per row; upload with share ticks. */
export function DocumentsPanel({ caseId, sharing, onChanged }: { caseId: string; sharing: CaseSharing; onChanged: () => void }) {
  const s = useStyles();
  const t = useStrings().items;
  const api = useStaffApi();
  const docs = sharing.items.filter((i) => i.kind === 'folder' || i.kind === 'document');
  const folders = docs.filter((i) => i.kind === 'folder');
  const [checked, setChecked] = useState<Set<string>>(new Set());
  const [dialog, setDialog] = useState<'share' | 'unshare' | null>(null);
  const [folderName, setFolderName] = useState('');
  const [uploadTo, setUploadTo] = useState<string>('');
  const [shareOnUpload, setShareOnUpload] = useState<Set<string>>(new Set());
  const [shareNote, setShareNote] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [result, setResult] = useState<BulkResult | null>(null);
  const actions = useItemActions({ caseId, sharing, onChanged, onNotice: setNotice });
  const selected = docs.filter((d) => checked.has(d.id));
  const selectedIds = selected.map((d) => d.id);

  const newFolder = useAction(async () => {
    await api.createItem(caseId, { kind: 'folder', title: folderName.trim(), parentId: uploadTo || null });
    setFolderName('');
    onChanged();
  });

  // Marking is audited per item by the server; each selected item is marked in turn.
  const mark = useAction(async (patch: Pick<ItemPatch, 'privileged' | 'staffOnly'>) => {
    for (const id of selectedIds) await api.updateItem(id, patch);
    setChecked(new Set());
    onChanged();
  });

  const afterUpload = async (job: UploadJob) => {
    const ids = createdItemIds(job.result as UploadAnswer | undefined);
    if (ids.length && shareOnUpload.size) {
      try {
        await api.share([...shareOnUpload], ids, 'shared at upload');
      } catch (err) {
        setShareNote(t.uploadedNotShared(job.file.name, plainMessage(err)));
      }
    }
    onChanged();
  };
  const uploads = useUploads((file, onProgress) => api.uploadFile(caseId, file, uploadTo ? folderPath(docs, uploadTo) : null, onProgress), afterUpload);

  /**
   * Shares or unshares the selection in chunks, saying how far it is. Staff-only items are never
   * sent (the server would refuse the whole chunk); a chunk the server refuses is listed with its
   * reason and the rest goes on. A confirmation the server asks for goes back to the dialog.
   */
  const bulk =
    (sharingOn: boolean) =>
    async (contactIds: string[], progress: (done: number, words?: string) => void, confirm?: Confirmation, expiresAt?: string | null): Promise<string> => {
      const refused: BulkResult['refused'] = [];
      const sendable = sharingOn ? selected.filter((i) => !i.staffOnly) : selected;
      if (sharingOn) for (const i of selected.filter((x) => x.staffOnly)) refused.push({ title: i.title, why: t.staffOnlyRefusal });
      let done = 0;
      let changed = 0;
      let stillVisible = 0;
      progress(0, t.progress(0, sendable.length));
      for (let i = 0; i < sendable.length; i += CHUNK) {
        const chunk = sendable.slice(i, i + CHUNK);
        try {
          const ids = chunk.map((x) => x.id);
          if (sharingOn) await api.share(contactIds, ids, null, confirm, expiresAt ?? null);
          else stillVisible += (await api.unshare(contactIds, ids)).stillVisible.length;
          changed += chunk.length;
        } catch (err) {
          if (err instanceof ApiError && err.confirmationRequired && !confirm) throw err;
          for (const x of chunk) refused.push({ title: x.title, why: plainMessage(err) });
        }
        done += chunk.length;
        progress(done / Math.max(1, sendable.length), t.progress(done, sendable.length));
      }
      const names = sharing.contacts
        .filter((c) => contactIds.includes(c.id))
        .map((c) => c.name)
        .join(', ');
      const message = [sharingOn ? t.sharedResult(changed, names) : t.unsharedResult(changed, names), stillVisible ? t.stillVisible(stillVisible) : ''].filter(Boolean).join(' ');
      setResult({ message, refused });
      setChecked(new Set());
      onChanged();
      return message;
    };

  const allDocumentIds = docs.filter((d) => d.kind === 'document').map((d) => d.id);
  return (
    <section aria-label={t.documents}>
      <div className={s.bar}>
        <Toolbar aria-label={t.documentActions}>
          <Menu>
            <MenuTrigger disableButtonEnhancement>
              <Button icon={<MoreHorizontalRegular />} disabled={selectedIds.length === 0} data-testid="doc-actions">
                {t.actions(selectedIds.length)}
              </Button>
            </MenuTrigger>
            <MenuPopover>
              <MenuList>
                <MenuItem onClick={() => setDialog('share')}>{t.share}</MenuItem>
                <MenuItem onClick={() => setDialog('unshare')}>{t.stopSharing}</MenuItem>
                <MenuItem onClick={() => void mark.run({ privileged: true })}>{t.markPrivileged}</MenuItem>
                <MenuItem onClick={() => void mark.run({ privileged: false })}>{t.unmarkPrivileged}</MenuItem>
                <MenuItem onClick={() => void mark.run({ staffOnly: true })}>{t.markStaffOnly}</MenuItem>
              </MenuList>
            </MenuPopover>
          </Menu>
        </Toolbar>
        <Field label={t.newFolderName}>
          <Input value={folderName} onChange={(_e, d) => setFolderName(d.value)} />
        </Field>
        <Button icon={<FolderAddRegular />} disabled={!folderName.trim() || newFolder.busy} onClick={() => void newFolder.run()}>
          {t.createFolder}
        </Button>
      </div>
      <ErrorBar error={newFolder.error ?? mark.error} />
      {notice && <Notice>{notice}</Notice>}
      {result && (
        <MessageBar intent={result.refused.length ? 'warning' : 'success'} role="status" data-testid="bulk-result">
          <MessageBarBody>
            <Text block>{result.message}</Text>
            {result.refused.length > 0 && (
              <>
                <Text block>{t.refusedTitle(result.refused.length)}</Text>
                <ul className={s.list}>
                  {result.refused.map((r, i) => (
                    <li key={i}>{t.refusedLine(r.title, r.why)}</li>
                  ))}
                </ul>
              </>
            )}
          </MessageBarBody>
          <MessageBarActions containerAction={<Button appearance="transparent" aria-label={t.dismiss} icon={<DismissRegular />} onClick={() => setResult(null)} />} />
        </MessageBar>
      )}
      {actions.dialogs}
      {docs.length === 0 ? (
        <Empty>{t.folderEmpty}</Empty>
      ) : (
        <>
          <SelectAll ids={allDocumentIds} checked={checked} onChange={setChecked} label={t.selectAll} ariaLabel={t.selectAll} testId="select-all" />
          <Tree
            aria-label={t.caseFolder}
            selectionMode="multiselect"
            checkedItems={[...checked]}
            defaultOpenItems={folders.map((f) => f.id)}
            onCheckedChange={(_e, d) => {
              const next = new Set(checked);
              if (d.checked) next.add(String(d.value));
              else next.delete(String(d.value));
              setChecked(next);
            }}
          >
            <Branch parentId={null} items={docs} sharing={sharing} actions={actions} checked={checked} setChecked={setChecked} />
          </Tree>
        </>
      )}
      <Caption1>{t.folderHint}</Caption1>

      <div className={s.upload}>
        <Subtitle2 block as="h2">
          {t.upload}
        </Subtitle2>
        <Field label={t.uploadInto}>
          <Dropdown value={folders.find((f) => f.id === uploadTo)?.title ?? t.caseFolderTop} selectedOptions={[uploadTo]} onOptionSelect={(_e, d) => setUploadTo(d.optionValue ?? '')}>
            <Option value="">{t.caseFolderTop}</Option>
            {optionsOf(
              folders,
              (f) => f.id,
              (f) => f.title,
            )}
          </Dropdown>
        </Field>
        <ContactTicks contacts={sharing.contacts} selected={shareOnUpload} onChange={setShareOnUpload} label={t.shareUploaded} section="documents" />
        <DropZone onFiles={uploads.add} hint={t.dropHint} />
        {shareNote && <Notice intent="warning">{shareNote}</Notice>}
        <UploadList jobs={uploads.jobs} />
      </div>

      {dialog && (
        <PickContactsDialog
          title={dialog === 'share' ? t.shareSelected : t.stopSharingSelected}
          summary={<SelectionSummary items={selected} />}
          confirm={dialog === 'share' ? t.shareVerb : t.stopSharingVerb}
          confirmChecked={dialog === 'share' ? t.confirmAndShare : t.confirmAndStopSharing}
          contacts={shareable(sharing.contacts)}
          withExpiry={dialog === 'share'}
          section={dialog === 'share' ? 'documents' : undefined}
          run={bulk(dialog === 'share')}
          onClose={() => setDialog(null)}
          onDone={() => setDialog(null)}
        />
      )}
    </section>
  );
}
