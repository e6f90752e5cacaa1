import { Badge, Button, Caption1, Dropdown, Field, Input, Menu, MenuItem, MenuList, MenuPopover, MenuTrigger, Option, Subtitle2, Toolbar, Tooltip, Tree, TreeItem, TreeItemLayout, makeStyles, tokens } from '@fluentui/react-components';
import { DocumentRegular, FolderAddRegular, FolderRegular, MoreHorizontalRegular } from '@fluentui/react-icons';
import { useState, type ReactNode } from 'react';
import type { CaseSharing, Confirmation, Item, ItemPatch, UploadAnswer } from '../api';
import { Empty, ErrorBar, Notice } from '../components/Feedback';
import { size } from '../components/format';
import { DropZone, UploadList, useUploads, type UploadJob } from '../components/Uploads';
import { optionsOf } from '../components/options';
import { useAction, useStaffApi } from '../shell/hooks';
import { createdItemIds, folderPath, shareable } from './caseData';
import { ContactTicks } from './ContactTicks';
import { PickContactsDialog } from './PickContactsDialog';
import { ItemSeenBy } from './SeenBy';

const useStyles = makeStyles({
  bar: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS, alignItems: 'flex-end', marginBottom: tokens.spacingVerticalS },
  aside: { display: 'flex', gap: tokens.spacingHorizontalXS, alignItems: 'center', flexWrap: 'wrap' },
  upload: { marginTop: tokens.spacingVerticalXL, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  names: { maxWidth: '220px', overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' },
});

const CHUNK = 200;

/** "Shared" with the people it is shared with (and how), or nothing. */
function SharedLabel({ sharing, itemId }: { sharing: CaseSharing; itemId: string }) {
  const s = useStyles();
  const entries = sharing.sharedWith[itemId] ?? [];
  if (entries.length === 0) return null;
  const names = entries.map((e) => `${e.name}${e.via === 'item' ? '' : ` (${e.via} access)`}${e.state === 'pending' ? ', pending' : ''}`).join('; ');
  return (
    <Tooltip content={`Shared with ${names}`} relationship="description">
      <span className={s.aside} data-testid="shared-label" tabIndex={0}>
        <Badge appearance="tint" color="brand" size="small">
          Shared
        </Badge>
        <Caption1 className={s.names}>{entries.map((e) => e.name).join(', ')}</Caption1>
      </span>
    </Tooltip>
  );
}

/** What keeps a document or folder from guests, as a badge beside its name. */
function WithheldBadge({ item }: { item: Item }): ReactNode {
  if (item.staffOnly)
    return (
      <Badge appearance="outline" size="small" data-testid="staff-only-badge">
        Staff only
      </Badge>
    );
  if (item.privileged)
    return (
      <Badge appearance="filled" color="danger" size="small" data-testid="privileged-badge">
        Privileged
      </Badge>
    );
  return null;
}

function Branch({ parentId, items, sharing }: { parentId: string | null; items: Item[]; sharing: CaseSharing }): ReactNode {
  const children = items.filter((i) => i.parentId === parentId).sort((a, b) => (a.kind === b.kind ? a.title.localeCompare(b.title) : a.kind === 'folder' ? -1 : 1));
  return children.map((c) =>
    c.kind === 'folder' ? (
      <TreeItem key={c.id} itemType="branch" value={c.id} data-testid="doc-node" data-title={c.title} data-item-id={c.id}>
        <TreeItemLayout iconBefore={<FolderRegular />} aside={<SharedLabel sharing={sharing} itemId={c.id} />}>
          {c.title} <WithheldBadge item={c} />
        </TreeItemLayout>
        <Tree>{Branch({ parentId: c.id, items, sharing })}</Tree>
      </TreeItem>
    ) : (
      <TreeItem key={c.id} itemType="leaf" value={c.id} data-testid="doc-node" data-title={c.title} data-item-id={c.id}>
        <TreeItemLayout
          iconBefore={<DocumentRegular />}
          aside={
            <>
              <SharedLabel sharing={sharing} itemId={c.id} />
              <ItemSeenBy sharing={sharing} itemId={c.id} />
            </>
          }
        >
          {c.title} <Caption1>{size(c.sizeBytes)}</Caption1> <WithheldBadge item={c} />
        </TreeItemLayout>
      </TreeItem>
    ),
  );
}

/** The case folder as a tree: select many → Actions → Share / Stop sharing; upload with share ticks. */
export function DocumentsPanel({ caseId, sharing, onChanged }: { caseId: string; sharing: CaseSharing; onChanged: () => void }) {
  const s = useStyles();
  const api = useStaffApi();
  const docs = sharing.items.filter((i) => i.kind === 'folder' || i.kind === 'document');
  const folders = docs.filter((i) => i.kind === 'folder');
  const [checked, setChecked] = useState<Set<string>>(new Set());
  const [dialog, setDialog] = useState<'share' | 'unshare' | null>(null);
  const [folderName, setFolderName] = useState('');
  const [uploadTo, setUploadTo] = useState<string>('');
  const [shareOnUpload, setShareOnUpload] = useState<Set<string>>(new Set());
  const [shareNote, setShareNote] = useState<string | null>(null);
  const selectedIds = [...checked].filter((id) => docs.some((d) => d.id === id));

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
        setShareNote(`${job.file.name} was uploaded but could not be shared: ${err instanceof Error ? err.message : 'unknown error'}`);
      }
    }
    onChanged();
  };
  const uploads = useUploads((file, onProgress) => api.uploadFile(caseId, file, uploadTo ? folderPath(docs, uploadTo) : null, onProgress), afterUpload);

  const bulk =
    (fn: (contactIds: string[], itemIds: string[], confirm?: Confirmation, expiresAt?: string | null) => Promise<unknown>) =>
    async (contactIds: string[], progress: (done: number) => void, confirm?: Confirmation, expiresAt?: string | null) => {
      let stillVisible = 0;
      for (let i = 0; i < selectedIds.length; i += CHUNK) {
        const result = await fn(contactIds, selectedIds.slice(i, i + CHUNK), confirm, expiresAt);
        stillVisible += (result as { stillVisible?: unknown[] }).stillVisible?.length ?? 0;
        progress(Math.min(1, (i + CHUNK) / selectedIds.length));
      }
      setChecked(new Set());
      onChanged();
      return stillVisible ? `${stillVisible} item(s) stay visible through case or client access; change that in Share.` : undefined;
    };

  return (
    <section aria-label="Documents">
      <div className={s.bar}>
        <Toolbar aria-label="Document actions">
          <Menu>
            <MenuTrigger disableButtonEnhancement>
              <Button icon={<MoreHorizontalRegular />} disabled={selectedIds.length === 0} data-testid="doc-actions">
                Actions{selectedIds.length ? ` (${selectedIds.length} selected)` : ''}
              </Button>
            </MenuTrigger>
            <MenuPopover>
              <MenuList>
                <MenuItem onClick={() => setDialog('share')}>Share…</MenuItem>
                <MenuItem onClick={() => setDialog('unshare')}>Stop sharing…</MenuItem>
                <MenuItem onClick={() => void mark.run({ privileged: true })}>Mark privileged</MenuItem>
                <MenuItem onClick={() => void mark.run({ privileged: false })}>Unmark privileged</MenuItem>
                <MenuItem onClick={() => void mark.run({ staffOnly: true })}>Mark staff-only</MenuItem>
              </MenuList>
            </MenuPopover>
          </Menu>
        </Toolbar>
        <Field label="New folder name">
          <Input value={folderName} onChange={(_e, d) => setFolderName(d.value)} />
        </Field>
        <Button icon={<FolderAddRegular />} disabled={!folderName.trim() || newFolder.busy} onClick={() => void newFolder.run()}>
          Create folder
        </Button>
      </div>
      <ErrorBar error={newFolder.error ?? mark.error} />
      {docs.length === 0 ? (
        <Empty>The case folder is empty. Upload files below.</Empty>
      ) : (
        <Tree
          aria-label="Case folder"
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
          {Branch({ parentId: null, items: docs, sharing })}
        </Tree>
      )}
      <Caption1>Select a folder to share everything in it, now and later.</Caption1>

      <div className={s.upload}>
        <Subtitle2 block as="h2">
          Upload
        </Subtitle2>
        <Field label="Upload into">
          <Dropdown value={folders.find((f) => f.id === uploadTo)?.title ?? 'Case folder (top level)'} selectedOptions={[uploadTo]} onOptionSelect={(_e, d) => setUploadTo(d.optionValue ?? '')}>
            <Option value="">Case folder (top level)</Option>
            {optionsOf(
              folders,
              (f) => f.id,
              (f) => f.title,
            )}
          </Dropdown>
        </Field>
        <ContactTicks contacts={sharing.contacts} selected={shareOnUpload} onChange={setShareOnUpload} label="Share the uploaded files with" section="documents" />
        <DropZone onFiles={uploads.add} hint="Drop many files at once; each shows its own progress. You can keep working while they upload." />
        {shareNote && <Notice intent="warning">{shareNote}</Notice>}
        <UploadList jobs={uploads.jobs} />
      </div>

      {dialog && (
        <PickContactsDialog
          title={dialog === 'share' ? 'Share selected items' : 'Stop sharing selected items'}
          summary={`${selectedIds.length} selected: ${docs
            .filter((d) => checked.has(d.id))
            .map((d) => d.title)
            .join(', ')}`}
          confirm={dialog === 'share' ? 'Share' : 'Stop sharing'}
          contacts={shareable(sharing.contacts)}
          withExpiry={dialog === 'share'}
          section={dialog === 'share' ? 'documents' : undefined}
          run={bulk(dialog === 'share' ? (c, i, confirm, expiresAt) => api.share(c, i, null, confirm, expiresAt ?? null) : (c, i) => api.unshare(c, i))}
          onClose={() => setDialog(null)}
        />
      )}
    </section>
  );
}
