/**
 * What the simulated Teams channels hold: threads of activities, per channel, as the Bot
 * Connector and the Teams client would show them. Plain JSON so the simulator's snapshot can
 * persist it (plugin storage). Conversation ids follow Teams: a channel thread is
 * `{channelId};messageid={rootActivityId}`.
 */

export interface ChannelAccount {
  id: string;
  name: string;
  aadObjectId?: string;
  role?: 'bot' | 'user';
}

export interface StoredActivity {
  id: string;
  type: 'message';
  from: ChannelAccount;
  text?: string;
  textFormat?: string;
  attachments?: Array<{ contentType: string; content?: unknown; contentUrl?: string; name?: string }>;
  entities?: unknown[];
  summary?: string;
  replyToId?: string;
  createdAt: string;
  updatedAt?: string;
  /** Bumped on each update, so tests and the page can tell an updated card from a new one. */
  version: number;
}

export interface Thread {
  conversationId: string;
  rootId: string;
  activities: StoredActivity[];
}

export interface ChannelLog {
  channelId: string;
  teamId: string;
  /** Bot Framework's team id (the General channel's thread id); the Graph team id is `teamId`. */
  teamThreadId: string;
  tenantId: string;
  teamName: string;
  name: string;
  threads: Thread[];
}

/** A user's 1:1 chat with the bot (the personal scope): one conversation, no threads. */
export interface PersonalChat {
  conversationId: string;
  userId: string;
  tenantId: string;
  activities: StoredActivity[];
}

export interface ConnectorData {
  channels: Record<string, ChannelLog>;
  /** 1:1 chats by conversation id (absent in snapshots older than personal chats). */
  personal?: Record<string, PersonalChat>;
  /** Teams the bot is installed in: Graph team id → when. */
  installs: Record<string, { at: string; tenantId: string }>;
  seq: number;
}

export const emptyConnectorData = (): ConnectorData => ({ channels: {}, installs: {}, seq: 0 });

/**
 * Teams names a user's 1:1 chat with a bot `a:` and an opaque id; it is the same conversation
 * every time that user and that bot talk, which is what this one keeps.
 */
export const personalConversationId = (botAppId: string, userId: string): string => `a:${Buffer.from(`${botAppId}|${userId}`).toString('base64url')}`;

export const isPersonalConversation = (conversationId: string): boolean => conversationId.startsWith('a:');

export const threadConversationId = (channelId: string, rootId: string) => `${channelId};messageid=${rootId}`;

/** Splits a Teams conversation id into its channel and thread root (null for the channel itself). */
export function parseConversationId(conversationId: string): { channelId: string; rootId: string | null } {
  const [channelId, ...rest] = conversationId.split(';');
  const messageId = rest.map((part) => /^messageid=(.+)$/.exec(part)?.[1]).find((v) => v !== undefined);
  return { channelId, rootId: messageId ?? null };
}

export class ConnectorState {
  private readonly listeners = new Set<(channelId: string) => void>();

  constructor(
    readonly data: ConnectorData,
    private readonly persist: (data: ConnectorData) => void,
  ) {}

  /** Teams message ids are epoch milliseconds; a counter keeps them unique within one millisecond. */
  nextActivityId(): string {
    this.data.seq = Math.max(this.data.seq + 1, Date.now());
    return String(this.data.seq);
  }

  channel(channelId: string): ChannelLog | undefined {
    return this.data.channels[channelId];
  }

  ensureChannel(init: Omit<ChannelLog, 'threads'>): ChannelLog {
    const existing = this.data.channels[init.channelId];
    if (existing) {
      // Learn better names and ids as they become known (install, Graph state).
      Object.assign(existing, Object.fromEntries(Object.entries(init).filter(([, v]) => v !== '' && v !== undefined)));
      return existing;
    }
    const created: ChannelLog = { ...init, threads: [] };
    this.data.channels[init.channelId] = created;
    this.changed(init.channelId);
    return created;
  }

  thread(conversationId: string): { channel: ChannelLog; thread: Thread } | null {
    const { channelId, rootId } = parseConversationId(conversationId);
    const channel = this.data.channels[channelId];
    if (!channel || !rootId) return null;
    const thread = channel.threads.find((t) => t.rootId === rootId);
    return thread ? { channel, thread } : null;
  }

  startThread(channel: ChannelLog, activity: Omit<StoredActivity, 'id' | 'createdAt' | 'version'>): { thread: Thread; activity: StoredActivity } {
    const id = this.nextActivityId();
    const stored: StoredActivity = { ...activity, id, createdAt: new Date().toISOString(), version: 1 };
    const thread: Thread = { conversationId: threadConversationId(channel.channelId, id), rootId: id, activities: [stored] };
    channel.threads.push(thread);
    this.changed(channel.channelId);
    return { thread, activity: stored };
  }

  reply(channel: ChannelLog, thread: Thread, activity: Omit<StoredActivity, 'id' | 'createdAt' | 'version'>): StoredActivity {
    const stored: StoredActivity = { ...activity, id: this.nextActivityId(), replyToId: activity.replyToId ?? thread.rootId, createdAt: new Date().toISOString(), version: 1 };
    thread.activities.push(stored);
    this.changed(channel.channelId);
    return stored;
  }

  update(channel: ChannelLog, thread: Thread, activityId: string, patch: Pick<StoredActivity, 'text' | 'attachments' | 'entities' | 'summary'>): StoredActivity | null {
    const target = thread.activities.find((a) => a.id === activityId);
    if (!target) return null;
    target.text = patch.text;
    target.attachments = patch.attachments;
    target.entities = patch.entities;
    target.summary = patch.summary;
    target.updatedAt = new Date().toISOString();
    target.version += 1;
    this.changed(channel.channelId);
    return target;
  }

  personalChat(conversationId: string): PersonalChat | undefined {
    return this.data.personal?.[conversationId];
  }

  ensurePersonalChat(init: Omit<PersonalChat, 'activities'>): PersonalChat {
    const chats = (this.data.personal ??= {});
    chats[init.conversationId] ??= { ...init, activities: [] };
    return chats[init.conversationId];
  }

  /** Adds to a 1:1 chat; listeners hear the conversation id where channel changes give a channel id. */
  say(chat: PersonalChat, activity: Omit<StoredActivity, 'id' | 'createdAt' | 'version'>): StoredActivity {
    const stored: StoredActivity = { ...activity, id: this.nextActivityId(), createdAt: new Date().toISOString(), version: 1 };
    chat.activities.push(stored);
    this.changed(chat.conversationId);
    return stored;
  }

  onChange(listener: (channelId: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  changed(channelId: string): void {
    this.persist(this.data);
    for (const listener of this.listeners) listener(channelId);
  }
}
