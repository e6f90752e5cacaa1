/** English strings shared across the tab: the words for states and sections the server also sends. */
export const commonEn = {
  /** Invoice states in words (the server sends the same words to guests). */
  invoiceState: { draft: 'Draft', sent: 'Awaiting payment', partly_paid: 'Partly paid', paid: 'Paid', void: 'Void' } as Record<string, string>,
  /** The portal sections a guest's view may hold. */
  section: {
    status: 'Status',
    team: 'Team contact',
    budget: 'Budget and retainer',
    documents: 'Documents',
    notes: 'Notes',
    events: 'Events',
    invoices: 'Invoices',
    messages: 'Messages',
  } as Record<string, string>,
  caseStatus: { open: 'Open', on_hold: 'On hold', closed: 'Closed' } as Record<string, string>,
};
