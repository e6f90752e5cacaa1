import type { Section } from '../../../src/contract/enums';
import { SECTION_WORDS, wordList } from '../../../src/contract/views';

/** "Documents", "Budget and retainer": a section's words at the start of a sentence. */
const capitalised = (section: Section): string => SECTION_WORDS[section].charAt(0).toUpperCase() + SECTION_WORDS[section].slice(1);
const sectionsInWords = (sections: readonly Section[]): string => wordList(sections.map((s) => SECTION_WORDS[s]));
const people = (n: number): string => (n === 1 ? '1 guest' : `${n} guests`);

/** English strings for this area of the tab: plain text, or a function where the sentence takes values. */
export const viewsEn = {
  // ---- firm navigation (FirmNav) ----
  nav: { label: 'Firm pages', clients: 'Clients', guests: 'Guests', views: 'Views', policy: 'Guest policy', audit: 'Audit log', settings: 'My settings', setup: 'Set-up' },
  pageTitles: { views: 'Saved views', policy: 'Guest policy' },

  // ---- the scope editor and its view picker (ShareDialog) ----
  scopeLabel: 'Scope',
  justThisCase: (caseNumber: string) => `Just this case (${caseNumber})`,
  allCasesOf: (clientName: string) => `All cases for ${clientName}, including future ones`,
  viewPickerLabel: 'View (what they see)',
  customView: 'Custom…',
  noSavedViews: 'The firm has no saved views yet; an admin can add them under Views. Tick the sections below.',
  sectionTicksLegend: 'Sections they see',
  switchedOffNote: (sections: readonly Section[]) => `Not offered here, because the firm's policy switched them off for every guest: ${sectionsInWords(sections)}.`,
  theyWillSee: (label: string) => `They will see: ${label}`,
  threadsLegend: 'Message threads they can read',
  noThreads: 'This case has no threads yet. Guests always see threads they start.',
  allowUploads: 'Allow uploads',

  // ---- the Share dialog ----
  share: {
    title: (caseNumber: string) => `Share ${caseNumber}`,
    scopeCanUpload: (scope: string) => `${scope}, can upload`,
    peopleWithAccess: 'People with access',
    nobody: 'Nobody outside the firm has access to this case.',
    moreFor: (name: string, scope: string) => `More for ${name}: ${scope}`,
    changeScopeMenu: 'Change scope…',
    configureMenu: 'Configure view and threads…',
    changeExpiryMenu: 'Change expiry…',
    removeMenu: 'Remove access…',
    changeScopeTitle: (name: string) => `Change scope for ${name}`,
    configureTitle: (name: string) => `Configure view and threads for ${name}`,
    now: (scope: string) => `Now: ${scope}`,
    nothingChanges: (name: string) => `Nothing changes for ${name}.`,
    back: 'Back',
    cancel: 'Cancel',
    close: 'Close',
    apply: 'Apply',
    confirmAndApply: 'Confirm and apply',
    applying: 'Applying…',
    previewChanges: 'Preview changes',
    workingOut: 'Working out the changes…',
    changed: (name: string) => `Access for ${name} was changed.`,
    readingDefaults: "Reading the firm's guest defaults and views…",
    given: (name: string) => `${name} was given access.`,
    theGuest: 'the guest',
    theGuestCapital: 'The guest',
    theClient: 'the client',
    confirmTitle: (name: string) => `Confirm access for ${name}`,
    confirmAndGive: 'Confirm and give access',
    addGuestTitle: 'Add a guest',
    addGuestButton: 'Add a guest…',
    noCandidates: 'No linked contact has portal access. Link a contact and turn portal access on under Parties.',
    guestField: "Guest (from the case's linked contacts)",
    guestOption: (name: string, email: string) => `${name} (${email})`,
    guestOptionPending: (name: string, email: string) => `${name} (${email}) · invitation pending`,
    notAccepted: (name: string) => `${name} has not accepted the invitation yet; access starts when they do.`,
    giveAccess: 'Give access',
    removeTitle: 'Remove access',
    willLose: (name: string, scope: string) => `${name} will lose “${scope}”. SharePoint permissions are withdrawn at once; anything they already downloaded stays with them.`,
    removed: (name: string, scope: string) => `${name} no longer has “${scope}”.`,
    removeButton: 'Remove access',
  },

  // ---- access chips (AccessChip) ----
  chip: {
    everyCaseOf: (client: string) => `every case of ${client}, including future ones`,
    theClient: 'the client',
    aCase: 'a case',
    /** Where an access reaches: one item of a case, or a whole case (`title` empty when the case is unknown). */
    itemInCase: (label: string, caseNumber: string, title: string) => `“${label}” in ${caseNumber}${title ? ` ${title}` : ''}`,
    wholeCase: (caseNumber: string, title: string) => `the whole of ${caseNumber}${title ? ` ${title}` : ''}`,
    detail: (p: { name: string; email: string; where: string; view: string | null; rights: string; state: string; until: string | null }) =>
      `${p.name} (${p.email}) sees ${p.where}.${p.view ? ` Sees: ${p.view}.` : ''} Rights: ${p.rights}. State: ${p.state}.${p.until ? ` Until ${p.until}.` : ''}`,
    remove: (chip: string) => `Remove access: ${chip}`,
    changeExpiry: (chip: string, expiry: string) => `Change expiry: ${chip}, ${expiry}`,
  },

  // ---- the policy's effect on share choices ----
  sectionOffNote: (section: Section) =>
    `${capitalised(section)} ${section === 'documents' || section === 'notes' || section === 'events' || section === 'invoices' || section === 'messages' ? 'are' : 'is'} switched off for guests by the firm's policy, so nothing here can be shared with them.`,

  // ---- the Views page (admins) ----
  viewsPage: {
    heading: 'Saved views',
    intro: 'A saved view is a named set of portal sections. Staff pick one when they give a guest case or client access, instead of ticking sections by hand.',
    keepsSections:
      'A grant keeps the sections it was given. Changing or deleting a saved view here does not change access already given: widening it silently would show guests more than anyone chose. To change one guest’s access, open the case and use Share.',
    listLabel: 'Saved views',
    none: 'The firm has no saved views yet.',
    sectionsOf: (sections: readonly Section[]) => sectionsInWords(sections),
    newHeading: 'New view',
    name: 'Name',
    nameHint: 'For example “Client standard” or “Expert: documents only”. Names are unique in the firm.',
    sections: 'Sections it shows',
    policyOff: (sections: readonly Section[]) => `Switched off for every guest by the firm's policy: ${sectionsInWords(sections)}. A view may still include them; guests see them only if the policy switches them back on.`,
    create: 'Save view',
    creating: 'Saving…',
    created: (name: string) => `Saved the view “${name}”.`,
    editButton: 'Change',
    edit: (name: string) => `Change ${name}`,
    editTitle: (name: string) => `Change the view “${name}”`,
    editNote: 'Guests already given this view keep the sections they were given.',
    save: 'Save changes',
    saved: (name: string) => `Saved “${name}”. Access already given is unchanged.`,
    removeButton: 'Delete',
    remove: (name: string) => `Delete ${name}`,
    removeTitle: (name: string) => `Delete the view “${name}”?`,
    removeBody: 'Staff will no longer be offered it. Guests already given it keep their sections; nothing is withdrawn.',
    removeConfirm: 'Delete view',
    removed: (name: string) => `Deleted “${name}”. Access already given is unchanged.`,
    cancel: 'Cancel',
    pickOne: 'Tick at least one section.',
    loading: 'Reading the firm’s views…',
  },

  // ---- the Guest policy page (admins) ----
  policyPage: {
    heading: 'Sections guests may see',
    intro: 'Switch a section off to hide it from every guest of the firm at once, whatever their access says. Nothing is deleted: switching it back on shows it again to the guests whose access includes it.',
    legend: 'Sections shown to guests',
    on: (section: Section) => `${capitalised(section)}: shown to guests`,
    off: (section: Section) => `${capitalised(section)}: switched off for every guest`,
    previewHeading: 'What changes',
    nothing: 'Nothing changes: pick a section to switch off or on.',
    willLose: (section: Section, names: readonly string[]) =>
      names.length === 0 ? `No guest you can see has ${SECTION_WORDS[section]} through case or client access today.` : `${people(names.length)} would lose ${SECTION_WORDS[section]}: ${wordList([...names])}.`,
    counting: 'Counting the guests who would lose it…',
    documentsItems: 'Documents and folders shared one by one are withdrawn from SharePoint too, for every guest.',
    willRegain: (section: Section) => `Guests whose access includes ${SECTION_WORDS[section]} would see it again.`,
    sharingHidden: 'Staff are no longer offered these sections when they share, and a note in the case tab says why.',
    previewScope: 'Counted from the access you can see; cases walled off from you are not included.',
    reason: 'Reason (kept in the audit log)',
    save: 'Apply the policy',
    saving: 'Applying…',
    saved: 'The policy was applied.',
    loading: 'Reading the firm’s policy…',
  },
};
