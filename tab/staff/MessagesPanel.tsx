import { Body1, Button, Caption1, Field, Textarea, makeStyles, mergeClasses, tokens } from '@fluentui/react-components';
import { useState } from 'react';
import type { StaffThread } from '../api';
import { Empty, ErrorBar } from '../components/Feedback';
import { dateTime } from '../components/format';
import { SingleFieldForm } from '../components/SingleFieldForm';
import { useAction, useStaffApi } from '../shell/hooks';
import { TitledCard } from '../components/TitledCard';
import { ListOrEmpty } from '../components/ListOrEmpty';
import { MessageSeenBy } from './SeenBy';
import { useStrings } from '../strings';

const useStyles = makeStyles({
  stack: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, marginTop: tokens.spacingVerticalM },
  msg: { padding: tokens.spacingHorizontalS, borderRadius: tokens.borderRadiusMedium, backgroundColor: tokens.colorNeutralBackground3, whiteSpace: 'pre-wrap' },
  staff: { backgroundColor: tokens.colorBrandBackground2 },
});

function ThreadCard({ thread, onChanged }: { thread: StaffThread; onChanged: () => void }) {
  const t = useStrings().staff;
  const s = useStyles();
  const api = useStaffApi();
  const [text, setText] = useState('');
  const reply = useAction(async () => {
    await api.reply(thread.id, text);
    setText('');
    onChanged();
  });
  return (
    <TitledCard testId="staff-thread" title={thread.subject} description={<Caption1>{thread.startedByContactId ? t.startedByAGuest : t.startedByTheFirm}</Caption1>}>
      {thread.messages.map((m) => (
        <div key={m.id} className={mergeClasses(s.msg, m.authorKind === 'staff' && s.staff)}>
          <Caption1>{t.messageByline(m.authorName, dateTime(m.createdAt), m.screen)}</Caption1>
          <Body1 as="p">{m.body}</Body1>
          {m.authorKind === 'staff' && <MessageSeenBy seenBy={m.seenBy} />}
        </div>
      ))}
      <Field label={t.replyToTheGuest}>
        <Textarea value={text} onChange={(_e, d) => setText(d.value)} resize="vertical" />
      </Field>
      <ErrorBar error={reply.error} />
      <Button appearance="primary" disabled={!text.trim() || reply.busy} onClick={() => void reply.run()}>
        {t.sendReply}
      </Button>
    </TitledCard>
  );
}

/** Portal threads of the case: guests' messages and the firm's replies. */
export function MessagesPanel({ caseId, threads, onChanged }: { caseId: string; threads: StaffThread[]; onChanged: () => void }) {
  const t = useStrings().staff;
  const s = useStyles();
  const api = useStaffApi();
  const [subject, setSubject] = useState('');
  const create = useAction(async () => {
    await api.createThread(caseId, subject.trim());
    setSubject('');
    onChanged();
  });
  return (
    <section aria-label={t.messages}>
      <SingleFieldForm label={t.newThreadSubject} value={subject} onChange={setSubject} action="Start thread" busy={create.busy} onSubmit={() => void create.run()} />
      <ErrorBar error={create.error} />
      <ListOrEmpty items={threads} empty={<Empty>{t.noMessagesYet}</Empty>} className={s.stack}>
        {(t) => <ThreadCard key={t.id} thread={t} onChanged={onChanged} />}
      </ListOrEmpty>
    </section>
  );
}
