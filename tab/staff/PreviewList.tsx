import { Caption1, Subtitle2, makeStyles, tokens } from '@fluentui/react-components';
import type { GrantPreview, PreviewSide, WithheldItem } from '../api';

import { currentStrings, useStrings } from '../strings';

const useStyles = makeStyles({
  grid: { display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(220px, 1fr))', gap: tokens.spacingHorizontalL },
  list: { margin: `${tokens.spacingVerticalXS} 0`, paddingLeft: tokens.spacingHorizontalL },
  gained: { color: tokens.colorPaletteGreenForeground1 },
  lost: { color: tokens.colorPaletteRedForeground1 },
});

const isEmpty = (s: PreviewSide) => s.cases.length + s.sections.length + s.items.length + s.upload.length === 0;

function Side({ title, side, testId, tone }: { title: string; side: PreviewSide; testId: string; tone: 'gained' | 'lost' }) {
  const t = useStrings().staff;
  const s = useStyles();
  const caseName = (id: string) => side.cases.find((c) => c.caseId === id)?.number;
  return (
    <div data-testid={testId}>
      <Subtitle2 block as="h3" className={s[tone]}>
        {title}
      </Subtitle2>
      {isEmpty(side) ? (
        <Caption1 as="p">{t.nothing}</Caption1>
      ) : (
        <ul className={s.list}>
          {side.cases.map((c) => (
            <li key={`c${c.caseId}`}>{t.caseNamed(c.number, c.title)}</li>
          ))}
          {side.sections.map((x) => (
            <li key={`s${x.caseId}${x.section}`}>{t.sectionOf(currentStrings().common.section[x.section], caseName(x.caseId))}</li>
          ))}
          {side.items.map((i) => (
            <li key={`i${i.itemId}`} data-testid="preview-item">
              {i.title} <Caption1>({i.kind})</Caption1>
            </li>
          ))}
          {side.upload.map((id) => (
            <li key={`u${id}`}>{t.uploadingTo(caseName(id))}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** Staff-only and privileged items the new terms cover but do not give: listed apart, never as gains. */
function Withheld({ items }: { items: WithheldItem[] }) {
  const t = useStrings().staff;
  const s = useStyles();
  return (
    <div data-testid="preview-withheld">
      <Subtitle2 block as="h3">
        {t.notGiven}
      </Subtitle2>
      <ul className={s.list}>
        {items.map((i) => (
          <li key={`w${i.itemId}`} data-testid="preview-withheld-item">
            {i.title} <Caption1>({t.withheld[i.why]})</Caption1>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** Exactly what the guest gains and loses, as the API computed it, before anything is applied. */
export function PreviewList({ preview }: { preview: GrantPreview }) {
  const t = useStrings().staff;
  const s = useStyles();
  return (
    <div className={s.grid} data-testid="scope-preview">
      <Side title={t.theyWillGain} side={preview.gained} testId="preview-gained" tone="gained" />
      <Side title={t.theyWillLose} side={preview.lost} testId="preview-lost" tone="lost" />
      {preview.withheld.length > 0 && <Withheld items={preview.withheld} />}
    </div>
  );
}

export const previewIsEmpty = (p: GrantPreview): boolean => isEmpty(p.gained) && isEmpty(p.lost);
