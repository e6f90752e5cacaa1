import { Table, TableBody, TableHeader, TableHeaderCell, TableRow, makeStyles, mergeClasses } from '@fluentui/react-components';
import type { ReactNode } from 'react';
import { useStrings } from '../strings';

const useStyles = makeStyles({
  scroll: { overflowX: 'auto' },
});

/**
 * A table that scrolls sideways on a narrow screen (a phone, the Teams side panel) instead of
 * squeezing its columns. The scrolling box is a labelled region keyboard users can focus to
 * scroll; the rows are the caller's (`TableRow`s).
 */
export function ScrollingTable({ label, columns, size = 'small', className, children }: { label: string; columns: string[]; size?: 'small' | 'medium'; className?: string; children: ReactNode }) {
  const s = useStyles();
  const t = useStrings().shell;
  return (
    <div className={mergeClasses(s.scroll, className)} role="region" aria-label={t.scrollsSideways(label)} tabIndex={0}>
      <Table aria-label={label} size={size}>
        <TableHeader>
          <TableRow>
            {columns.map((c) => (
              <TableHeaderCell key={c}>{c}</TableHeaderCell>
            ))}
          </TableRow>
        </TableHeader>
        <TableBody>{children}</TableBody>
      </Table>
    </div>
  );
}
